// herd — the events that change the controller's state. Each is a journal record
// (type number + Boost.Serialization body); ClusterState::Apply is the only code that
// changes state, so replaying the journal rebuilds exactly what was acknowledged.
// Type numbers are never reused.
#pragma once

#include <boost/serialization/utility.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/proto/assoc.h"
#include "common/proto/reservation.h"
#include "controller/state/job.h"

namespace herd::ctld {

enum class EventType : uint16_t {
  kJobSubmitted = 1,
  kJobStarted = 2,
  kJobEnded = 3,
  kJobRequeued = 4,
  kJobHold = 5,
  kJobKillIntent = 6,
  kNodeUpdated = 7,
  kPartitionUpdated = 8,
  kStepStarted = 9,
  kStepNodeEnded = 10,
  kLaunchConfirmed = 11,
  kAcctStored = 12,
  kJobUpdated = 13,
  kPartitionDefined = 14,
  kPartitionDeleted = 15,
  kAuditRecorded = 16,
  kAssocDefined = 17,
  kAssocDeleted = 18,
  kJobRequeueAsked = 19,
  kReservationDefined = 21,
  kReservationDeleted = 22,
  kArrayTasksSplit = 23,
  kJobCompleting = 25,
  kEpilogNodeDone = 26,
  kCtldHookOwed = 24,
  kCtldHookDone = 27,
};

// The job with its script, arguments and environment: the journal is what makes a
// submission durable. Only `job` is kept in memory; the rest goes to the job's blob file.
struct JobSubmitted {
  static constexpr EventType kType = EventType::kJobSubmitted;
  Job job;
  std::string script;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job& script& argv& env;
  }
};

// job_id starts. For an array's pending remainder (version 1): its task array_task_id
// starts, as the new record task_job_id (or the array's record itself, task_job_id ==
// job_id, for its last task) -- one record, so a task is never lost or started twice.
struct JobStarted {
  static constexpr EventType kType = EventType::kJobStarted;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  int64_t start_time = 0;
  std::vector<NodeAlloc> alloc;
  uint64_t task_job_id = 0;  // 0: not an array task split off
  uint32_t array_task_id = proto::kNoArrayTask;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& run_seq& start_time& alloc;
    if (version >= 1) ar& task_job_id& array_task_id;
  }
  // The record that runs.
  uint64_t started_id() const { return task_job_id != 0 ? task_job_id : job_id; }
};

struct JobEnded {
  static constexpr EventType kType = EventType::kJobEnded;
  uint64_t job_id = 0;
  JobState state = JobState::kCompleted;
  int32_t wait_status = 0;
  int64_t end_time = 0;
  std::string reason;
  uint64_t token = 0;  // of the cancel that ended it (Job::op_token), else 0 (version 1)
  // What the batch script used on its node, if the node measured it (version 2).
  proto::StepUsage usage;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& state& wait_status& end_time& reason;
    if (version >= 1) ar& token;
    if (version >= 2) ar& usage;
  }
};

// A running job goes back to pending (its node failed); it will start again with
// run_seq + 1.
struct JobRequeued {
  static constexpr EventType kType = EventType::kJobRequeued;
  uint64_t job_id = 0;
  std::string reason;
  // The old run may still be alive on this node (its batch host, which did not fail):
  // the job does not start again until the node confirms the run is gone. Journaled, so
  // that a recovered controller or a new active keeps waiting too. "" = nothing to wait for.
  std::string wait_node;
  uint32_t wait_run = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& reason& wait_node& wait_run;
  }
};

// hcontrol requeue|requeuehold (or scontrol's): a running or finished batch job goes back
// to PENDING with the same id, Restarts + 1, eligible again `kRequeueBeginDelayS` after
// `time` as in Slurm, and submitted anew at `time`. Its old run is waited for as
// JobRequeued's (wait_node, wait_run). `hold`: requeuehold's hold (kNone: requeue).
struct JobRequeueAsked {
  static constexpr EventType kType = EventType::kJobRequeueAsked;
  uint64_t job_id = 0;
  HoldKind hold = HoldKind::kNone;
  int64_t time = 0;
  uint64_t token = 0;  // of the request (Job::op_token)
  std::string wait_node;
  uint32_t wait_run = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& hold& time& token& wait_node& wait_run;
  }
};

// Slurm makes a requeued job eligible again 121 s after the requeue (its EligibleTime;
// Reason=BeginTime meanwhile); `hcontrol update JobId= StartTime=now` lifts it.
inline constexpr int64_t kRequeueBeginDelayS = 121;
// The reason a job requeued held shows until released (scontrol shows spaces as '_').
inline constexpr const char* kRequeuedHeldReason = "job requeued in held state";

struct JobHold {
  static constexpr EventType kType = EventType::kJobHold;
  uint64_t job_id = 0;
  HoldKind hold = HoldKind::kNone;  // kNone = release
  uint64_t token = 0;               // of the request (Job::op_token) (version 1)
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& hold;
    if (version >= 1) ar& token;
  }
};

struct JobKillIntent {
  static constexpr EventType kType = EventType::kJobKillIntent;
  uint64_t job_id = 0;
  KillIntent intent = KillIntent::kNone;
  uint64_t token = 0;  // of the cancel (Job::op_token), else 0 (version 1)
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& intent;
    if (version >= 1) ar& token;
  }
};

struct NodeUpdated {
  static constexpr EventType kType = EventType::kNodeUpdated;
  std::string name;
  bool down = false;
  bool down_not_responding = false;
  bool drain = false;
  std::string reason;
  int64_t time = 0;
  uint32_t reason_uid = 0;  // who asked (hcontrol update's caller); 0: the controller (version 1)
  // hcontrol update NodeName=: `fail` and `overrides` are the node's from now on; without
  // it (the controller's own updates, earlier versions) the node keeps its own (version 2).
  bool admin_fields = false;
  bool fail = false;
  NodeOverrides overrides{};
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& down& down_not_responding& drain& reason& time;
    if (version >= 1) ar& reason_uid;
    if (version >= 2) ar& admin_fields& fail& overrides;
  }
};

struct PartitionUpdated {
  static constexpr EventType kType = EventType::kPartitionUpdated;
  std::string name;
  std::string state;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& state;
  }
};

// hcontrol create|update partition: the whole definition as it is from now on (replaying
// it needs no rule of its own).
struct PartitionDefined {
  static constexpr EventType kType = EventType::kPartitionDefined;
  PartitionRecord partition;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& partition;
  }
};

struct PartitionDeleted {
  static constexpr EventType kType = EventType::kPartitionDeleted;
  std::string name;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name;
  }
};

// hcontrol create|update reservation: the whole reservation as it is from now on.
struct ReservationDefined {
  static constexpr EventType kType = EventType::kReservationDefined;
  proto::Reservation resv;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& resv;
  }
};

// hcontrol delete reservation, or the controller forgetting one that ended.
struct ReservationDeleted {
  static constexpr EventType kType = EventType::kReservationDeleted;
  std::string name;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name;
  }
};

// One record of the audit trail (proto::AuditRecord); its seq is given when applied.
struct AuditRecorded {
  static constexpr EventType kType = EventType::kAuditRecorded;
  proto::AuditRecord entry;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& entry;
  }
};

// hacctmgr add|modify: one account, user or QOS as it is from now on (by `kind`, the
// other two records stay empty), so that replaying it needs no rule of its own.
struct AssocDefined {
  static constexpr EventType kType = EventType::kAssocDefined;
  proto::AssocKind kind = proto::AssocKind::kAccount;
  proto::AccountRecord account;
  proto::UserRecord user;
  proto::QosRecord qos;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& kind& account& user& qos;
  }
};

// hacctmgr delete: the account, user or QOS is gone (an account's users lose it).
struct AssocDeleted {
  static constexpr EventType kType = EventType::kAssocDeleted;
  proto::AssocKind kind = proto::AssocKind::kAccount;
  std::string name;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& kind& name;
  }
};

// Pending tasks of an array's remainder become pending records of their own (a cancel or
// hold named them by task id), each `tasks[i].first` as the record `tasks[i].second`; the
// last task of the remainder takes the array's record itself (as JobStarted's split). One
// record, so a task is neither lost nor doubled by a kill -9 or a failover in between.
struct ArrayTasksSplit {
  static constexpr EventType kType = EventType::kArrayTasksSplit;
  uint64_t array_job_id = 0;
  std::vector<std::pair<uint32_t, uint64_t>> tasks;  // task id, its record's job id
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& array_job_id& tasks;
  }
};

struct StepStarted {
  static constexpr EventType kType = EventType::kStepStarted;
  uint64_t job_id = 0;
  StepRecord step;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& step;
  }
};

// One node of a step has finished its tasks; the step ends when all its nodes have.
struct StepNodeEnded {
  static constexpr EventType kType = EventType::kStepNodeEnded;
  uint64_t job_id = 0;
  uint32_t step_id = 0;
  std::string node;
  int32_t wait_status = 0;
  int64_t time = 0;
  bool cancelled = false;  // the step was ended by a signal from hrun or the controller
  proto::StepUsage usage;  // what it used on the node, if measured (version 1)
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& step_id& node& wait_status& time& cancelled;
    if (version >= 1) ar& usage;
  }
};

// A node confirmed that it started a run's batch step (step_id kBatchStep) or its part of a
// job step. Journaled, so that neither a restarted controller nor a new active sends that
// launch again to a node that lost it (a job must not run twice).
struct LaunchConfirmed {
  static constexpr EventType kType = EventType::kLaunchConfirmed;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  uint32_t step_id = proto::kBatchStep;
  std::string node;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& step_id& node;
  }
};

// The accounting database has stored the final record of these finished jobs (see
// controller/acct/): they may now be forgotten after MinJobAge. Until then a finished
// job stays in the state, so a record not yet stored survives a restart or a failover.
struct AcctStored {
  static constexpr EventType kType = EventType::kAcctStored;
  std::vector<uint64_t> job_ids;
  // Node changes stored: each node's, up to this sequence number (version 1).
  std::vector<std::pair<std::string, uint64_t>> node_changes;
  bool empty() const { return job_ids.empty() && node_changes.empty(); }
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_ids;
    if (version >= 1) ar& node_changes;
  }
};

// scontrol update JobId=: the job's values of every field an update may change after it
// (the unchanged ones as they were), so that replaying it needs no rule of its own.
struct JobUpdated {
  static constexpr EventType kType = EventType::kJobUpdated;
  uint64_t job_id = 0;
  std::string name;
  std::string partition;  // resolved
  int64_t time_limit_s = -1;
  int32_t nice = 0;
  uint32_t priority = 0;
  uint32_t min_nodes = 0;
  uint32_t max_nodes = 0;
  uint32_t num_tasks = 0;
  std::string nodelist;
  std::string exclude;
  std::vector<std::string> constraints;
  // A job array's throttle (%N; 0: none), -1: not an array's (version 1).
  int64_t array_throttle = -1;
  uint32_t admin_priority = 0;  // Priority= set by an admin; 0: computed (version 2)
  // StartTime= (the job's --begin, 0: none), -1: unchanged (before version 3).
  int64_t begin_time = -1;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& name& partition& time_limit_s& nice& priority& min_nodes& max_nodes& num_tasks;
    ar& nodelist& exclude& constraints;
    if (version >= 1) ar& array_throttle;
    if (version >= 2) ar& admin_priority;
    if (version >= 3) ar& begin_time;
  }
};

// A job that just ended (JobEnded in the same batch) stays COMPLETING until the Epilog of
// each of `nodes` has reported its end; its resources stay allocated until then.
struct JobCompleting {
  static constexpr EventType kType = EventType::kJobCompleting;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  std::vector<std::string> nodes;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& nodes;
  }
};

// The Epilog of `node` for a completing run ended (or the node went DOWN, `node_down`):
// the last one ends the job's COMPLETING and frees its resources.
struct EpilogNodeDone {
  static constexpr EventType kType = EventType::kEpilogNodeDone;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  std::string node;
  bool node_down = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& node& node_down;
  }
};

// PrologSlurmctld (epilog = false) of run `run_seq` of the job, or its EpilogSlurmctld
// (epilog = true), is to run: the active controller runs it (controller/ctld_hooks.h), a
// restarted or new active one runs it again until CtldHookDone is journaled. Journaled in
// the batch of the job's start (JobStarted) or end (JobEnded).
struct CtldHookOwed {
  static constexpr EventType kType = EventType::kCtldHookOwed;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  bool epilog = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& epilog;
  }
};

// The owed PrologSlurmctld or EpilogSlurmctld ended (wait_status; reason: how it failed,
// "" when it succeeded): never run again.
struct CtldHookDone {
  static constexpr EventType kType = EventType::kCtldHookDone;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  bool epilog = false;
  int32_t wait_status = 0;
  std::string reason;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& epilog& wait_status& reason;
  }
};

}  // namespace herd::ctld

BOOST_CLASS_VERSION(herd::ctld::JobStarted, 1)
BOOST_CLASS_VERSION(herd::ctld::JobUpdated, 3)
BOOST_CLASS_VERSION(herd::ctld::JobEnded, 2)
BOOST_CLASS_VERSION(herd::ctld::StepNodeEnded, 1)
BOOST_CLASS_VERSION(herd::ctld::NodeUpdated, 2)
BOOST_CLASS_VERSION(herd::ctld::AcctStored, 1)
BOOST_CLASS_VERSION(herd::ctld::JobHold, 1)
BOOST_CLASS_VERSION(herd::ctld::JobKillIntent, 1)
