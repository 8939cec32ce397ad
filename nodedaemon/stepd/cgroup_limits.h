// herd — what a node enforces of a job's allocation through cgroups (the CgroupPlugin,
// Constrain* and Allowed*Space keys of herd.conf): a cpuset of exactly the allocated cores
// and a memory limit from the allocation, per job and per step, in the cgroup v1 memory and
// cpuset hierarchies or in the cgroup v2 tree, and what the kernel counted there at the end
// (out-of-memory kills, peak memory).
//
// The groups carry the names of cgroup.h in every hierarchy used: the job's group
// herd/<node>.<tag>/job<ID>.<RUN> holds the job's limits, and one group per step below it
// (step_batch, step_<N>) the step's, so that the steps of a job share the job's memory.
// Processes join them through JobCgroup::Confine (v1) or by being in the tracking group
// (v2: it is the same group). The groups belong to the step daemon, which outlives herdd:
// a job stays confined across a restart of herdd.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/types.h"

namespace herd::noded {

// The hierarchies a node uses, found once (herdd at start, each step daemon at its start).
struct CgroupHost {
  int version = 0;                          // 1 or 2; 0: nothing is constrained
  std::map<std::string, std::string> v1;    // controller -> mount point (v1)
  std::string v2_root;                      // the cgroup2 mount (v2)
  std::vector<std::string> v1_controllers;  // those the configuration needs (v1)
};

// The controllers of the cgroup v1 hierarchies listed in `mounts` (/proc/self/mounts):
// controller name -> mount point. Hierarchies mounted together ("cpu,cpuacct") give one
// entry per controller.
std::map<std::string, std::string> ParseV1Mounts(const std::string& mounts);

// What `config` needs, on this host. With `mount_missing` (herdd), a needed v1 controller
// that is not mounted is mounted at /sys/fs/cgroup/<controller>, as Slurm's cgroup plugin
// does. An error says what is missing and why it could not be had: the node daemon refuses
// to start rather than run jobs unconfined.
Result<CgroupHost> DetectCgroupHost(const CgroupConfig& config, bool mount_missing);

struct CgroupLimits {
  std::vector<unsigned> job_cpus;   // real PUs; empty: no cpuset
  std::vector<unsigned> step_cpus;  // empty: the job's
  uint64_t job_mem = 0;             // bytes; 0: no memory limit
  uint64_t step_mem = 0;            // 0: the job's
  uint64_t job_memsw = 0;           // RAM + swap (v1 memsw) in bytes; 0: not limited
  uint64_t step_memsw = 0;
};

// The limits of one step from its node's allocation: `cpus` the allocated real PUs,
// `mem_mb` the allocated memory (0: the node's RealMemory, `node_mem_mb`), shaped by
// ConstrainCores, ConstrainRAMSpace, ConstrainSwapSpace, AllowedRAMSpace and
// AllowedSwapSpace.
CgroupLimits LimitsFor(const CgroupConfig& config, const std::vector<unsigned>& job_cpus,
                       const std::vector<unsigned>& step_cpus, uint64_t job_mem_mb,
                       uint64_t step_mem_mb, uint64_t node_mem_mb);

class StepLimits {
 public:
  StepLimits() = default;
  // `rel`: StepCgroupRelPath of the step.
  StepLimits(CgroupHost host, std::string rel);

  bool active() const { return host_.version != 0 && !rel_.empty(); }
  // Creates the job's and the step's groups (the job's may exist: another step made it)
  // and writes the limits.
  Status Apply(const CgroupLimits& limits);
  // The step's groups a process must join besides the tracking group (v1); none for v2.
  std::vector<std::string> ConfineDirs() const;
  // Read at the end, before Remove().
  proto::StepUsage Usage() const;
  // Removes the step's groups, and the job's when no other step is left in them.
  Status Remove() const;

 private:
  std::string Dir(const std::string& controller) const;  // v1: the step's group there
  Status ApplyV1(const CgroupLimits& limits);
  Status ApplyV2(const CgroupLimits& limits);

  CgroupHost host_;
  std::string rel_;
};

}  // namespace herd::noded
