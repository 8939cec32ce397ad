// herd sim — one cluster in one process, driven by a seed: one controller core, or a pair
// of them with a witness, on a ManualClock, each with a MemoryStateStore, a BlobStore in a
// temp dir and a vote store, N simulated node daemons and any number of clients, all
// talking through a SimNetwork. Time is virtual and jumps from one event to the next; one
// step is one iteration of every running controller's loop (deliver what is due, let
// actors and nodes act, Tick, Flush, send). There is no thread, no wall clock, and nothing
// whose order depends on a hash: the seed decides everything.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/clock.h"
#include "common/config/config.h"
#include "controller/core.h"
#include "controller/ha/vote_store.h"
#include "controller/ha/witness.h"
#include "controller/store/blob_store.h"
#include "controller/store/memory_state_store.h"
#include "testsuite/sim/invariants.h"
#include "testsuite/sim/network.h"
#include "testsuite/sim/rng.h"
#include "testsuite/sim/sim_node.h"

namespace herd::sim {

// Credentials "uid:<n>" name the uid, as the controller tests' FakeAuth.
class SimAuth : public Authenticator {
 public:
  Result<std::string> Sign(const std::string&) override { return std::string("uid:0"); }
  Result<Identity> Verify(const std::string& cred, const std::string& body) override;
};

// The controller's disk: a MemoryStateStore, which may be told to ignore fsync (Commit()
// then reports success and makes nothing durable), so that the checks can be shown to
// catch a controller that acknowledges what a crash then loses.
class SimDisk : public ctld::StateStore {
 public:
  Result<ctld::Recovered> Load() override { return mem_.Load(); }
  void Append(uint16_t type, std::string body) override { mem_.Append(type, std::move(body)); }
  bool HasPending() const override { return mem_.HasPending(); }
  Status Commit() override { return ignores_fsync_ ? Status::Ok() : mem_.Commit(); }
  Status Checkpoint(const std::string& state) override { return mem_.Checkpoint(state); }
  uint64_t RecordsSinceCheckpoint() const override { return mem_.RecordsSinceCheckpoint(); }
  uint64_t LastSeq() const override { return mem_.LastSeq(); }
  Status Install(const std::string& state, uint64_t seq) override {
    return mem_.Install(state, seq);
  }
  Result<uint64_t> AvailableBytes() const override { return mem_.AvailableBytes(); }
  void Crash() { mem_.Crash(); }
  void set_ignores_fsync(bool v) { ignores_fsync_ = v; }

 private:
  ctld::MemoryStateStore mem_;
  bool ignores_fsync_ = false;
};

struct WorldOptions {
  uint64_t seed = 1;
  uint32_t nodes = 8;
  uint32_t cpus = 8;
  uint64_t memory_mb = 32000;
  bool random_knobs = true;         // timeouts, intervals, requeue drawn from the seed
  std::ostream* trace = nullptr;    // every event, when set
  bool disk_ignores_fsync = false;  // a broken disk, for the checks' self-test
  // High availability: two controllers (ctl1 preferred, ctl2) and, with `witness`, a
  // witness; HaLeaseMs and HaSyncTimeoutMs drawn from the seed.
  bool ha = false;
  bool witness = true;
  // Self-test of the checks: ctl1's clock runs at this rate, so that it overstays its
  // lease by the factor 1/rate (the design covers rate differences of up to 10%).
  double ctl1_clock_rate = 1.0;
};

// Something that acts at times of its own choosing: a workload, the fault injector.
class Actor {
 public:
  virtual ~Actor() = default;
  virtual int64_t NextActionMs() const = 0;  // INT64_MAX: nothing planned
  virtual void Act() = 0;
};

enum class CrashPoint : uint8_t {
  kBetweenSteps,  // after a complete loop iteration
  kBeforeFlush,   // after handling some requests, before their journal commit
  kAfterCommit,   // after the commit, before a reply or node message went out
};
const char* CrashPointName(CrashPoint p);

enum class PausePoint : uint8_t {
  kBetweenSteps,  // after a complete loop iteration
  kBeforeSend,    // after the commit: its replies and node messages go out at the resume
};
const char* PausePointName(PausePoint p);

// A controller's view of time: the world's clock at `rate` (1: the same).
class SimClock : public Clock {
 public:
  SimClock(const ManualClock& base, double rate) : base_(base), rate_(rate) {}
  int64_t MonotonicMs() const override {
    return static_cast<int64_t>(static_cast<double>(base_.MonotonicMs()) * rate_);
  }
  int64_t NowSeconds() const override {
    return base_.NowSeconds() - base_.MonotonicMs() / 1000 + MonotonicMs() / 1000;
  }

 private:
  const ManualClock& base_;
  double rate_;
};

class World : public NodeHost {
 public:
  explicit World(const WorldOptions& options);
  ~World() override;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const ClusterConfig& config() const { return config_; }
  const std::string& knobs() const { return knobs_; }
  SimNetwork& network() { return net_; }
  Invariants& invariants() { return inv_; }
  size_t num_controllers() const { return ctls_.size(); }
  const std::string& controller_name(size_t i) const { return ctls_[i]->name; }
  // Controller `i`'s core, null while it is down.
  const ctld::ControllerCore* core(size_t i = 0) const { return ctls_[i]->core.get(); }
  SimNode& node(size_t i) { return *nodes_[i]; }
  size_t num_nodes() const { return nodes_.size(); }
  uint64_t steps() const { return steps_; }
  uint32_t crashes() const;
  uint32_t checkpoints() const;
  bool is_ha() const { return ctls_.size() > 1; }
  bool has_witness() const { return witness_voter_ != kNoVoter; }

  void AddActor(Actor* a) { actors_.push_back(a); }

  // Clients. A reply reaches the handler; a SubmitJobReply also tells the invariants. A
  // client sends to the controller it believes active, follows a NotActiveReply (the
  // request goes again, to the named controller or the other one) and tries the other
  // controller after a request went unanswered.
  using ReplyHandler = std::function<void(uint32_t client, const proto::Frame& reply)>;
  void set_reply_handler(ReplyHandler h) { reply_handler_ = std::move(h); }
  // Sends `f` signed as `uid` from client `client`; returns its request id.
  uint64_t ClientSend(uint32_t client, uint32_t uid, proto::Frame f);

  // Faults. The controller comes back after `down_ms` with a new core and Recover().
  void CrashController(size_t ctl, CrashPoint point, int64_t down_ms, bool lose_unsynced_blobs);
  void CrashController(CrashPoint point, int64_t down_ms, bool lose_unsynced_blobs) {
    CrashController(0, point, down_ms, lose_unsynced_blobs);
  }
  bool controller_up(size_t ctl = 0) const { return ctls_[ctl]->core != nullptr; }
  // SIGSTOP for `ms`: the controller is not stepped; what reaches it waits.
  void PauseController(size_t ctl, PausePoint point, int64_t ms);
  bool controller_paused(size_t ctl) const { return ctls_[ctl]->paused; }
  // The witness process dies and comes back after `down_ms` (its vote is on disk).
  void CrashWitness(int64_t down_ms);
  bool witness_up() const { return witness_ != nullptr; }
  // Cuts voter `voter` (controller index, or witness_voter()) off the other voters; a
  // controller also from nodes and clients.
  void IsolateVoter(int voter, bool isolated);
  int witness_voter() const { return witness_voter_; }
  std::string VoterName(int voter) const;
  // The controller that may write now, -1 when none.
  int Active() const;
  void SetNodeCut(size_t node, bool cut);
  void PowerOff(size_t node) { nodes_[node]->PowerOff(); }
  void PowerOn(size_t node) { nodes_[node]->PowerOn(); }

  // Steps until `done()` holds or the virtual time reaches `until_ms`; returns done().
  bool RunUntil(const std::function<bool()>& done, int64_t until_ms);

  // NodeHost.
  int64_t NowMs() const override { return clock_.MonotonicMs(); }
  int64_t NowSeconds() const override { return clock_.NowSeconds(); }
  void NodeRequest(size_t node, size_t ctl, std::string bytes) override;
  void NodeAnswer(size_t node, uint64_t incarnation, std::string bytes) override;
  void RunStarted(const RunEvent& e) override;
  void RunEnded(const RunEvent& e) override;
  void RunKillOrdered(size_t node, uint64_t job_id, uint32_t run_seq) override;
  void Trace(const std::string& line) override;
  Rng& rng() override { return rng_; }
  bool tracing() const { return trace_ != nullptr; }

 private:
  // One controller process with its disk, its job scripts and its vote.
  struct Controller {
    size_t index = 0;
    std::string name;
    std::string addr;
    SimDisk store;
    std::unique_ptr<ctld::BlobStore> blobs;
    std::string blob_dir;
    ctld::ha::MemoryVoteStore votes;  // fsynced: it survives crashes
    std::unique_ptr<SimClock> clock;
    std::unique_ptr<ctld::ControllerCore> core;
    uint32_t incarnation = 0;
    int64_t restart_at_ms = 0;
    int64_t last_iteration_ms = 0;
    // A crash armed for the current step.
    bool armed = false;
    CrashPoint armed_point = CrashPoint::kBetweenSteps;
    int64_t armed_down_ms = 0;
    bool armed_lose_blobs = false;
    int armed_after_inputs = 0;
    int inputs = 0;  // handled in this step
    // Jobs whose blob was written since the last checkpoint (not yet synced).
    std::set<uint64_t> unsynced_blobs;
    uint64_t max_committed_job = 0;
    uint32_t checkpoints = 0;
    // SIGSTOP.
    bool paused = false;
    bool pause_armed = false;  // pause after the next commit, before sending
    int64_t pause_ms = 0;
    int64_t resume_at_ms = 0;
    std::vector<Packet> inbox;   // arrived while paused
    std::vector<Packet> unsent;  // output of the flush before a kBeforeSend pause
    std::string traced_role;     // for the trace: role and epoch last reported
    // Per node: when its heartbeat or registration last reached this controller, and
    // whether this controller's state had it down (not responding) after its last flush.
    std::vector<int64_t> heard_ms;
    std::vector<bool> node_down;
  };
  struct ClientRequest {
    uint32_t client = 0;
    size_t ctl = 0;  // sent to
    proto::Frame frame;
    int64_t deadline_ms = 0;    // given up without an answer after this
    int64_t resend_at_ms = -1;  // after NotActiveReply: sent again then
    int redirects = 0;
  };

  std::string BuildConfigText(const WorldOptions& o);
  void Step();
  void StartController(Controller& c);
  void CrashNow(Controller& c, const char* where);
  void Resume(Controller& c);
  void ControllerIteration(Controller& c);
  std::vector<Packet> PacketsOf(Controller& c, ctld::FlushResult out);
  void Deliver(const Packet& p);
  void ToController(Controller& c, const Packet& p);
  void ToWitness(const Packet& p);
  void StartWitness();
  int64_t NextEventMs() const;
  void SendFromController(Controller& c, Packet p);
  void SendClient(uint32_t client, const proto::Frame& f);
  void ExpireClientRequests();
  void CheckControllers();
  void CheckNodesDeclaredDead(Controller& c, bool writable);
  int VoterIndex(const std::string& name) const;

  Rng rng_;
  std::ostream* trace_;
  ManualClock clock_;
  ClusterConfig config_;
  std::string knobs_;
  std::string dir_;
  SimAuth auth_;
  std::vector<std::unique_ptr<Controller>> ctls_;
  size_t sender_ = 0;  // the controller whose packet a node is handling
  // The witness.
  int witness_voter_ = kNoVoter;
  ctld::ha::MemoryVoteStore witness_votes_;
  std::unique_ptr<ctld::ha::WitnessCore> witness_;
  int64_t witness_restart_ms_ = INT64_MAX;
  uint32_t witness_crashes_ = 0;
  // Per node: the last time it was cut off or declared dead by a controller.
  std::vector<int64_t> node_lost_ms_;
  // Safety: which controller was writable in each epoch.
  std::map<uint64_t, size_t> epoch_writer_;

  SimNetwork net_;
  Invariants inv_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::vector<Actor*> actors_;
  ReplyHandler reply_handler_;
  uint64_t next_client_rid_ = 1;
  std::map<uint32_t, size_t> client_ctl_;              // whom each client believes active
  std::map<uint64_t, ClientRequest> client_requests_;  // by request id, until answered
  std::map<uint32_t, int64_t> client_switched_ms_;
  uint64_t steps_ = 0;
};

}  // namespace herd::sim
