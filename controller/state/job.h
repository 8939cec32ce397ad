// herd — the controller's records: a job, a node's runtime state, a partition's state.
// Plain data, serialized into checkpoints. A job's script, arguments and environment are
// not held here (they live in the job's blob file, see store/blob_store.h): that keeps a
// pending job small in memory (see Job).
#pragma once

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/split_member.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/proto/step_messages.h"
#include "common/proto/types.h"
#include "controller/state/spec_record.h"
#include "controller/state/string_pool.h"

namespace herd::ctld {

using proto::JobSpec;
using proto::JobState;
using proto::NodeAlloc;

// Why a running job is being ended by the controller (the state it ends in).
enum class KillIntent : uint8_t { kNone = 0, kCancelled = 1, kTimeout = 2, kNodeFail = 3 };

// kLaunchFailed: requeued and held after its Prolog failed on a node, as Slurm holds it
// ("launch failed requeued held"); like a user's hold, its owner may release it.
enum class HoldKind : uint8_t { kNone = 0, kUser = 1, kAdmin = 2, kLaunchFailed = 3 };

// Why a pending job waits, as the last scheduling pass found (not persisted).
enum class PendingReason : uint8_t {
  kNone = 0,
  kResources,
  kPriority,
  kJobHeldUser,
  kJobHeldAdmin,
  kLaunchFailedRequeuedHeld,  // HoldKind::kLaunchFailed
  kPartitionDown,
  kPartitionInactive,
  kBadConstraints,
  kRequeued,                  // its previous run is still being killed on a node
  kDependency,                // --dependency not satisfied yet
  kDependencyNeverSatisfied,  // --dependency can no longer be satisfied
  kBeginTime,                 // --begin is still to come
  // Its partition, changed at runtime, no longer admits it (partition_rules.h).
  kPartitionTimeLimit,
  kPartitionNodeLimit,
  kPartitionConfig,
  kJobArrayTaskLimit,  // its array runs as many tasks as its throttle (%N) allows
  // Its association's or QOS's limits (AccountingStorageEnforce=limits; sched/assoc_limits.h).
  kAssocGrpJobsLimit,
  kAssocGrpCpuLimit,
  kAssocGrpMemLimit,
  kAssocGrpNodeLimit,
  kAssocMaxJobsLimit,
  kAssocMaxWallDurationPerJobLimit,
  kAssocMaxCpuPerJobLimit,
  kAssocMaxMemPerJobLimit,
  kAssocMaxNodePerJobLimit,
  kQosGrpJobsLimit,
  kQosGrpCpuLimit,
  kQosGrpMemLimit,
  kQosGrpNodeLimit,
  kQosMaxJobsPerUserLimit,
  kQosMaxWallDurationPerJobLimit,
  kQosMaxCpuPerJobLimit,
  kQosMaxMemoryPerJob,
  kQosMaxNodePerJobLimit,
  // Advance reservations (sched/backfill.h): its --reservation's window has not begun;
  // its reservation was deleted; the nodes it could run on now are reserved (MAINT).
  kReservation,
  kReservationDeleted,
  kResvNodesReserved,
  kResvNodesMaint,
};
const char* PendingReasonName(PendingReason r);

// What a step (or the batch script) used on one node, as the node measured it when its
// part ended (StepCompleteRequest::usage): for accounting.
struct NodeUsage {
  std::string node;
  proto::StepUsage usage;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& usage;
  }
};

// A job step started by hrun inside the job's allocation.
struct StepRecord {
  uint32_t step_id = 0;
  std::string name;
  JobState state = JobState::kRunning;  // RUNNING, then COMPLETED/FAILED/CANCELLED
  std::vector<proto::StepNode> layout;
  uint32_t num_tasks = 0;
  bool overlap = false;  // its cpus may be shared with other steps
  int64_t start_time = 0;
  int64_t end_time = 0;
  int32_t wait_status = 0;  // the highest of the nodes'
  std::vector<std::string> nodes_done;
  // StepCreateRequest::token and the step token handed out: a request sent again after a
  // failover gets this step's answer again. The LaunchStepRequest body, kept while the step
  // runs: a node that registers without the step and never confirmed its launch gets it
  // again (a restarted or new active controller has lost its outbox). (Version 1.)
  uint64_t client_token = 0;
  std::string launch_token;
  std::string launch_body;
  // The nodes that confirmed starting their part (LaunchConfirmed): never sent it again
  // (version 2).
  std::vector<std::string> confirmed;
  // What each node that reported usage measured, in the order they ended (version 3).
  std::vector<NodeUsage> usage;

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& step_id& name& state& layout& num_tasks& overlap& start_time& end_time& wait_status;
    ar& nodes_done;
    if (version >= 1) ar& client_token& launch_token& launch_body;
    if (version >= 2) ar& confirmed;
    if (version >= 3) ar& usage;
  }
};

// A job's record. Kept small, since a controller holds up to MaxJobCount of them and
// most are pending: strings are pooled handles, the spec has no script/argv/env (see
// SpecRecord), and fields are ordered so that no padding is left between them.
struct Job {
  uint64_t id = 0;
  uint64_t client_token = 0;  // SubmitJobRequest::token, for resent submissions
  // The token of the last cancel, hold or release applied to it: the same request sent
  // again after a failover is answered as the first was (version 3).
  uint64_t op_token = 0;
  PooledString user;
  PooledString partition;  // resolved
  PooledString reason;     // set when it ended (or "launch failed: ..."); pending reasons
                           // are computed by the scheduler
  SpecRecord spec;
  std::vector<NodeAlloc> alloc;
  std::vector<StepRecord> steps;  // of the current run
  // What the batch script used on its node, when the node measured it (version 6).
  std::vector<NodeUsage> usage;
  int64_t time_limit_s = -1;  // resolved (-1 unlimited)
  int64_t submit_time = 0;
  int64_t start_time = 0;
  int64_t end_time = 0;
  // Pending: when the scheduler's last pass expects it to start (its reservation); 0 when
  // it made none. Runtime only, like pending_reason.
  int64_t expected_start = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t run_seq = 0;  // +1 on every start
  uint32_t restarts = 0;
  uint32_t priority = 0;
  // Priority= set by an admin (hcontrol update): the job's priority whatever the factors
  // say; 0: computed (version 8).
  uint32_t admin_priority = 0;
  uint32_t next_step_id = 0;
  int32_t wait_status = 0;  // of the batch script
  JobState state = JobState::kPending;
  HoldKind hold = HoldKind::kNone;
  KillIntent intent = KillIntent::kNone;
  PendingReason pending_reason = PendingReason::kNone;  // runtime only
  // Runtime, derived from the state (state/depend.h): kNone, or why it may not start yet
  // whatever the resources (kDependency, kDependencyNeverSatisfied, kBeginTime).
  PendingReason wait = PendingReason::kNone;
  // PrologSlurmctld of the current run has not succeeded yet: the job shows CONFIGURING
  // and its batch script is not launched. EpilogSlurmctld of the ended run has not ended
  // yet: it shows COMPLETING and stays. (CtldHookOwed, CtldHookDone; version 13;
  // controller/ctld_hooks.h.)
  bool ctld_prolog_owed = false;
  bool ctld_epilog_owed = false;
  // Requeued while its previous run (kill_wait_run) may still be alive on kill_wait_node:
  // it does not start again until that node confirms the run is gone. The node and run
  // are persisted (from JobRequeued) so that a recovered or new active controller waits
  // too; awaiting_kill is the runtime flag the scheduler reads.
  uint32_t kill_wait_run = 0;
  bool awaiting_kill = false;
  // The batch host confirmed starting the current run's batch step (LaunchConfirmed): the
  // launch is never sent again; a node that lost it lost the run (version 4).
  bool launch_confirmed = false;
  // Finished, and its final record is in the accounting database (AcctStored; version 5).
  bool acct_stored = false;
  PooledString kill_wait_node;
  // A job array (version 7; doc/arrays.md). array_job_id 0: not one. The array's record
  // (id == array_job_id, task kNoArrayTask) holds the tasks not started yet in
  // array_pending; each started task is a record of its own with its task id (the last
  // task started is the array's record itself, as in Slurm). The throttle (%N, 0 = none)
  // is the array record's.
  uint64_t array_job_id = 0;
  uint32_t array_task_id = proto::kNoArrayTask;
  uint32_t array_throttle = 0;
  std::vector<proto::ArrayRange> array_pending;
  // Finished, and still COMPLETING (CG): the nodes whose Epilog has not reported its end
  // (JobCompleting, EpilogNodeDone; version 10). While it is not empty the job keeps its
  // resources on its nodes (doc/enforce.md).
  std::vector<std::string> completing;

  // The array's pending remainder (it still has tasks to start).
  bool IsArrayRemainder() const { return !array_pending.empty(); }
  // The job whose blob holds its script: an array's tasks share the array's.
  uint64_t blob_id() const { return array_job_id != 0 ? array_job_id : id; }

  template <class A>
  void serialize(A& ar, unsigned version) {
    // Version 0 held a whole JobSpec (script included). Checkpoints and journals written
    // by it are refused (the decoder turns this into an error) rather than misread.
    if (version < 1) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::unsupported_class_version, "Job");
    }
    ar& id& uid& gid& user& spec& partition& time_limit_s& state& reason& hold& run_seq;
    ar& restarts& submit_time& start_time& end_time& wait_status& alloc& intent& priority;
    ar& steps& next_step_id;
    if (version >= 2) ar& kill_wait_node& kill_wait_run& client_token;
    if (version >= 3) ar& op_token;
    if (version >= 4) ar& launch_confirmed;
    if (version >= 5) ar& acct_stored;
    if (version >= 6) ar& usage;
    if (version >= 7) ar& array_job_id& array_task_id& array_throttle& array_pending;
    if (version >= 8) ar& admin_priority;
    if (version >= 10) ar& completing;
    if (version >= 13) ar& ctld_prolog_owed& ctld_epilog_owed;
  }

  const StepRecord* FindStep(uint32_t step_id) const {
    for (const auto& s : steps) {
      if (s.step_id == step_id) return &s;
    }
    return nullptr;
  }
};

// The state queries show: a finished job whose Epilogs (or EpilogSlurmctld) have not all
// ended is COMPLETING (its record keeps the state it ended in, which accounting has); a
// running one whose PrologSlurmctld has not succeeded yet is CONFIGURING.
inline JobState ShownState(const Job& j) {
  if (!j.completing.empty() || j.ctld_epilog_owed) return JobState::kCompleting;
  if (j.ctld_prolog_owed && j.state == JobState::kRunning) return JobState::kConfiguring;
  return j.state;
}

// A change of a node's state, kept for accounting until the database has it (the node's
// record is journaled and checkpointed, so a restart or failover loses none).
struct NodeChange {
  uint64_t seq = 0;  // per node, from 1
  int64_t time = 0;
  bool down = false;
  bool drain = false;
  std::string reason;
  uint32_t reason_uid = 0;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& seq& time& down& drain& reason& reason_uid;
  }
};

// A node's values set at runtime over herd.conf's; a flag per value says it is set.
struct NodeOverrides {
  bool has_weight = false;
  bool has_features = false;
  bool has_active = false;
  bool has_gres = false;
  uint32_t weight = 1;
  std::vector<std::string> features;         // AvailableFeatures
  std::vector<std::string> active_features;  // ActiveFeatures (a subset of those)
  std::string gres;

  bool empty() const { return !has_weight && !has_features && !has_active && !has_gres; }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& has_weight& has_features& has_active& has_gres& weight& features& active_features& gres;
  }
};

// What the controller keeps about a node: admin state is persisted, the rest is learned
// from the node daemon at run time.
struct NodeRecord {
  // Persisted.
  std::string name;
  bool admin_down = false;           // DOWN by an admin or by the controller (not responding)
  bool down_not_responding = false;  // DOWN because it went silent (ReturnToService=1 clears)
  bool drain = false;
  std::string reason;
  int64_t reason_time = 0;
  // Who set the reason (uid; 0 = the controller or root) (version 1).
  uint32_t reason_uid = 0;
  // With accounting: the changes the database does not have yet, and the last change's
  // sequence number (version 1).
  std::vector<NodeChange> acct_pending;
  uint64_t acct_seq = 0;
  // State=FAIL: takes no new work, its jobs run on (FAILING while they do) (version 2).
  bool fail = false;
  // Values an admin set at runtime over herd.conf's (hcontrol update NodeName=), each
  // kept while it differs from herd.conf's (doc/admin.md) (version 2).
  NodeOverrides overrides;

  // Runtime (not persisted).
  bool registered = false;
  int64_t last_heard_ms = 0;  // monotonic; any sign of life counts (see must_register_ms)
  // The last accepted contact (registration accepted, heartbeat answered OK): the node's
  // lease (NodeLease) counts from about then. Monotonic.
  int64_t contact_ms = 0;
  // Since when its heartbeats are answered "must register" (-1: registered, or none came):
  // such heartbeats count as signs of life for NodeTimeout from then, not forever.
  int64_t must_register_ms = -1;
  // The highest controller epoch the node reports having seen, when above this
  // controller's: it refuses this controller's answers (fenced). 0 = not fenced.
  uint64_t fenced_epoch = 0;
  // When the jobs of this lost node may be taken for gone and requeued or ended
  // (contact_ms + LostNodeDelayMs); 0 = not lost.
  int64_t jobs_lost_at_ms = 0;
  int64_t last_heartbeat = 0;  // wall clock, for display
  int64_t boot_time = 0;
  proto::HwInventory hw;
  std::string version;
  std::vector<bool> cpu_used;  // per configured cpu
  uint64_t mem_used_mb = 0;
  uint32_t jobs = 0;  // running jobs on it
  // Runs (job id, run_seq) this node was told to kill and has not yet confirmed gone: new
  // work waits until they are, so cpus are never handed out while old processes live.
  // Value: monotonic ms after which the controller stops waiting (and logs it).
  std::map<std::pair<uint64_t, uint32_t>, int64_t> pending_kills;

  template <class A>
  void serialize(A& ar, unsigned class_version) {
    ar& name& admin_down& down_not_responding& drain& reason& reason_time;
    if (class_version >= 1) ar& reason_uid& acct_pending& acct_seq;
    if (class_version >= 2) ar& fail& overrides;
  }
};

// A partition: its definition (herd.conf's, or the last one an admin gave at runtime) and
// whether an admin changed it since herd.conf said so. doc/admin.md has the rule by which
// runtime changes and herd.conf meet at a restart.
struct PartitionRecord {
  PartitionConfig def;
  bool runtime = false;     // created or changed by hcontrol, unlike herd.conf's (version 1)
  bool state_only = false;  // read from a version 0 record: `def.state` alone (not saved)

  template <class A>
  void save(A& ar, unsigned) const {
    std::string state = PartitionStateName(def.state);
    auto st = static_cast<uint8_t>(def.state);
    ar& def.name& state;
    ar& def.nodes& def.is_default& def.max_time_s& def.default_time_s& st& def.max_nodes;
    ar& def.min_nodes& def.priority& runtime;
    ar& def.priority_job_factor;
  }
  template <class A>
  void load(A& ar, unsigned version) {
    std::string state;
    ar& def.name& state;
    // Version 0 kept the state only (hcontrol could change nothing else): the rest
    // comes from herd.conf (ClusterState::Restore).
    auto parsed = ParsePartitionState(state);
    def.state = parsed.ok() ? *parsed : PartitionState::kUp;
    state_only = version < 1;
    if (state_only) return;
    uint8_t st = 0;
    ar& def.nodes& def.is_default& def.max_time_s& def.default_time_s& st& def.max_nodes;
    ar& def.min_nodes& def.priority& runtime;
    if (version >= 2) ar& def.priority_job_factor;  // PriorityJobFactor (version 2)
    def.state = static_cast<PartitionState>(st);
  }
  BOOST_SERIALIZATION_SPLIT_MEMBER()
};

}  // namespace herd::ctld

BOOST_CLASS_VERSION(herd::ctld::Job, 13)
BOOST_CLASS_VERSION(herd::ctld::StepRecord, 3)
BOOST_CLASS_VERSION(herd::ctld::NodeRecord, 2)
BOOST_CLASS_VERSION(herd::ctld::PartitionRecord, 2)
