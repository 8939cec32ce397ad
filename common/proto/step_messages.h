// herd — job steps: creating a step in an allocation (hrun -> controller), launching it
// (controller -> herdd of every node of the step), and the step's own traffic between
// each node's herdstepd and the hrun that started it (output, stdin, signals, task exits,
// PMIx fences). Type numbers are never reused.
//
// hrun <-> herdstepd messages are frames whose `auth` field carries the step token (a
// random secret the controller gives the job's owner in StepCreateReply and the nodes in
// LaunchStepRequest) instead of a MUNGE credential: output travels at full speed, and a
// stranger who does not know the token cannot inject input or signals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/messages.h"

namespace herd::proto {

// What hrun asks for. Counts of 0 mean "not given".
struct StepSpec {
  std::string name;
  uint32_t num_nodes = 0;              // -N: first N nodes of the allocation (0: as needed)
  uint32_t num_tasks = 0;              // -n (0: one per node)
  uint32_t cpus_per_task = 1;          // -c
  uint32_t ntasks_per_node = 0;        // --ntasks-per-node
  std::string nodelist;                // -w: nodes of the allocation to use
  std::string exclude;                 // -x
  bool exclusive = false;              // --exclusive: cpus not shared with other steps
  bool overlap = false;                // --overlap: may share cpus with running steps
  std::string distribution = "block";  // -m: block|cyclic[:block|cyclic]
  std::string cpu_bind = "cores";  // none|cores|threads|sockets|map_cpu:..|mask_cpu:..[,verbose]
  std::string mpi = "none";        // none|pmix
  std::vector<std::string> argv;   // the program and its arguments
  std::vector<std::string> env;    // K=V: the environment of the tasks
  std::string cwd;
  bool label = false;             // --label (done by hrun; here for the record)
  bool kill_on_bad_exit = false;  // -K
  std::string stdout_pattern;     // -o: empty = to hrun; else a file per pattern on the node
  std::string stderr_pattern;     // -e
  std::string stdin_pattern;      // -i: empty = from hrun to task 0; "none"; or a file
  int64_t time_limit_s = -1;
  std::string io_addr;  // hrun's ROUTER, "tcp://host:port"
  int32_t umask = -1;   // hrun's umask for the tasks and their files; -1: 022 (version 1)
  // The CURVE public key (Z85) of hrun's ROUTER, made afresh by each hrun: the step
  // daemons send output only to the hrun that holds its secret half (doc/security.md).
  // (Class version 2; empty from an older hrun, whose step then runs without its I/O.)
  std::string io_key;

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& num_nodes& num_tasks& cpus_per_task& ntasks_per_node& nodelist& exclude;
    ar& exclusive& overlap& distribution& cpu_bind& mpi& argv& env& cwd& label;
    ar& kill_on_bad_exit& stdout_pattern& stderr_pattern& stdin_pattern& time_limit_s& io_addr;
    if (version >= 1) ar& umask;
    if (version >= 2) ar& io_key;
  }
};

// Where the tasks of a step run: one entry per node, in node order.
struct StepNode {
  std::string node;
  std::vector<uint32_t> tasks;  // global task ids (ranks) on this node, ascending
  std::vector<uint32_t> cpus;   // the node's logical cpu ids the step may use
  uint64_t mem_mb = 0;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& tasks& cpus& mem_mb;
  }
};

// A step as queries show it (hqueue --steps, hcontrol show step).
struct StepInfo {
  uint64_t job_id = 0;
  uint32_t step_id = 0;
  std::string name;
  std::string user;
  std::string partition;
  JobState state = JobState::kRunning;
  int64_t start_time = 0;
  int64_t end_time = 0;
  uint32_t num_tasks = 0;
  std::string nodelist;
  std::vector<StepNode> layout;
  int32_t exit_code = 0;
  int32_t exit_signal = 0;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& step_id& name& user& partition& state& start_time& end_time& num_tasks;
    ar& nodelist& layout& exit_code& exit_signal;
  }
};

}  // namespace herd::proto

namespace herd::proto {

// hrun/halloc -> controller: a step in job `job_id` (which must be running and belong to
// the caller).
struct StepCreateRequest {
  static constexpr MsgType kType = MsgType::kStepCreateRequest;
  uint64_t job_id = 0;
  StepSpec spec;
  // Random, chosen once per hrun: the request sent again after its answer was lost (a
  // controller failover) gets the step the first one created, not a second one. 0 = none.
  // (Class version 1.)
  uint64_t token = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& job_id& spec;
    if (version >= 1) ar& token;
  }
};

struct StepCreateReply {
  static constexpr MsgType kType = MsgType::kStepCreateReply;
  uint32_t step_id = 0;
  std::vector<StepNode> layout;
  std::string token;  // the step token (see the file comment)
  uint32_t num_tasks = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& step_id& layout& token& num_tasks;
  }
};

// hrun (standalone) / halloc -> controller: the allocation is no longer needed; the job
// ends COMPLETED (exit_code 0) or FAILED, and whatever still runs in it is killed.
struct AllocationDoneRequest {
  static constexpr MsgType kType = MsgType::kAllocationDoneRequest;
  uint64_t job_id = 0;
  int32_t exit_code = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& exit_code;
  }
};

struct QueryStepsRequest {
  static constexpr MsgType kType = MsgType::kQueryStepsRequest;
  std::vector<uint64_t> job_ids;  // empty = all
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_ids;
  }
};

struct QueryStepsReply {
  static constexpr MsgType kType = MsgType::kQueryStepsReply;
  std::vector<StepInfo> steps;
  int64_t now = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& steps& now;
  }
};

// Controller -> herdd of each node of the step.
struct LaunchStepRequest {
  static constexpr MsgType kType = MsgType::kLaunchStepRequest;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  uint32_t step_id = 0;
  StepSpec spec;
  std::vector<StepNode> layout;  // every node of the step, in node order
  uint32_t num_tasks = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string partition;
  std::string job_name;
  std::string job_nodelist;  // the whole allocation
  std::vector<NodeAlloc> job_alloc;
  std::string token;
  std::string controller_addr;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& run_seq& step_id& spec& layout& num_tasks& uid& gid& user& partition;
    ar& job_name& job_nodelist& job_alloc& token& controller_addr;
  }
};

// ---- herdstepd <-> hrun (frames carry the step token in `auth`) ----

// herdstepd -> hrun, first message of a node and then every second while it runs
// (hrun declares a node lost after a few silent seconds).
struct StepHello {
  static constexpr MsgType kType = MsgType::kStepHello;
  std::string node;
  uint32_t node_index = 0;
  bool heartbeat = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& node_index& heartbeat;
  }
};

struct TaskOutput {
  static constexpr MsgType kType = MsgType::kTaskOutput;
  uint32_t rank = 0;
  uint8_t stream = 1;  // 1 stdout, 2 stderr
  std::string data;    // whole lines where possible (a partial line only at exit/overflow)
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& rank& stream& data;
  }
};

struct TaskExit {
  static constexpr MsgType kType = MsgType::kTaskExit;
  uint32_t rank = 0;
  int32_t wait_status = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& rank& wait_status;
  }
};

// All tasks of this node have ended (sent after their TaskExit messages).
struct StepNodeDone {
  static constexpr MsgType kType = MsgType::kStepNodeDone;
  std::string node;
  std::string message;  // launch failure on this node, if any
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& message;
  }
};

// A rank called MPI_Abort (or the node failed to launch): hrun ends the step everywhere.
struct StepAbort {
  static constexpr MsgType kType = MsgType::kStepAbort;
  std::string node;
  int32_t exit_code = 1;
  std::string message;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& node& exit_code& message;
  }
};

// PMIx fence: every node contributes its blob for fence number `seq`; hrun answers each
// node with the blobs of all nodes concatenated in node order.
struct FenceContribution {
  static constexpr MsgType kType = MsgType::kFenceContribution;
  uint64_t seq = 0;
  uint32_t node_index = 0;
  std::string data;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& seq& node_index& data;
  }
};

struct FenceResult {
  static constexpr MsgType kType = MsgType::kFenceResult;
  uint64_t seq = 0;
  std::string data;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& seq& data;
  }
};

// hrun -> herdstepd of the node running task 0.
struct StdinData {
  static constexpr MsgType kType = MsgType::kStdinData;
  std::string data;
  bool eof = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& data& eof;
  }
};

// hrun -> every herdstepd of the step: deliver a signal to all local tasks
// (SIGKILL ends the step at once).
struct StepSignal {
  static constexpr MsgType kType = MsgType::kStepSignal;
  int32_t signal = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& signal;
  }
};

}  // namespace herd::proto

BOOST_CLASS_VERSION(herd::proto::StepCreateRequest, 1)
BOOST_CLASS_VERSION(herd::proto::StepSpec, 2)
