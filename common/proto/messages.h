// herd — every message on the wire. Each struct names its MsgType; numbers are never
// reused. Requests carry a MUNGE credential in the envelope; replies do not.
// Protocol rules: doc/design.md §3 and doc/processes.md ("Messages").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/assoc.h"
#include "common/proto/reservation.h"
#include "common/proto/types.h"

namespace herd::proto {

enum class MsgType : uint16_t {
  kInvalid = 0,
  // Generic reply: status code + message (errors, plain acknowledgments).
  kStatusReply = 1,
  kUnsupportedReply = 2,
  // "I am not the active controller; the active one is ..." (ha_messages.h).
  kNotActiveReply = 3,
  // Commands -> controller.
  kSubmitJobRequest = 100,
  kSubmitJobReply = 101,
  kCancelJobsRequest = 102,
  kCancelJobsReply = 103,
  kQueryJobsRequest = 104,
  kQueryJobsReply = 105,
  kQueryNodesRequest = 106,
  kQueryNodesReply = 107,
  kQueryPartitionsRequest = 108,
  kQueryPartitionsReply = 109,
  kQueryConfigRequest = 110,
  kQueryConfigReply = 111,
  kUpdateNodeRequest = 112,
  kUpdatePartitionRequest = 113,
  kHoldJobsRequest = 114,  // hold and release
  kPingRequest = 115,
  kStepCreateRequest = 116,
  kStepCreateReply = 117,
  kAllocationDoneRequest = 118,
  kQueryStepsRequest = 119,
  kQueryStepsReply = 120,
  kHaStatusRequest = 121,  // who is active, epoch, replication lag (ha_messages.h)
  kHaStatusReply = 122,
  kTakeoverRequest = 123,     // hcontrol takeover: hand the active role to the other
  kQueryJobsPageReply = 124,  // one page of a paged QueryJobsRequest
  kUpdateJobRequest = 125,    // scontrol update JobId=: answered by a StatusReply
  kQueryAuditRequest = 126,   // hcontrol show audit
  kQueryAuditReply = 127,
  kAssocUpdateRequest = 128,  // hacctmgr add|modify|delete account|user|qos
  kAssocUpdateReply = 129,
  kQueryAssocRequest = 130,  // hacctmgr list account|user|qos|assoc
  kQueryAssocReply = 131,
  kQueryPriorityRequest = 132,  // hprio: pending jobs' priority factors
  kQueryPriorityReply = 133,
  kQueryShareRequest = 134,  // hshare: the fair-share tree
  kQueryShareReply = 135,
  kRequeueJobsRequest = 136,  // hcontrol requeue|requeuehold: answered by a CancelJobsReply
  kUpdateReservationRequest = 140,  // hcontrol create|update|delete reservation
  kQueryReservationsRequest = 141,  // hcontrol show reservation, hinfo -T
  kQueryReservationsReply = 142,
  // Node daemons and step daemons -> controller.
  kRegisterNodeRequest = 200,
  kRegisterNodeReply = 201,
  kHeartbeatRequest = 202,
  kStepCompleteRequest = 203,
  kEpilogCompleteRequest = 144,  // a node's Epilog of a job run ended (COMPLETING)
  // Controller -> node daemon.
  kLaunchBatchRequest = 300,
  kSignalJobRequest = 301,
  kTerminateJobRequest = 302,
  kLaunchStepRequest = 303,
  // herdstepd <-> hrun (step_messages.h).
  kStepHello = 400,
  kTaskOutput = 401,
  kTaskExit = 402,
  kStepNodeDone = 403,
  kStepAbort = 404,
  kFenceContribution = 405,
  kFenceResult = 406,
  kStdinData = 407,
  kStepSignal = 408,
  // Between voters: controllers and the witness (ha_messages.h).
  kVoteRequest = 500,
  kVoteReply = 501,
  kAppendRequest = 502,  // lease renewal, with journal records for the passive
  kAppendReply = 503,
  kInstallSnapshotRequest = 504,  // the whole state, for a passive too far behind
};

// Envelope flags (Frame::flags).
// A read (queries, HaStatus) that the passive controller may answer; a reply from the
// passive carries the same flag back.
inline constexpr uint32_t kFlagFromPassive = 1u;

const char* MsgTypeName(MsgType t);

struct StatusReply {
  static constexpr MsgType kType = MsgType::kStatusReply;
  int32_t code = 0;  // herd::Code
  std::string message;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& code& message;
  }
};

struct SubmitJobRequest {
  static constexpr MsgType kType = MsgType::kSubmitJobRequest;
  JobSpec spec;
  // Random, chosen once per submission by the command; a request sent again (its answer
  // was lost, e.g. in a controller failover) gets the job the first one created instead
  // of a second job. 0 = none.
  uint64_t token = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& spec& token;
  }
};

struct SubmitJobReply {
  static constexpr MsgType kType = MsgType::kSubmitJobReply;
  uint64_t job_id = 0;
  // For interactive jobs (spec.interactive): the state after the scheduling pass that
  // followed the submission, and the allocation when it started at once.
  JobState state = JobState::kPending;
  std::vector<NodeAlloc> alloc;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& state& alloc;
  }
};

// Job selection shared by cancel, hold/release and queries. Empty fields match all.
// Tasks of one job array named by their task ids ("123_4", "123_[1-5,7]"): the array
// job id and the task ids, ascending ranges.
struct ArrayTaskIds {
  uint64_t array_job_id = 0;
  std::vector<ArrayRange> tasks;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& array_job_id& tasks;
  }
};

struct JobFilter {
  std::vector<uint64_t> job_ids;
  std::vector<std::string> users;  // user names
  std::vector<std::string> partitions;
  std::vector<JobState> states;
  std::vector<std::string> names;
  bool include_finished = false;  // queries: show finished jobs still remembered
  // Array tasks by task id, beside job_ids (class version 1).
  std::vector<ArrayTaskIds> task_ids;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_ids& users& partitions& states& names& include_finished;
    if (version >= 1) ar& task_ids;
  }
};

// Which processes of a running job a signal reaches (scancel's -f and -b).
enum class SignalScope : uint8_t {
  kWholeJob = 0,    // every process, the batch script's included (-f; all before version 2)
  kSteps = 1,       // the job's steps, not the batch script (scancel -s, as Slurm)
  kBatchShell = 2,  // the batch script's shell alone, not its children (-b)
};

struct CancelJobsRequest {
  static constexpr MsgType kType = MsgType::kCancelJobsRequest;
  JobFilter filter;
  int32_t signal = 0;  // 0 = cancel (terminate); otherwise deliver this signal only
  // Random, chosen once per command: the request sent again after its answer was lost
  // (a controller failover) finds the jobs the first one ended and answers OK for them
  // instead of "already completed". 0 = none. (Class version 1.)
  uint64_t token = 0;
  SignalScope scope = SignalScope::kWholeJob;  // of a signal (class version 2)
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& filter& signal;
    if (version >= 1) ar& token;
    if (version >= 2) ar& scope;
  }
};

// Per-job outcome of cancel / hold / release.
struct JobActionResult {
  uint64_t job_id = 0;
  int32_t code = 0;
  std::string message;
  // A task named by its task id: its array job id and task id, as the request named it
  // (job_id is the task's record, 0 when there is none). (Class version 1.)
  uint64_t array_job_id = 0;
  uint32_t array_task_id = kNoArrayTask;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& code& message;
    if (version >= 1) ar& array_job_id& array_task_id;
  }
};

struct CancelJobsReply {
  static constexpr MsgType kType = MsgType::kCancelJobsReply;
  std::vector<JobActionResult> results;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& results;
  }
};

struct HoldJobsRequest {
  static constexpr MsgType kType = MsgType::kHoldJobsRequest;
  JobFilter filter;
  bool hold = true;    // false = release
  uint64_t token = 0;  // as CancelJobsRequest::token (class version 1)
  // uhold: held as by the job's user, whoever asks (class version 2).
  bool user_hold = false;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& filter& hold;
    if (version >= 1) ar& token;
    if (version >= 2) ar& user_hold;
  }
};

// hcontrol requeue|requeuehold: running or finished batch jobs go back to PENDING with the
// same id (doc/requeue.md). `hold`: requeuehold (held once pending).
struct RequeueJobsRequest {
  static constexpr MsgType kType = MsgType::kRequeueJobsRequest;
  JobFilter filter;
  bool hold = false;
  uint64_t token = 0;  // as CancelJobsRequest::token
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& filter& hold& token;
  }
};

// Paged (class version 1, max_jobs > 0): the matching jobs with ids above after_job_id, in
// ascending id order, at most max_jobs of them and fewer when the controller's page caps
// (kQueryPageMaxJobs, kQueryPageMaxBytes, jobs examined) end the page first; the answer is
// a QueryJobsPage. Each page is made when asked for: pages are not one snapshot.
// Unpaged (max_jobs = 0, and every version-0 request): one QueryJobsReply with every
// matching job, refused with kResourceExhausted when more than kUnpagedMaxJobs match.
struct QueryJobsRequest {
  static constexpr MsgType kType = MsgType::kQueryJobsRequest;
  JobFilter filter;
  uint64_t after_job_id = 0;
  uint32_t max_jobs = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& filter;
    if (version >= 1) ar& after_job_id& max_jobs;
  }
};

inline constexpr uint32_t kQueryPageMaxJobs = 500;
inline constexpr size_t kQueryPageMaxBytes = 64u << 10;
inline constexpr uint32_t kUnpagedMaxJobs = 2000;

struct QueryJobsPage {
  static constexpr MsgType kType = MsgType::kQueryJobsPageReply;
  std::vector<JobInfo> jobs;  // ascending job id
  int64_t now = 0;            // controller's time, for elapsed-time columns
  // More jobs may match: ask again with after_job_id = next_after.
  bool more = false;
  uint64_t next_after = 0;
  // The controller's journal sequence when the page was made: two pages with the same
  // sequence saw the same state.
  uint64_t state_seq = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& jobs& now& more& next_after& state_seq;
  }
};

struct QueryJobsReply {
  static constexpr MsgType kType = MsgType::kQueryJobsReply;
  std::vector<JobInfo> jobs;
  int64_t now = 0;  // controller's time, for elapsed-time columns
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& jobs& now;
  }
};

// Paged (class version 1, max_nodes > 0, no names): the nodes in configuration order from
// index `after` on, at most max_nodes of them and fewer when the page reaches
// kQueryPageMaxBytes; the reply says whether more follow and where. Unpaged (max_nodes = 0,
// names given, and every version-0 request): every node asked for in one reply.
struct QueryNodesRequest {
  static constexpr MsgType kType = MsgType::kQueryNodesRequest;
  std::vector<std::string> names;  // empty = all
  uint32_t after = 0;
  uint32_t max_nodes = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& names;
    if (version >= 1) ar& after& max_nodes;
  }
};

inline constexpr uint32_t kQueryPageMaxNodes = 1000;

struct QueryNodesReply {
  static constexpr MsgType kType = MsgType::kQueryNodesReply;
  std::vector<NodeInfo> nodes;
  bool more = false;  // paged: ask again with after = next_after
  uint32_t next_after = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& nodes;
    if (version >= 1) ar& more& next_after;
  }
};

struct QueryPartitionsRequest {
  static constexpr MsgType kType = MsgType::kQueryPartitionsRequest;
  std::vector<std::string> names;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& names;
  }
};

struct QueryPartitionsReply {
  static constexpr MsgType kType = MsgType::kQueryPartitionsReply;
  std::vector<PartitionInfo> partitions;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& partitions;
  }
};

struct QueryConfigRequest {
  static constexpr MsgType kType = MsgType::kQueryConfigRequest;
  template <class A>
  void serialize(A&, unsigned) {}
};

struct QueryConfigReply {
  static constexpr MsgType kType = MsgType::kQueryConfigReply;
  std::vector<std::string> lines;  // "Key = Value", sorted
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& lines;
  }
};

struct PingRequest {
  static constexpr MsgType kType = MsgType::kPingRequest;
  template <class A>
  void serialize(A&, unsigned) {}
};

// hcontrol update node=... state=drain|resume|down|idle reason=...
struct UpdateNodeRequest {
  static constexpr MsgType kType = MsgType::kUpdateNodeRequest;
  std::vector<std::string> names;
  std::string state;  // "DRAIN", "RESUME", "DOWN", "IDLE", "FAIL"; empty = no change
  std::string reason;
  // Version 1: the other keys as the command line gave them (Weight, AvailableFeatures,
  // ActiveFeatures, Gres), checked by the controller; values[i] belongs to keys[i].
  std::vector<std::string> keys;
  std::vector<std::string> values;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& names& state& reason;
    if (version >= 1) ar& keys& values;
  }
};

// scontrol update JobId=N Key=Value...: the changes as the command line gave them
// (keys as Slurm names them: TimeLimit, JobName, Nice, Partition, NumNodes, NumTasks,
// ReqNodeList, ExcNodeList, Features), checked and applied by the controller as one.
struct UpdateJobRequest {
  static constexpr MsgType kType = MsgType::kUpdateJobRequest;
  uint64_t job_id = 0;
  std::vector<std::string> keys;
  std::vector<std::string> values;  // values[i] belongs to keys[i]
  // JobId=123_4: task 4 of array 123 (job_id the array's id); a pending one is split off
  // its array's record first (class version 1).
  uint32_t array_task_id = kNoArrayTask;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& keys& values;
    if (version >= 1) ar& array_task_id;
  }
};

// hcontrol create|update|delete partition. Version 0 could set the State alone; version 1
// carries the keys as the command line gave them (PartitionName's excepted), checked and
// applied by the controller as one change.
enum class PartitionOp : uint8_t { kUpdate = 0, kCreate = 1, kDelete = 2 };
struct UpdatePartitionRequest {
  static constexpr MsgType kType = MsgType::kUpdatePartitionRequest;
  std::string name;
  std::string state;  // UP, DOWN, DRAIN, INACTIVE (also in keys from version 1)
  PartitionOp op = PartitionOp::kUpdate;
  std::vector<std::string> keys;
  std::vector<std::string> values;  // values[i] belongs to keys[i]
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& state;
    if (version >= 1) ar& op& keys& values;
  }
};

// hcontrol show audit [since=] [user=] [entity=]: the audit trail's records that match,
// oldest first.
struct QueryAuditRequest {
  static constexpr MsgType kType = MsgType::kQueryAuditRequest;
  int64_t since = 0;   // wall clock seconds; 0 = all
  std::string user;    // "" = anyone
  std::string entity;  // "node=n1", or a kind alone ("node"); "" = all
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& since& user& entity;
  }
};

struct QueryAuditReply {
  static constexpr MsgType kType = MsgType::kQueryAuditReply;
  std::vector<AuditRecord> records;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& records;
  }
};

// hacctmgr add|modify|delete account|user|qos (doc/associations.md). `names` are the
// entities (add, delete) or those `where name=` chose (modify); `keys`/`values` the
// settings (add) or what `set` changes (modify); `where_keys`/`where_values` the other
// conditions of a modify or delete (a user's `account=`).
struct AssocUpdateRequest {
  static constexpr MsgType kType = MsgType::kAssocUpdateRequest;
  AssocOp op = AssocOp::kAdd;
  AssocKind kind = AssocKind::kAccount;
  std::vector<std::string> names;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::vector<std::string> where_keys;
  std::vector<std::string> where_values;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& op& kind& names& keys& values& where_keys& where_values;
  }
};

// What the update changed: one line per entity or association ("physics",
// "C = herd A = physics U = bob"), empty when nothing was new.
struct AssocUpdateReply {
  static constexpr MsgType kType = MsgType::kAssocUpdateReply;
  std::vector<std::string> changed;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& changed;
  }
};

struct QueryAssocRequest {
  static constexpr MsgType kType = MsgType::kQueryAssocRequest;
  template <class A>
  void serialize(A&, unsigned) {}
};

// The whole association tree (it is small: accounts, users and QOS, not jobs).
struct QueryAssocReply {
  static constexpr MsgType kType = MsgType::kQueryAssocReply;
  std::string cluster;
  std::vector<AccountRecord> accounts;
  std::vector<UserRecord> users;
  std::vector<QosRecord> qos;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& cluster& accounts& users& qos;
  }
};

// hprio (sprio): the pending jobs' priorities and factors (priority/multifactor).
struct QueryPriorityRequest {
  static constexpr MsgType kType = MsgType::kQueryPriorityRequest;
  std::vector<uint64_t> job_ids;  // empty: every pending job
  std::vector<std::string> users;
  std::vector<std::string> partitions;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_ids& users& partitions;
  }
};

struct PriorityInfo {
  uint64_t job_id = 0;
  std::string partition, user, account;
  uint32_t priority = 0;
  bool admin_set = false;  // Priority= set by an admin
  // Each factor 0..1 (the weighted values are weight x factor).
  double age = 0, fairshare = 0, job_size = 0, partition_factor = 0, qos = 0;
  int64_t nice = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& partition& user& account& priority& admin_set;
    ar& age& fairshare& job_size& partition_factor& qos& nice;
  }
};

struct QueryPriorityReply {
  static constexpr MsgType kType = MsgType::kQueryPriorityReply;
  bool multifactor = false;
  uint32_t weight_age = 0, weight_fairshare = 0, weight_job_size = 0, weight_partition = 0,
           weight_qos = 0;
  std::vector<PriorityInfo> jobs;  // by job id
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& multifactor& weight_age& weight_fairshare& weight_job_size& weight_partition& weight_qos&
        jobs;
  }
};

// hshare (sshare): the fair-share tree, depth first.
struct QueryShareRequest {
  static constexpr MsgType kType = MsgType::kQueryShareRequest;
  template <class A>
  void serialize(A&, unsigned) {}
};

struct ShareInfo {
  std::string account, user;  // an account's line has user ""
  uint32_t depth = 0;
  uint32_t raw_shares = 0;
  double norm_shares = 0, raw_usage = 0, effective_usage = 0, fairshare = 0, level_fs = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& account& user& depth& raw_shares& norm_shares& raw_usage& effective_usage& fairshare&
        level_fs;
  }
};

struct QueryShareReply {
  static constexpr MsgType kType = MsgType::kQueryShareReply;
  bool fair_tree = true;
  std::vector<ShareInfo> rows;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& fair_tree& rows;
  }
};

struct RegisterNodeRequest {
  static constexpr MsgType kType = MsgType::kRegisterNodeRequest;
  std::string name;
  HwInventory hw;
  std::vector<StepRef> steps;  // what this node has running or finished-unacknowledged
  int64_t boot_time = 0;       // herdd start time
  std::string version;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& hw& steps& boot_time& version;
  }
};

struct RegisterNodeReply {
  static constexpr MsgType kType = MsgType::kRegisterNodeReply;
  // Steps the node reported that the controller does not know as running there: the
  // node kills them.
  std::vector<StepRef> kill;
  // Finished steps the controller has now recorded: the node forgets them.
  std::vector<StepRef> acked;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& kill& acked;
  }
};

struct HeartbeatRequest {
  static constexpr MsgType kType = MsgType::kHeartbeatRequest;
  std::string name;
  uint64_t seq = 0;
  int64_t boot_time = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& seq& boot_time;
  }
};

// From herdstepd (or herdd on its behalf) when a step has ended. Resent until the reply.
struct StepCompleteRequest {
  static constexpr MsgType kType = MsgType::kStepCompleteRequest;
  std::string node;
  StepRef step;  // finished=true, wait_status set
  int64_t end_time = 0;
  std::string message;  // e.g. "cannot open output file ..." when the launch failed
  StepUsage usage;      // what the step used on the node (version 1)
  // Not empty: the node asks to be drained with this reason (its Prolog or Epilog failed;
  // version 2).
  std::string drain_reason;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& node& step& end_time& message;
    if (version >= 1) ar& usage;
    if (version >= 2) ar& drain_reason;
  }
};

// Controller -> herdd of the job's first node: run the batch script.
struct LaunchBatchRequest {
  static constexpr MsgType kType = MsgType::kLaunchBatchRequest;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  JobSpec spec;  // script, env, patterns, work dir
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string partition;
  std::vector<NodeAlloc> alloc;  // all nodes of the job, first = batch host
  std::string nodelist;          // hostlist of alloc
  int64_t time_limit_s = -1;
  std::string controller_addr;  // "tcp://host:port" the step daemon reports to
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& spec& uid& gid& user& partition& alloc& nodelist& time_limit_s;
    ar& controller_addr;
  }
};

struct SignalJobRequest {
  static constexpr MsgType kType = MsgType::kSignalJobRequest;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  int32_t signal = 0;
  SignalScope scope = SignalScope::kWholeJob;  // class version 1
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& run_seq& signal;
    if (version >= 1) ar& scope;
  }
};

// End every process of the job on this node: SIGTERM (or SIGCONT+SIGTERM), KillWait
// seconds, then SIGKILL. The step then reports completion as usual.
struct TerminateJobRequest {
  static constexpr MsgType kType = MsgType::kTerminateJobRequest;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  uint32_t kill_wait_s = 30;
  // What the Epilog's environment says of the job, for a node where none of its steps ran
  // (version 1). `ended`: the job has ended (its launches are no longer sent), with
  // `wait_status` the batch script's.
  bool ended = false;
  std::string user;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string name;
  std::string partition;
  std::string nodelist;
  std::string account;
  std::string constraints;  // comma-separated
  int32_t wait_status = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& run_seq& kill_wait_s;
    if (version >= 1) {
      ar& ended& user& uid& gid& name& partition& nodelist& account& constraints& wait_status;
    }
  }
};

// hcontrol create|update|delete reservation: the keys as the command line gave them
// (ReservationName's excepted; StartTime and EndTime already made wall clock seconds by
// the command, which knows the user's time zone), checked and applied by the controller
// as one change. A create answers with the name in the StatusReply's message.
enum class ResvOp : uint8_t { kCreate = 0, kUpdate = 1, kDelete = 2 };
struct UpdateReservationRequest {
  static constexpr MsgType kType = MsgType::kUpdateReservationRequest;
  ResvOp op = ResvOp::kCreate;
  std::string name;  // "" on create: the controller names it <user>_<n>
  std::vector<std::string> keys;
  std::vector<std::string> values;  // values[i] belongs to keys[i]
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& op& name& keys& values;
  }
};

// The reservations not ended (one, by name, or all), with the controller's time and the
// cpus of each one's nodes (CoreCnt=).
struct QueryReservationsRequest {
  static constexpr MsgType kType = MsgType::kQueryReservationsRequest;
  std::string name;  // "" = all
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name;
  }
};

struct QueryReservationsReply {
  static constexpr MsgType kType = MsgType::kQueryReservationsReply;
  int64_t now = 0;
  std::vector<Reservation> reservations;  // by start, then name
  std::vector<uint64_t> cpus;             // cpus[i]: the cpus of reservations[i]'s nodes
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& now& reservations& cpus;
  }
};

// herdd -> controller: nothing of job run (job_id, run_seq) is left on `node` and its Epilog
// there (if any) has ended; answered by a StatusReply. Sent until answered.
struct EpilogCompleteRequest {
  static constexpr MsgType kType = MsgType::kEpilogCompleteRequest;
  std::string node;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& job_id& run_seq;
  }
};

}  // namespace herd::proto

BOOST_CLASS_VERSION(herd::proto::JobFilter, 1)
BOOST_CLASS_VERSION(herd::proto::JobActionResult, 1)
BOOST_CLASS_VERSION(herd::proto::CancelJobsRequest, 2)
BOOST_CLASS_VERSION(herd::proto::SignalJobRequest, 1)
BOOST_CLASS_VERSION(herd::proto::TerminateJobRequest, 1)
BOOST_CLASS_VERSION(herd::proto::StepCompleteRequest, 2)
BOOST_CLASS_VERSION(herd::proto::HoldJobsRequest, 2)
BOOST_CLASS_VERSION(herd::proto::UpdateJobRequest, 1)
BOOST_CLASS_VERSION(herd::proto::QueryJobsRequest, 1)
BOOST_CLASS_VERSION(herd::proto::QueryNodesRequest, 1)
BOOST_CLASS_VERSION(herd::proto::QueryNodesReply, 1)
BOOST_CLASS_VERSION(herd::proto::UpdatePartitionRequest, 1)
BOOST_CLASS_VERSION(herd::proto::UpdateNodeRequest, 1)
