// herd sim — a simulated node daemon (herdd together with the step daemons it starts),
// speaking the real protocol: it registers with the steps it runs or has finished
// unacknowledged, heartbeats every HeartbeatInterval, "runs" a batch script for as long as
// its `sleep <seconds>` line says (and exits with its `exit <code>`), reports the end until
// a reply comes, ends a job early on TerminateJobRequest (most scripts die of the SIGTERM
// within a fraction of a second, some ignore it and are killed after KillWait), and
// registers again when a heartbeat is answered kNotFound. Its jobs outlive a controller
// crash; a power-off kills them. With two controllers it talks to the one it believes
// active: a NotActiveReply naming the other sends it there, one without a name or a call
// that times out makes it try the other; it refuses controller requests whose epoch is
// below the highest it has seen (fencing), and its requests carry that epoch. Like herdd,
// it holds a lease (NodeLease): without an accepted answer (registration, heartbeat OK)
// for that long, it stops its runs itself and reports them NodeLeaseExpired before it
// registers again.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/proto/codec.h"
#include "common/proto/ha_messages.h"
#include "testsuite/sim/rng.h"

namespace herd::sim {

// One execution of a batch script, as the node saw it; the invariants compare these with
// what the controller claims.
struct RunEvent {
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  size_t node = 0;
  std::vector<uint32_t> cpus;  // this node's cpus in the launch's allocation
  std::string batch_host;      // first node of the launch's allocation
  bool has_script = true;      // the launch carried the script text
  int64_t time_ms = 0;         // of the start, or of the end
  int32_t wait_status = 0;     // at the end
  bool natural = false;        // at the end: the script ran to its last line
  uint32_t boot = 0;           // the node's boot count when it started
};

// What a node needs from the world around it.
class NodeHost {
 public:
  virtual ~NodeHost() = default;
  virtual int64_t NowMs() const = 0;
  virtual int64_t NowSeconds() const = 0;
  // A request (register, heartbeat, completion) from node `node` to controller `ctl`.
  virtual void NodeRequest(size_t node, size_t ctl, std::string bytes) = 0;
  // The node's answer to a request of controller incarnation `incarnation`.
  virtual void NodeAnswer(size_t node, uint64_t incarnation, std::string bytes) = 0;
  virtual void RunStarted(const RunEvent& e) = 0;
  virtual void RunEnded(const RunEvent& e) = 0;
  // A controller told the node to kill a live run (terminate or a registration's kill
  // list), in the request or reply being handled.
  virtual void RunKillOrdered(size_t node, uint64_t job_id, uint32_t run_seq) = 0;
  virtual void Trace(const std::string& line) = 0;
  virtual Rng& rng() = 0;
};

class SimNode {
 public:
  SimNode(size_t index, const NodeConfig& conf, const ClusterConfig& cluster, NodeHost& host);

  void PowerOn();   // boots with a new boot time and no jobs, then registers
  void PowerOff();  // the node and everything running on it are gone
  bool powered() const { return powered_; }
  bool registered() const { return registered_; }
  const std::string& name() const { return conf_.name; }
  uint32_t boots() const { return boots_; }

  // A request from the controller (delivered by the network), answered through the host.
  void OnRequest(const proto::Frame& f, uint64_t incarnation);
  // The controller's reply to one of this node's requests.
  void OnReply(const proto::Frame& f);
  // Runs the timers that are due.
  void Wake();
  int64_t NextWakeMs() const;  // INT64_MAX when nothing is scheduled
  size_t live_runs() const;
  size_t controller() const { return ctl_; }  // the one it believes active
  uint64_t max_epoch() const { return max_epoch_; }

 private:
  using RunKey = std::pair<uint64_t, uint32_t>;  // job id, run_seq
  struct Run {
    std::vector<uint32_t> cpus;
    std::string batch_host;
    int64_t end_ms = 0;  // natural end while it runs
    int32_t exit_code = 0;
    int64_t kill_at_ms = INT64_MAX;  // signalled: when it dies of it
    int32_t kill_status = 0;
    bool finished = false;
    int32_t wait_status = 0;
    int64_t end_time_s = 0;
    int64_t next_report_ms = 0;  // when the completion is (re)sent
    int64_t backoff_ms = 100;
    uint64_t report_rid = 0;     // completion request in flight
    bool lease_stopped = false;  // stopped for the node's lease
  };
  enum class Call : uint8_t { kRegister, kHeartbeat, kComplete };
  struct Outstanding {
    Call call = Call::kRegister;
    RunKey run{0, 0};
    int64_t deadline_ms = 0;
    size_t ctl = 0;  // the controller it went to
  };

  template <class T>
  uint64_t Send(const T& msg, Call call, RunKey run, int64_t timeout_ms);
  Status Dispatch(const proto::Frame& f);
  Status OnLaunch(const std::string& body);
  Status OnTerminate(const std::string& body);
  void Signal(Run& r, uint32_t kill_wait_s);
  void EndRun(const RunKey& key, Run& r, int32_t wait_status, bool natural);
  void SendRegister();
  // Stops the live runs when the lease has run out; true while a stopped run's completion
  // is still to be delivered (registration waits for it, as herdd's does).
  bool EnforceLease(int64_t now);
  void SendCompletion(const RunKey& key, Run& r);
  void OnRegisterReply(const proto::Frame& f);
  void Expire(uint64_t rid, const Outstanding& o);
  void Log(const std::string& what);
  // Follows a NotActiveReply; true when `f` was one.
  bool FollowNotActive(const proto::Frame& f);
  void TryOtherController(const char* why);

  size_t index_;
  NodeConfig conf_;
  const ClusterConfig& cluster_;
  NodeHost& host_;
  bool powered_ = false;
  uint32_t boots_ = 0;
  int64_t boot_time_ = 0;
  bool registered_ = false;
  int64_t next_register_ms_ = 0;
  int64_t next_heartbeat_ms_ = 0;
  uint64_t heartbeat_seq_ = 0;
  uint64_t max_epoch_ = 0;
  int64_t contact_ms_ = 0;  // the last accepted answer: the lease runs from it
  size_t ctl_ = 0;          // the controller requests go to
  int64_t last_switch_ms_ = INT64_MIN / 2;
  uint64_t next_rid_ = 1;
  std::map<RunKey, Run> runs_;
  std::map<uint64_t, Outstanding> outstanding_;  // by request id
};

// Reads the simulated behaviour from a batch script: `sleep <s>` lines add up to the run
// time, `exit <n>` sets the exit code. Returns false when there is no script at all.
bool ParseSimScript(const std::string& script, int64_t* run_ms, int32_t* exit_code);

}  // namespace herd::sim
