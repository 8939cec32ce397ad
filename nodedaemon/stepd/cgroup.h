// herd — a job's cgroup v2 directory, used only to track and kill the job's processes
// (this host has a v1/v2 hybrid: the unified tree has no resource controllers, but
// cgroup.procs, cgroup.events and cgroup.kill work). One group per step directory, below
// one group per run of a job: <root>/herd/<node>.<tag>/job<ID>.<RUNSEQ>/step_<STEP|batch>
// (tag: SpoolTag of the node's spool directory, so clusters sharing a host do not share
// groups), root being /sys/fs/cgroup/unified on a hybrid host or /sys/fs/cgroup on a pure
// v2 host. The limits of cgroup_limits.h use the same names in each hierarchy.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::noded {

// The mounted cgroup2 root, or "" when there is none.
std::string FindCgroup2Root();
// The step's group below a hierarchy's root: "herd/<node>.<tag>/job12.0/step_3" for the
// step directory <spool>/job12.0.3, ".../job12.0/step_batch" for <spool>/job12.0; "" when
// `step_dir` is not a step directory.
std::string StepCgroupRelPath(const std::string& node, const std::string& step_dir);
// Where the cgroup of the step in `step_dir` (<spool>/job<ID>.<RUNSEQ>[.<STEP>]) lives:
// "" without a cgroup2 mount.
std::string JobCgroupPath(const std::string& node, const std::string& step_dir);
// Removes the (empty) directory `path`, retrying briefly while exiting tasks leave it,
// then its parent (the job's group) when no other step is left in it.
Status RemoveStepGroup(const std::string& path);

class JobCgroup {
 public:
  JobCgroup() = default;
  explicit JobCgroup(std::string path) : path_(std::move(path)) {}

  // Creates the directory (and its parents).
  static Result<JobCgroup> Create(const std::string& path);

  const std::string& path() const { return path_; }
  bool valid() const { return !path_.empty(); }
  // Groups of other hierarchies (the cgroup v1 limits) every process started through
  // SpawnInCgroup also joins before it runs; failing that, it does not run.
  void Confine(std::vector<std::string> dirs) { confine_ = std::move(dirs); }
  const std::vector<std::string>& confine() const { return confine_; }
  bool Exists() const;
  Status AddProcess(pid_t pid) const;
  // fork() that starts the child inside this group (clone3 with CLONE_INTO_CGROUP): moving
  // a running process into a cgroup waits for an RCU grace period (about 20 ms here),
  // which would be on the path of every job start. `*placed` tells whether the child is
  // in the group; without kernel support it is a plain fork() and the caller falls back
  // to AddProcess(). Like fork(): 0 in the child, -1 with errno on failure.
  pid_t ForkInto(bool* placed) const;
  // Pids listed in cgroup.procs (empty when the group is gone).
  std::vector<pid_t> Procs() const;
  // Sends `sig` to every process in the group; returns how many were signalled.
  int Signal(int sig) const;
  // cgroup.kill when the kernel has it, else SIGKILL to each listed process.
  Status KillAll() const;
  // RemoveStepGroup(path()).
  Status Remove() const;

 private:
  std::string path_;
  std::vector<std::string> confine_;
};

// A child process started in `cgroup` (see JobCgroup::ForkInto) that does not run before
// it is there: it is forked with two close-on-exec pipes and runs `child(go_fd, report_fd)`
// (which must not return) only after the parent, having placed it, writes to go_fd's pipe.
// The child reports a failure before exec on report_fd; the caller reads `report_fd` until
// EOF (exec succeeded or the child died) and closes it. A child that cannot join the
// groups of cgroup.confine() is killed (the caller reaps it) and an error returned.
struct SpawnedChild {
  pid_t pid = -1;
  bool in_cgroup = false;
  std::string cgroup_error;  // why it is outside the group, if it is
  int report_fd = -1;
};
Result<SpawnedChild> SpawnInCgroup(const JobCgroup& cgroup,
                                   const std::function<void(int go_fd, int report_fd)>& child);

}  // namespace herd::noded
