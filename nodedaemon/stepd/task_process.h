// herd — starting one task of a step as the job's user (herdstepd side). Everything is
// prepared in the parent, because herdstepd may already run threads (the PMIx server's)
// when it forks: the child only makes system calls. It waits until the parent has put it
// in the step's cgroup, binds to its cpus, drops privileges (setgroups, setgid, setuid),
// enters the work directory (or /tmp, with a warning on stderr, as slurmstepd does), sets
// up stdin/stdout/stderr, prints the --cpu-bind=verbose line and execs the program. A
// child that fails reports (stage, errno) on a close-on-exec pipe and exits 127 when the
// program was not found, 126 when it could not be executed, 1 for anything else.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {

// One of a task's standard streams: an inherited descriptor of the parent, a file opened
// as the user, or /dev/null (neither).
struct TaskStream {
  int fd = -1;
  std::string path;
  bool truncate = false;  // output files: this task is the first on the node to open it
};

struct TaskPlan {
  uint32_t rank = 0;
  std::vector<std::string> argv;        // argv[0] as the user gave it
  std::vector<std::string> exec_paths;  // where to look for argv[0], in order
  std::vector<std::string> env;         // "K=V"
  std::string work_dir;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;   // supplementary groups
  std::vector<unsigned> cpus;  // real PUs to bind to; empty = no binding
  std::string bind_line;       // written to stderr before exec ("" = none)
  TaskStream in;
  TaskStream out;
  TaskStream err;
  bool err_to_out = false;  // stderr shares stdout's file
  mode_t umask = 022;       // hrun's: the task and the output files it creates
  // TaskProlog: when set, the child executes `task_prolog_wrapper` (herd-task-prolog), which
  // runs it and then the program (task_hooks.h).
  std::string task_prolog;
  std::string task_prolog_wrapper;
};

struct TaskStart {
  pid_t pid = 0;        // reap it even when failure is set
  std::string failure;  // why the child could not exec, "" when it did
  bool in_cgroup = false;
};

// Forks the task and waits until it has exec'd or failed. Errors only when fork fails.
Result<TaskStart> StartTask(const TaskPlan& plan, const JobCgroup& cgroup);

// The candidates for `program`, as execvp would try them with the task's PATH: the program
// itself when it contains '/', else each PATH entry (an empty entry is the work directory).
std::vector<std::string> ExecCandidates(const std::string& program, const std::string& path);

}  // namespace herd::noded
