// herd — herdstepd in step mode: the supervisor of one node's part of a step that hrun
// launched (the step directory holds launch_step.bin). It starts the node's tasks as the
// job's user, bound to their cpus, with the MPI plugin's server for them; forwards their
// output to hrun and hrun's stdin, signals and fence results to them; reports each task's
// exit; and when the last local task has ended, kills whatever is left of the step, records
// the status, removes its private directory, tells the controller (in a thread) while the
// last output drains to hrun, and cleans up. The step runs to completion
// even when hrun cannot be reached.
//
// One thread and one loop (zmq::poll over the hrun socket, the signalfd, the MPI plugin's
// eventfd, the tasks' pipes); the setup and the end are in task_step.cc, the loop and its
// handlers in task_step_loop.cc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/step_messages.h"
#include "nodedaemon/stepd/cgroup_limits.h"
#include "nodedaemon/stepd/hrun_link.h"
#include "nodedaemon/stepd/mpi_host.h"
#include "nodedaemon/stepd/proctree.h"
#include "nodedaemon/stepd/step_output.h"
#include "nodedaemon/stepd/task_hooks.h"
#include "nodedaemon/stepd/task_process.h"
#include "plugins/api/mpi.h"

namespace herd::noded {

class TaskStep {
 public:
  using Clock = std::chrono::steady_clock;

  // The caller has blocked SIGCHLD, SIGTERM, SIGINT and SIGHUP and made this process a
  // child subreaper.
  TaskStep(ClusterConfig config, std::string conf_path, std::string node, std::string step_dir);
  ~TaskStep();
  TaskStep(const TaskStep&) = delete;
  TaskStep& operator=(const TaskStep&) = delete;

  // The whole life of the step on this node; returns the process exit code.
  int Run();

 private:
  struct Stream {
    int fd = -1;     // our end of the task's pipe; -1 when closed or not a pipe
    uint8_t id = 1;  // 1 stdout, 2 stderr
    LineBuffer lines;
  };
  struct Task {
    uint32_t rank = 0;
    uint32_t local_id = 0;
    pid_t pid = 0;  // 0: never started
    bool running = false;
    bool exit_sent = false;
    int wait_status = 0;
    Stream out;
    Stream err;
    std::vector<std::string> env;  // kept for the TaskEpilog only
  };

  // Setup and end (task_step.cc).
  Status Load();
  Status Launch();
  Status PrepareTmpDir(uid_t uid, gid_t gid);
  Status SetUpStepLimits();
  Result<std::vector<std::vector<uint32_t>>> Bind(std::vector<std::vector<unsigned>>* real);
  Status StartMpi();
  // stdin, stdout and stderr of one task: pipes to us, files, or /dev/null.
  Status PlanStreams(Task& t, const std::string& work_dir, const StepOutputFields& fields,
                     TaskPlan* plan, std::vector<int>* child_ends);
  void FailLaunch(const std::string& why);
  void Finish();
  int32_t StepWaitStatus() const;
  void RemoveTmpDir();
  void Cleanup();

  // The loop and its handlers (task_step_loop.cc).
  void Loop();
  void HandleSignals();
  void OnReaped(pid_t pid, int status);
  // Reads what a stream has; at EOF (or `final`) flushes the partial line and closes it.
  void ReadStream(Task& t, Stream& s, bool final);
  void SendOutput(const Task& t, uint8_t stream, std::string data);
  void SendTaskExit(Task& t);
  void RunTaskEpilog(Task& t);
  // The job's Prolog on this node unless a step before this one (or the batch step) ran
  // it (job_hooks.h).
  Status RunProlog(gid_t gid);
  void HandleHrun();
  void OnHrunFrame(const proto::Frame& f);
  void HandleMpiEvents();
  void WriteStdin();
  void CloseStdin();
  void SignalTasks(int sig);
  void BeginTerminate(const std::string& why);
  void OnTimers();
  bool AllEnded() const;

  ClusterConfig config_;
  std::string conf_path_;
  std::string node_;
  std::string dir_;
  uint64_t job_id_ = 0;
  uint32_t run_seq_ = 0;
  uint32_t step_id_ = 0;
  proto::LaunchStepRequest launch_;
  bool have_launch_ = false;
  uint32_t node_index_ = 0;

  std::vector<Task> tasks_;
  JobProcesses job_;
  StepLimits limits_;
  std::set<std::string> opened_files_;  // output files a task of this node has opened
  std::string tmp_dir_;                 // private to the step and its user
  TaskUser task_user_;                  // who the TaskEpilog runs as

  std::unique_ptr<HrunLink> link_;
  MpiHostQueue mpi_host_;
  std::unique_ptr<plugin::MpiServer> mpi_;
  bool mpi_started_ = false;

  int signal_fd_ = -1;
  int stdin_fd_ = -1;  // write end of task 0's stdin pipe
  std::string stdin_buf_;
  bool stdin_eof_ = false;

  bool terminating_ = false;
  Clock::time_point kill_at_ = Clock::time_point::max();
  Clock::time_point time_limit_at_ = Clock::time_point::max();
  Clock::time_point next_heartbeat_{};
  std::string message_;       // why the step ended early, for hrun and the controller
  std::string drain_reason_;  // the Prolog failed here (it ran in this step)
};

}  // namespace herd::noded
