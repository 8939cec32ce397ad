// herd halloc — the environment of the command halloc runs in the allocation: the user's
// environment plus the job's HERD_* variables and their SLURM_* equivalents, in the value
// formats of a batch job's (nodedaemon/stepd/job_env.cc), so hrun finds the job and Open
// MPI's Slurm support finds the nodes (SLURM_JOBID, SLURM_NODELIST, SLURM_TASKS_PER_NODE).
// Pure.
#pragma once

#include <string>
#include <vector>

#include "common/proto/types.h"

namespace herd::halloc {

struct AllocEnvContext {
  std::string cluster_name;
  std::string conf_path;    // the herd.conf in use (absolute)
  std::string submit_host;  // this host's name
  std::string submit_dir;   // where halloc runs
};

// `env` with the job's variables set (replacing stale ones, e.g. of an enclosing job).
std::vector<std::string> BuildAllocationEnv(std::vector<std::string> env, const proto::JobInfo& job,
                                            const AllocEnvContext& ctx);

}  // namespace herd::halloc
