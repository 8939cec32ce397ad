// herd — starting a batch script as its user (herdstepd side). Everything that can be
// decided is decided in the parent; the forked child only joins its cgroup (the parent
// moves it there before letting it go), binds to its cpus, drops privileges, enters the
// work directory, opens the output files as the user and execs. A child that cannot do
// one of these writes a one-line reason back on a close-on-exec pipe and exits 1.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/base/status.h"
#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {

struct JobLaunchPlan {
  std::string script_path;
  std::vector<std::string> args;  // script arguments (argv[1..])
  std::vector<std::string> env;   // "K=V"
  std::string work_dir;
  std::string stdout_path;
  std::string stderr_path;  // same as stdout_path: one file, shared offset
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
  std::vector<gid_t> groups;   // supplementary groups (setgroups)
  std::vector<unsigned> cpus;  // real PUs to bind to; empty = no binding
  mode_t umask = 022;          // the submitter's: the job's processes and output files
  // TaskProlog: when set, the child executes `task_prolog_wrapper` (herd-task-prolog), which
  // runs it and then the script (task_hooks.h).
  std::string task_prolog;
  std::string task_prolog_wrapper;
};

struct JobStart {
  pid_t pid = 0;        // the job's main process (reap it even when failure is set)
  std::string failure;  // the child's reason when it could not exec
  bool in_cgroup = false;
};

// Forks the job. `cgroup` may be invalid; when adding the child to it fails, the job runs
// without it and in_cgroup is false. Errors only when fork itself fails.
Result<JobStart> StartJobProcess(const JobLaunchPlan& plan, const JobCgroup& cgroup);

// Appends `text` to the file at `path` as the job's user (a forked child that drops to
// the plan's uid, gid and groups first): how herdstepd adds its own lines to the job's
// output without following a link the user put there.
Status AppendAsUser(const JobLaunchPlan& plan, const std::string& path, const std::string& text);

// Writes the script file: owned by uid:gid, mode 0700.
Status WriteScript(const std::string& path, const std::string& text, uid_t uid, gid_t gid);

}  // namespace herd::noded
