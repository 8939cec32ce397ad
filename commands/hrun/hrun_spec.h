// herd hrun — from the parsed command line to what is sent: the job to run in (--jobid or
// the allocation's environment), the interactive JobSpec when hrun allocates by itself, and
// the StepSpec. Pure functions: the environment, directory and configuration come in as
// arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/hrun/hrun_options.h"
#include "common/base/status.h"
#include "common/proto/step_messages.h"

namespace herd::hrun {

struct HrunContext {
  std::vector<std::string> env;          // hrun's own environment, "K=V"
  std::string cwd;                       // absolute
  std::string mpi_default = "mpi/none";  // MpiDefault of herd.conf
};

// The job hrun runs in: --jobid, else HERD_JOB_ID, SLURM_JOB_ID, SLURM_JOBID; nullopt
// when hrun must allocate by itself. A malformed variable is an error.
Result<std::optional<uint64_t>> TargetJob(const HrunOptions& o,
                                          const std::vector<std::string>& env);

// The allocation of a standalone hrun.
Result<proto::JobSpec> BuildHrunJobSpec(const HrunOptions& o, const HrunContext& ctx);

// The step. Inside an allocation (`in_job`), unset counts default as srun's do from the
// job's environment: -n from HERD_NTASKS/SLURM_NTASKS unless -N, -w or --ntasks-per-node
// was given, -c from HERD_CPUS_PER_TASK/SLURM_CPUS_PER_TASK, and --mpi from
// HERD_MPI_TYPE/SLURM_MPI_TYPE (everywhere), else MpiDefault. io_addr is left empty.
Result<proto::StepSpec> BuildStepSpec(const HrunOptions& o, const HrunContext& ctx, bool in_job);

// Standalone hrun: the step spans the allocation it just got (every node, the tasks the
// controller placed unless -n said otherwise).
void FitStepToAllocation(const proto::JobInfo& job, proto::StepSpec* spec);

}  // namespace herd::hrun
