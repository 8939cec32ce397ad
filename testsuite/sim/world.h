// herd sim — one cluster in one process, driven by a seed: a controller core on a
// ManualClock, a MemoryStateStore and a BlobStore in a temp dir, N simulated node daemons
// and any number of clients, all talking through a SimNetwork. Time is virtual and jumps
// from one event to the next; one step is one iteration of the controller's loop (deliver
// what is due, let actors and nodes act, Tick, Flush, send). There is no thread, no wall
// clock, and nothing whose order depends on a hash: the seed decides everything.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/clock.h"
#include "common/config/config.h"
#include "controller/core.h"
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
  const ctld::ControllerCore* core() const { return core_.get(); }  // null while down
  SimNode& node(size_t i) { return *nodes_[i]; }
  size_t num_nodes() const { return nodes_.size(); }
  uint64_t steps() const { return steps_; }
  uint32_t crashes() const { return incarnation_ - 1; }
  uint32_t checkpoints() const { return checkpoints_; }

  void AddActor(Actor* a) { actors_.push_back(a); }

  // Clients. A reply reaches the handler; a SubmitJobReply also tells the invariants.
  using ReplyHandler = std::function<void(uint32_t client, const proto::Frame& reply)>;
  void set_reply_handler(ReplyHandler h) { reply_handler_ = std::move(h); }
  // Sends `f` signed as `uid` from client `client`; returns its request id.
  uint64_t ClientSend(uint32_t client, uint32_t uid, proto::Frame f);

  // Faults. The controller comes back after `down_ms` with a new core and Recover().
  void CrashController(CrashPoint point, int64_t down_ms, bool lose_unsynced_blobs);
  bool controller_up() const { return core_ != nullptr; }
  void SetNodeCut(size_t node, bool cut);
  void PowerOff(size_t node) { nodes_[node]->PowerOff(); }
  void PowerOn(size_t node) { nodes_[node]->PowerOn(); }

  // Steps until `done()` holds or the virtual time reaches `until_ms`; returns done().
  bool RunUntil(const std::function<bool()>& done, int64_t until_ms);

  // NodeHost.
  int64_t NowMs() const override { return clock_.MonotonicMs(); }
  int64_t NowSeconds() const override { return clock_.NowSeconds(); }
  void NodeRequest(size_t node, std::string bytes) override;
  void NodeAnswer(size_t node, uint64_t incarnation, std::string bytes) override;
  void RunStarted(const RunEvent& e) override;
  void RunEnded(const RunEvent& e) override;
  void Trace(const std::string& line) override;
  Rng& rng() override { return rng_; }
  bool tracing() const { return trace_ != nullptr; }

 private:
  std::string BuildConfigText(const WorldOptions& o);
  void Step();
  void StartController();
  void CrashNow(const char* where);
  void ControllerIteration();
  void Deliver(const Packet& p);
  void ToController(const Packet& p);
  int64_t NextEventMs() const;
  void SendFromController(Packet p);

  Rng rng_;
  std::ostream* trace_;
  ManualClock clock_;
  ClusterConfig config_;
  std::string knobs_;
  std::string dir_;
  SimDisk store_;
  std::unique_ptr<ctld::BlobStore> blobs_;
  SimAuth auth_;
  std::unique_ptr<ctld::ControllerCore> core_;
  uint32_t incarnation_ = 0;
  int64_t restart_at_ms_ = 0;
  int64_t last_iteration_ms_ = 0;
  // A crash armed for the current step.
  bool armed_ = false;
  CrashPoint armed_point_ = CrashPoint::kBetweenSteps;
  int64_t armed_down_ms_ = 0;
  bool armed_lose_blobs_ = false;
  int armed_after_inputs_ = 0;
  // Jobs whose blob was written since the last checkpoint (not yet synced).
  std::set<uint64_t> unsynced_blobs_;
  uint64_t max_committed_job_ = 0;
  uint32_t checkpoints_ = 0;

  SimNetwork net_;
  Invariants inv_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
  std::vector<Actor*> actors_;
  ReplyHandler reply_handler_;
  uint64_t next_client_rid_ = 1;
  uint64_t steps_ = 0;
};

}  // namespace herd::sim
