// herd sim — the properties a simulation checks after every step, and the record of what
// the simulated nodes really ran. The controllers' side is read after each durable flush
// (so it is exactly what is committed), per controller; the nodes' side arrives as run
// events. A violation is kept with its virtual time; a note records something worth
// knowing that the design allows (e.g. a run left on a node cut off from the network).
//
// With two controllers each has its own view (what it committed, active or passive);
// the checks of scheduling (resources, endings, pending reasons) and of acknowledged
// submissions apply to the controller that is writable, and a kill ordered by a
// controller must have a reason in that controller's state (not a failover).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "controller/state/cluster_state.h"
#include "testsuite/sim/sim_node.h"

namespace herd::sim {

struct Violation {
  int64_t time_ms = 0;
  std::string what;
};

// What really happened to one (job id, run_seq), from the nodes.
struct RunRecord {
  size_t node = 0;
  int64_t start_ms = 0;
  int64_t end_ms = -1;  // -1 while it runs
  int32_t wait_status = 0;
  bool natural = false;
  uint32_t boot = 0;
  std::vector<uint32_t> cpus;
};

class Invariants {
 public:
  explicit Invariants(const ClusterConfig& config) : config_(config), views_(1) {}

  // Nodes. `lost_ms`: per node, the last time it was cut off from the network or declared
  // dead by a controller (now while it is), INT64_MIN if never. A run on a node lost
  // after the run started is an orphan the controller gave up on.
  void OnRunStarted(const RunEvent& e, const std::vector<int64_t>& lost_ms);
  void OnRunEnded(const RunEvent& e);
  // Clients: a SubmitJobReply with this id was delivered, from controller `ctl`.
  void OnSubmitAcked(uint64_t job_id, int64_t now_ms, size_t ctl = 0);
  // Controller `ctl` told `node` to kill live run job.run_seq: it must have a reason
  // (the job ended, was cancelled, timed out, or was requeued after a node fault).
  void OnKillOrdered(size_t ctl, size_t node, uint64_t job_id, uint32_t run_seq, int64_t now_ms);

  // After a durable flush of controller `ctl`: the state is what is committed.
  // `writable`: it is the active controller and may change state.
  void AfterCommit(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s, size_t ctl = 0,
                   bool writable = true);
  // The controller installed the active's whole state (durable at once).
  void AfterInstall(const ctld::ClusterState& s, size_t ctl);
  // After Recover(): the recovered state must equal the last committed one.
  void AfterRecover(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s, size_t ctl = 0);
  // A failure found outside these checks (e.g. recovery refused to start).
  void Report(int64_t now_ms, const std::string& what) { Fail(now_ms, what); }
  // Liveness, when the workload and the faults are over: every job has ended.
  bool AllFinished() const;
  void CheckAllFinished(int64_t now_ms);

  const std::vector<Violation>& violations() const { return violations_; }
  const std::vector<Violation>& notes() const { return notes_; }
  const std::map<std::pair<uint64_t, uint32_t>, std::vector<RunRecord>>& runs() const {
    return runs_;
  }
  // Jobs the controller has had, in their last committed form.
  struct JobView {
    proto::JobState state = proto::JobState::kPending;
    uint32_t run_seq = 0;
    std::vector<proto::NodeAlloc> alloc;
    ctld::HoldKind hold = ctld::HoldKind::kNone;
    ctld::KillIntent intent = ctld::KillIntent::kNone;
    uint32_t restarts = 0;
    int64_t submit_time = 0;
    int64_t end_time = 0;
    std::string reason;
  };
  // The jobs as the controller that was writable last committed them.
  const std::map<uint64_t, JobView>& jobs() const { return views_[latest_].jobs; }
  size_t acked() const { return acked_total_; }

 private:
  void Fail(int64_t now_ms, const std::string& what);
  void Note(int64_t now_ms, const std::string& what);
  struct View {
    std::map<uint64_t, JobView> jobs;  // last committed state of every job seen
    std::set<uint64_t> forgotten;      // finished, then forgotten after MinJobAge
  };
  View& Ctl(size_t ctl);
  bool ForgottenInTime(uint64_t job, int64_t now_s) const;
  void CheckAcked(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s);
  void CheckResources(const ctld::ClusterState& s, int64_t now_ms);
  void CheckEndings(const View& view, const ctld::ClusterState& s, int64_t now_ms);
  void CheckPendingReasons(const ctld::ClusterState& s, int64_t now_ms);
  void CheckNodeCpus(int64_t now_ms);
  static JobView ViewOf(const ctld::Job& j);

  const ClusterConfig& config_;
  std::vector<View> views_;                // per controller
  size_t latest_ = 0;                      // the controller that committed as the writable one last
  std::map<uint64_t, int64_t> end_times_;  // of every finished job seen by any controller
  std::set<uint64_t> acked_;               // acknowledged to a client, still checked
  size_t acked_total_ = 0;
  std::map<std::pair<uint64_t, uint32_t>, std::vector<RunRecord>> runs_;
  std::map<uint64_t, int> live_runs_of_job_;  // runs of a job alive on some node
  std::vector<Violation> violations_;
  std::vector<Violation> notes_;
  std::set<std::string> reported_;  // one message per distinct problem
};

}  // namespace herd::sim
