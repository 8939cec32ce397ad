// herd — signalling and killing a job's process tree.
#include "nodedaemon/stepd/proctree.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "nodedaemon/proc.h"

namespace herd::noded {
namespace {

std::set<pid_t> Members(const JobProcesses& job) {
  std::set<pid_t> pids;
  if (job.cgroup.valid()) {
    // The job started inside its cgroup and only root can move a process out of it: the
    // cgroup is the whole job. (Scanning /proc as well cost every job a read of every
    // process's stat file on the node.)
    for (pid_t p : job.cgroup.Procs()) pids.insert(p);
  }
  if ((!job.cgroup.valid() || job.outside_cgroup) && job.supervisor > 0) {
    for (pid_t p : ListDescendants(job.supervisor)) pids.insert(p);
  }
  pids.erase(job.supervisor);
  pids.erase(getpid());
  pids.erase(0);
  pids.erase(1);
  return pids;
}

}  // namespace

int SignalJob(const JobProcesses& job, int sig) {
  int n = 0;
  for (pid_t p : Members(job)) {
    if (::kill(p, sig) == 0) ++n;
  }
  return n;
}

int SignalChildren(pid_t supervisor, int sig) {
  int n = 0;
  if (supervisor <= 1) return 0;
  for (const ProcStat& p : ListProcesses()) {
    if (p.ppid == supervisor && p.state != 'Z' && ::kill(p.pid, sig) == 0) ++n;
  }
  return n;
}

void ReapExited(const ReapFn& on_reap) {
  while (true) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (on_reap) on_reap(pid, status);
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    return;  // 0: children left but none exited; -1: no children
  }
}

bool KillJob(const JobProcesses& job, const ReapFn& on_reap, int max_wait_ms) {
  const bool reaper = job.supervisor == getpid();
  int waited_ms = 0;
  while (true) {
    if (job.cgroup.Exists()) (void)job.cgroup.KillAll();
    std::set<pid_t> left = Members(job);
    for (pid_t p : left) ::kill(p, SIGKILL);
    bool children_left = false;
    if (reaper) {
      ReapExited(on_reap);
      siginfo_t info{};
      int rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
      if (rc == 0 && info.si_pid != 0) continue;  // another child just exited: reap it
      children_left = rc == 0;                    // -1 with ECHILD: no children at all
    }
    if (left.empty() && !children_left) return true;
    if (waited_ms >= max_wait_ms) return false;
    usleep(10000);
    waited_ms += 10;
  }
}

}  // namespace herd::noded
