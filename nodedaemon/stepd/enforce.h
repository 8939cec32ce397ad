// herd — the step daemons' side of enforcing an allocation: set up the step's cgroup limits
// (cgroup_limits.h) before its processes start, and at the end read what the kernel
// counted (out-of-memory kills, peak memory) with the CPU time of the step's processes,
// then remove the groups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/types.h"
#include "nodedaemon/stepd/cgroup.h"
#include "nodedaemon/stepd/cgroup_limits.h"

namespace herd::noded {

struct StepAllocation {
  std::vector<unsigned> job_cpus;   // real PUs of the job on this node
  std::vector<unsigned> step_cpus;  // real PUs of the step (the job's for a batch step)
  uint64_t job_mem_mb = 0;          // 0: none asked (the node's RealMemory applies)
  uint64_t step_mem_mb = 0;
};

// Creates the step's groups with its limits and makes `tracking` confine every process
// it starts to them. Nothing to do when the configuration constrains nothing. An error
// means the step must not run.
Result<StepLimits> SetUpLimits(const ClusterConfig& config, const std::string& node,
                               const std::string& step_dir, const StepAllocation& alloc,
                               JobCgroup* tracking);

// Once every process of the step is gone: what it used (the CPU time of this process's
// children, which the step daemon, their subreaper, has all reaped), then the groups go.
proto::StepUsage EndLimits(const StepLimits& limits);

// The line the step's output gets when the kernel killed some of its processes for the
// memory limit, as Slurm's "Detected N oom_kill event" ("12.batch", "12.0").
std::string OomLine(const std::string& step_name, uint32_t kills);

}  // namespace herd::noded
