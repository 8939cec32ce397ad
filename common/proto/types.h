// herd — data types shared by the controller, node daemons and commands: job requests,
// job/node/partition views, allocations. Plain structs with Boost.Serialization members;
// field order is the wire and disk format, so fields are only ever appended behind a
// class version (BOOST_CLASS_VERSION at the end of this file).
#pragma once

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/array_tasks.h"

namespace herd::proto {

enum class JobState : uint8_t {
  kPending = 0,
  kRunning = 1,
  kSuspended = 2,
  kCompleting = 3,
  kCompleted = 4,
  kFailed = 5,
  kCancelled = 6,
  kTimeout = 7,
  kNodeFail = 8,
  kPreempted = 9,
  kOutOfMemory = 10,
  // Shown only: a running job whose PrologSlurmctld has not ended yet (Slurm's CF).
  kConfiguring = 11,
};

const char* JobStateName(JobState s);                        // "PENDING"
const char* JobStateShort(JobState s);                       // "PD", as squeue %t
bool ParseJobState(const std::string& text, JobState* out);  // "pd", "PENDING", "running"...
inline bool IsFinished(JobState s) {
  return s == JobState::kCompleted || s == JobState::kFailed || s == JobState::kCancelled ||
         s == JobState::kTimeout || s == JobState::kNodeFail || s == JobState::kPreempted ||
         s == JobState::kOutOfMemory;
}

// What the user asked for. Filled by hbatch from options and #HERD/#SBATCH directives;
// validated by the controller. uid/gid are NOT taken from here: the controller uses the
// credential's.
struct JobSpec {
  std::string name;                      // -J; default: script file name or "wrap"
  std::string partition;                 // -p; empty = default partition
  uint32_t min_nodes = 0;                // -N (0 = not given)
  uint32_t max_nodes = 0;                // -N min-max (0 = same as min)
  uint32_t num_tasks = 0;                // -n (0 = not given -> 1 per node)
  uint32_t cpus_per_task = 1;            // -c
  uint32_t ntasks_per_node = 0;          // --ntasks-per-node (0 = not given)
  uint64_t mem_per_node_mb = 0;          // --mem (0 = not given)
  uint64_t mem_per_cpu_mb = 0;           // --mem-per-cpu (0 = not given)
  int64_t time_limit_s = -2;             // -t (-2 = not given -> partition default; -1 = unlimited)
  std::string work_dir;                  // -D; default: submit dir
  std::string submit_dir;                // where hbatch ran
  std::string stdout_pattern;            // -o; default "herd-%j.out"
  std::string stderr_pattern;            // -e; default: same as stdout
  std::string script;                    // the script text (including #! line)
  std::vector<std::string> argv;         // script arguments
  std::vector<std::string> env;          // "K=V" entries exported to the job (--export)
  bool hold = false;                     // -H
  bool exclusive = false;                // --exclusive
  bool requeue = true;                   // --requeue / --no-requeue
  std::string nodelist;                  // -w: required nodes (hostlist)
  std::string exclude;                   // -x: excluded nodes (hostlist)
  std::vector<std::string> constraints;  // --constraint features (all required)
  int32_t nice = 0;                      // --nice
  std::string export_spec;               // --export as given (ALL, NONE, list), for display
  bool interactive = false;              // an allocation without a batch script (halloc, hrun)
  // The submitter's umask (0..0777), applied to the job's processes and output files;
  // -1: not sent (a command from before class version 1), the node's default 022.
  int32_t umask = -1;
  // For accounting (version 2): -A and -q as given (with AccountingStorageEnforce the
  // controller checks them and fills in the defaults, doc/associations.md), and the
  // submitting command line (sacct's SubmitLine).
  std::string account;
  std::string qos;
  std::string submit_line;
  // Version 3: -d/--dependency as given (the controller parses and checks it), -b/--begin
  // as a wall-clock time (0: none; the command resolves "now+1hour" where the user is), and
  // --kill-on-invalid-dep (1 yes, 0 no, -1: the cluster's DependencyParameters).
  std::string dependency;
  int64_t begin_time = 0;
  int32_t kill_on_invalid_dep = -1;
  // Version 4: -a/--array as given ("0-99:3%10"; "" not an array): the controller parses it
  // against MaxArraySize.
  std::string array;
  // Version 6 (5 is another field's): --reservation as given ("" none).
  std::string reservation;

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& partition& min_nodes& max_nodes& num_tasks& cpus_per_task& ntasks_per_node;
    ar& mem_per_node_mb& mem_per_cpu_mb& time_limit_s& work_dir& submit_dir;
    ar& stdout_pattern& stderr_pattern& script& argv& env& hold& exclusive& requeue;
    ar& nodelist& exclude& constraints& nice& export_spec& interactive;
    if (version >= 1) ar& umask;
    if (version >= 2) ar& account& qos& submit_line;
    if (version >= 3) ar& dependency& begin_time& kill_on_invalid_dep;
    if (version >= 4) ar& array;
    if (version >= 6) ar& reservation;
  }
};

// Cores and memory a job holds on one node.
struct NodeAlloc {
  std::string node;
  std::vector<uint32_t> cpus;  // logical cpu ids on that node, ascending
  uint64_t mem_mb = 0;
  uint32_t tasks = 0;  // tasks placed on this node

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& cpus& mem_mb& tasks;
  }
};

// A job as queries show it (hqueue, hcontrol show job).
struct JobInfo {
  uint64_t job_id = 0;
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string partition;
  JobState state = JobState::kPending;
  std::string reason;  // why pending / why it ended ("None" when nothing to say)
  uint32_t priority = 0;
  int64_t submit_time = 0;  // unix seconds
  int64_t start_time = 0;
  int64_t end_time = 0;
  int64_t time_limit_s = -1;
  uint32_t num_nodes = 0;
  uint32_t num_tasks = 0;
  uint32_t num_cpus = 0;
  uint32_t cpus_per_task = 1;
  uint64_t mem_mb = 0;   // per node
  std::string nodelist;  // allocated nodes (hostlist), or requested when pending
  std::vector<NodeAlloc> alloc;
  int32_t exit_code = 0;    // script exit code
  int32_t exit_signal = 0;  // terminating signal, 0 if none
  bool held = false;
  uint32_t restarts = 0;  // requeue count
  std::string work_dir;
  std::string stdout_path;  // resolved pattern (no %N until it ran)
  std::string stderr_path;
  std::string command;     // script name or wrap text
  std::string batch_host;  // first node
  // Version 1: what a pending job still waits for, as Slurm prints it
  // ("afterok:4(unfulfilled),singleton(unfulfilled)"; "" when nothing), and when it may
  // start at the earliest (--begin; submit time when not given).
  std::string dependency;
  int64_t eligible_time = 0;
  // Version 2: pending with a reservation: start_time is its expected start and these the
  // nodes it is expected to run on (hostlist; Slurm's SchedNodeList).
  std::string sched_nodes;
  // Version 3: -A, -q and the submitting command line as given (what hacct shows of a job
  // the controller still holds, and scontrol show job's Account=/QOS=).
  std::string account;
  std::string qos;
  std::string submit_line;
  // Version 4: a job array's task (array_job_id, its task id) or the array's pending
  // remainder (task id kNoArrayTask, array_pending "5-99:3" and the throttle, 0 = none).
  // array_job_id 0: not an array.
  uint64_t array_job_id = 0;
  uint32_t array_task_id = kNoArrayTask;
  uint32_t array_throttle = 0;
  std::string array_pending;
  // Version 9 (5-8 are other records' bumps of the same era): what the job asked for, as
  // scontrol show job prints it. max_nodes: -N's maximum when -N was given (0: not given);
  // req_nodes/exc_nodes -w/-x as given; features the --constraint expression.
  int32_t nice = 0;
  bool requeue = true;
  bool batch = true;  // false for an allocation (halloc, hrun)
  bool exclusive = false;
  uint32_t max_nodes = 0;
  uint32_t ntasks_per_node = 0;
  uint64_t mem_per_cpu_mb = 0;
  std::string req_nodes;
  std::string exc_nodes;
  std::string features;
  std::string reservation;  // --reservation (version 11; 10 is another field's)

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& name& uid& gid& user& partition& state& reason& priority& submit_time;
    ar& start_time& end_time& time_limit_s& num_nodes& num_tasks& num_cpus& cpus_per_task;
    ar& mem_mb& nodelist& alloc& exit_code& exit_signal& held& restarts& work_dir;
    ar& stdout_path& stderr_path& command& batch_host;
    if (version >= 1) ar& dependency& eligible_time;
    if (version >= 2) ar& sched_nodes;
    if (version >= 3) ar& account& qos& submit_line;
    if (version >= 4) ar& array_job_id& array_task_id& array_throttle& array_pending;
    if (version >= 9) {
      ar& nice& requeue& batch& exclusive& max_nodes& ntasks_per_node& mem_per_cpu_mb;
      ar& req_nodes& exc_nodes& features;
    }
    if (version >= 11) ar& reservation;
  }
};

enum class NodeState : uint8_t {
  kUnknown = 0,  // configured, never registered
  kIdle = 1,
  kMixed = 2,
  kAllocated = 3,
  kDown = 4,
};

// Hardware as herdd found it (hwloc, or the config in HardwareSource=config mode).
struct HwInventory {
  uint32_t sockets = 0;
  uint32_t cores_per_socket = 0;
  uint32_t threads_per_core = 0;
  uint32_t cpus = 0;
  uint64_t memory_mb = 0;
  uint32_t numa_nodes = 0;
  uint32_t gpus = 0;
  std::vector<std::string> nics;  // "ib0:ib", "eth0:eth"
  std::string topology;           // short description, e.g. "package:1 core:4 pu:1 (synthetic)"

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& sockets& cores_per_socket& threads_per_core& cpus& memory_mb& numa_nodes& gpus& nics;
    ar& topology;
  }
};

struct NodeInfo {
  std::string name;
  NodeState state = NodeState::kUnknown;
  bool drain = false;  // DRAINING (jobs still on it) or DRAINED
  bool responding = false;
  std::string reason;
  int64_t reason_time = 0;
  std::string addr;
  uint32_t port = 0;
  uint32_t cpus = 0;  // configured
  uint32_t alloc_cpus = 0;
  uint64_t memory_mb = 0;  // configured
  uint64_t alloc_mem_mb = 0;
  uint32_t sockets = 0;
  uint32_t cores_per_socket = 0;
  uint32_t threads_per_core = 0;
  std::vector<std::string> features;
  std::vector<std::string> partitions;
  HwInventory hw;  // as last reported
  int64_t last_heartbeat = 0;
  int64_t boot_time = 0;
  std::string version;
  // Who set the reason (version 1; -1: not known, from an earlier controller).
  int64_t reason_uid = -1;
  // Version 2: State=FAIL set; Weight; the features active now (`features` are those
  // available); Gres= as configured or set at runtime.
  bool fail = false;
  uint32_t weight = 1;
  std::vector<std::string> active_features;
  std::string gres;
  bool values_known = true;  // false: from a controller before version 2 (not sent)

  template <class A>
  void serialize(A& ar, unsigned class_version) {
    ar& name& state& drain& responding& reason& reason_time& addr& port& cpus& alloc_cpus;
    ar& memory_mb& alloc_mem_mb& sockets& cores_per_socket& threads_per_core& features;
    ar& partitions& hw& last_heartbeat& boot_time& version;
    if (class_version >= 1) ar& reason_uid;
    if (class_version >= 2) {
      ar& fail& weight& active_features& gres;
    } else if (A::is_loading::value) {
      active_features = features;
      values_known = false;
    }
  }
};

// "IDLE", "MIXED", "ALLOCATED", "DOWN", "DRAINING", "DRAINED", "UNKNOWN"; '*' appended
// for a node that is not responding is left to the printers.
std::string NodeStateName(const NodeInfo& n);

struct PartitionInfo {
  std::string name;
  bool is_default = false;
  std::string state;  // UP, DOWN, DRAIN, INACTIVE
  int64_t max_time_s = -1;
  int64_t default_time_s = -1;
  std::vector<std::string> nodes;
  uint32_t total_cpus = 0;
  uint32_t max_nodes = 0;
  // Version 1: MinNodes, PriorityTier; changed at runtime (unlike herd.conf), and the
  // partition as its herd.conf line (hcontrol write config).
  uint32_t min_nodes = 0;
  uint32_t priority_tier = 1;
  bool runtime = false;
  std::string conf_line;

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& is_default& state& max_time_s& default_time_s& nodes& total_cpus& max_nodes;
    if (version >= 1) ar& min_nodes& priority_tier& runtime& conf_line;
  }
};

// One record of the audit trail: an administrative change (a partition, a node, a hold or
// cancel of another user's job), who made it, when, from where, and what it changed. Kept
// in the controller's state (journaled, replicated), bounded by AuditMaxAge and
// AuditMaxRecords (doc/admin.md); `hcontrol show audit` lists them.
struct AuditRecord {
  uint64_t seq = 0;  // from 1, given when the controller applies it
  int64_t time = 0;  // wall clock, seconds
  uint32_t uid = 0;
  std::string user;
  std::string from;    // the request's address
  std::string entity;  // "partition=debug", "node=n1", "job=12"
  std::string action;  // create, update, delete, drain, resume, down, hold, release, cancel
  std::string old_value;
  std::string new_value;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& seq& time& uid& user& from& entity& action& old_value& new_value;
  }
};

// A step a node daemon has running or has finished but not yet had acknowledged.
struct StepRef {
  uint64_t job_id = 0;
  uint32_t step_id = 0;  // kBatchStep for the batch script
  uint32_t run_seq = 0;  // which run of the job (a requeued job runs again with +1)
  bool finished = false;
  int32_t wait_status = 0;  // as from waitpid, when finished

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& step_id& run_seq& finished& wait_status;
  }
};

// What the node measured of a step when it ended (its cgroup and the step daemon's
// children), for accounting. `measured` is false when a node sent none.
struct StepUsage {
  bool measured = false;
  uint64_t cpu_user_us = 0;  // CPU time of all the step's processes
  uint64_t cpu_system_us = 0;
  uint64_t mem_peak_bytes = 0;  // peak memory of the step's group (else the largest RSS)
  uint32_t oom_kills = 0;       // processes the kernel killed for the memory limit
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& measured& cpu_user_us& cpu_system_us& mem_peak_bytes& oom_kills;
  }
};

// The wait status a step reports when the kernel killed some of its processes for the
// memory limit (Slurm's SIG_OOM): it reads as ExitCode=0:125, and the job or step ends
// OUT_OF_MEMORY.
inline constexpr int32_t kOomWaitStatus = 253;
inline constexpr char kOutOfMemory[] = "OUT_OF_MEMORY";

// The reason of a batch step whose node's Prolog failed: the script never ran; the node is
// drained (StepCompleteRequest::drain_reason) and the job requeued.
inline constexpr char kPrologFailed[] = "PrologFailed";

inline constexpr uint32_t kBatchStep = 0xfffffffb;
// The reason a node daemon gives in the completion of a step it stopped because its lease
// ran out (no accepted answer from an active controller for NodeLease): the controller
// treats the run as lost with its node (requeued when it may be), not as failed.
inline constexpr char kNodeLeaseExpired[] = "NodeLeaseExpired";

}  // namespace herd::proto

BOOST_CLASS_VERSION(herd::proto::JobSpec, 6)
BOOST_CLASS_VERSION(herd::proto::JobInfo, 11)
BOOST_CLASS_VERSION(herd::proto::PartitionInfo, 1)
BOOST_CLASS_VERSION(herd::proto::NodeInfo, 2)
