// herd — step daemons: cgroup limits of a step, and what it used.
#include "nodedaemon/stepd/enforce.h"

#include <sys/resource.h>

#include "common/base/log.h"

namespace herd::noded {

Result<StepLimits> SetUpLimits(const ClusterConfig& config, const std::string& node,
                               const std::string& step_dir, const StepAllocation& alloc,
                               JobCgroup* tracking) {
  if (!config.cgroup.any()) return StepLimits();
  auto host = DetectCgroupHost(config.cgroup, /*mount_missing=*/false);
  if (!host.ok()) return Unavailable("cannot enforce the allocation: " + host.error().message());
  StepLimits limits(*host, StepCgroupRelPath(node, step_dir));
  const NodeConfig* conf = config.FindNode(node);
  CgroupLimits want = LimitsFor(config.cgroup, alloc.job_cpus, alloc.step_cpus, alloc.job_mem_mb,
                                alloc.step_mem_mb, conf != nullptr ? conf->real_memory_mb : 0);
  Status st = limits.Apply(want);
  if (!st.ok()) {
    (void)limits.Remove();
    return Unavailable("cannot enforce the allocation: " + st.message());
  }
  tracking->Confine(limits.ConfineDirs());
  return limits;
}

proto::StepUsage EndLimits(const StepLimits& limits) {
  proto::StepUsage u = limits.Usage();
  struct rusage ru;
  if (::getrusage(RUSAGE_CHILDREN, &ru) == 0) {
    u.cpu_user_us = static_cast<uint64_t>(ru.ru_utime.tv_sec) * 1000000 +
                    static_cast<uint64_t>(ru.ru_utime.tv_usec);
    u.cpu_system_us = static_cast<uint64_t>(ru.ru_stime.tv_sec) * 1000000 +
                      static_cast<uint64_t>(ru.ru_stime.tv_usec);
    // Without a memory group, the largest resident set of one process (KB in Linux).
    if (u.mem_peak_bytes == 0) u.mem_peak_bytes = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  }
  u.measured = true;
  Status st = limits.Remove();
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  return u;
}

std::string OomLine(const std::string& step_name, uint32_t kills) {
  return "herdstepd: error: Detected " + std::to_string(kills) + " oom_kill event" +
         (kills == 1 ? "" : "s") + " in StepId=" + step_name +
         ". Some of the step's processes were killed by the cgroup out-of-memory handler.\n";
}

}  // namespace herd::noded
