// herd — TaskProlog and TaskEpilog: the site's programs run as the job's user around each
// task (the batch script is a task too), as Slurm's keys of the same names do.
//
// TaskProlog runs inside the task's own process, after it has joined the step's cgroup,
// been bound to its cpus and dropped its privileges, and before the program is executed:
// herdstepd then executes herd-task-prolog instead of the program, which runs the TaskProlog
// with the task's environment plus SLURM_TASK_PID (its own pid, which the program keeps)
// and SLURM_SCRIPT_CONTEXT=prolog_task, applies what its standard output asks for and
// executes the program. A TaskProlog that fails ends the task with its exit status and the
// line "herdstepd: error: TaskProlog failed status=N" on the task's stderr; the program
// never runs. Nothing here waits for it in herdstepd's loop.
//
// TaskEpilog runs after the task has ended, as the job's user, with the task's environment
// plus SLURM_SCRIPT_CONTEXT=epilog_task, its output discarded, bounded by
// PrologEpilogTimeout (TaskEpilogTimeoutS() when that is 0: herdstepd's loop waits for it).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "nodedaemon/hooks.h"

namespace herd::noded {

inline constexpr char kTaskPrologWrapper[] = "herd-task-prolog";

// What a TaskProlog's standard output asks for, line by line in order: "export NAME=value"
// sets NAME in `env` (everything after the first '=' up to the end of the line is the
// value), "unset NAME" removes it, "print TEXT" adds TEXT and a newline to what is
// returned (for the task's stdout). Other lines, and names that are not names, are ignored.
std::string ApplyTaskPrologOutput(std::string_view output, std::vector<std::string>* env);

// Removes NAME from `env` ("K=V" entries).
void UnsetEnv(std::vector<std::string>* env, const std::string& name);

// herd-task-prolog's command line: `wrapper prolog [--exec PATH]... -- argv...`: run
// `prolog`, then execute the first of `exec_paths` that exists with `argv`, as execvp would.
struct TaskPrologCall {
  std::string prolog;
  std::vector<std::string> exec_paths;
  std::vector<std::string> argv;
};
std::vector<std::string> TaskPrologArgv(const std::string& wrapper, const TaskPrologCall& call);
Result<TaskPrologCall> ParseTaskPrologArgv(const std::vector<std::string>& args);

// The wrapper beside the running executable (herdstepd's directory).
std::string TaskPrologWrapperPath();

// Who a TaskEpilog runs as, and where.
struct TaskUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string work_dir;  // "/" when it cannot be entered
};

// Runs `program` as `user` with `env` (stdin, stdout and stderr on /dev/null) in its own
// session and waits for it, killing the session after `timeout_s` (0: no limit).
Result<HookRun> RunTaskEpilog(const std::string& program, std::vector<std::string> env,
                              const TaskUser& user, uint32_t timeout_s);

// How long a TaskEpilog may run: PrologEpilogTimeout, or 60 s when that is 0 (no limit),
// so that a hung one cannot stop a step's supervisor for good.
inline uint32_t TaskEpilogTimeoutS(uint32_t prolog_epilog_timeout_s) {
  return prolog_epilog_timeout_s != 0 ? prolog_epilog_timeout_s : 60;
}

// The environment a TaskEpilog sees: the task's, with SLURM_SCRIPT_CONTEXT=epilog_task.
std::vector<std::string> TaskEpilogEnv(std::vector<std::string> task_env);

}  // namespace herd::noded
