// herd — the whole process tree of a job: signal it and kill it without leaving anything
// behind. The job's processes are those in its cgroup (when it has one) plus every
// descendant of the step daemon, which is a child subreaper so that orphaned and
// daemonized processes stay below it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {

struct JobProcesses {
  pid_t supervisor = 0;  // the step daemon (never signalled itself); 0 = unknown
  JobCgroup cgroup;      // may be invalid (no cgroup)
  // A process of the job could not be put into the cgroup: find the job's processes among
  // the supervisor's descendants too.
  bool outside_cgroup = false;
};

// Delivers `sig` to every process of the job; returns the number of processes signalled.
int SignalJob(const JobProcesses& job, int sig);

// Delivers `sig` to the direct children of `supervisor` (a batch step's shell, not what it
// started); returns the number of processes signalled.
int SignalChildren(pid_t supervisor, int sig);

// Called for each child reaped while killing (pid, wait status).
using ReapFn = std::function<void(pid_t, int)>;

// SIGKILLs every process of the job until none is left. When the caller is the
// supervisor itself (job.supervisor == getpid()), it also reaps its children, reporting
// each through `on_reap`, until it has none. Gives up after `max_wait_ms` (processes in
// uninterruptible sleep); returns false then.
bool KillJob(const JobProcesses& job, const ReapFn& on_reap, int max_wait_ms = 30000);

// Reaps every exited child without blocking, reporting each.
void ReapExited(const ReapFn& on_reap);

}  // namespace herd::noded
