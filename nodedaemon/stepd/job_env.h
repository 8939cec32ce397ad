// herd — the environment of a batch script: the job's exported variables, then the
// HERD_* variables and their SLURM_* equivalents (so existing scripts and MPI libraries'
// Slurm integration work), then login basics (HOME, USER, ...) where still missing.
// Pure: everything it needs comes in through the arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/messages.h"

namespace herd::noded {

struct JobEnvContext {
  std::string node;          // this node's name
  std::string hostname;      // this host's name (submit host fallback)
  std::string cluster_name;  // ClusterName
  std::string conf_path;     // the herd.conf in use
  // The job user's passwd entry.
  std::string user;
  std::string home;
  std::string shell;
  // herd's directory of Slurm-named launchers (srun -> hrun), put first in the job's PATH
  // so that mpirun inside a job launches through herd, also on a node where Slurm's own
  // srun is installed (it cannot work inside a herd job); empty = none.
  std::string compat_dir;
  // The node has an RDMA fabric adapter (hw/fabric.h). Without one, Open MPI's "cm" PML
  // has nothing to drive, yet probing its transports (psm, psm2, ofi) costs every rank
  // ~300 ms of MPI_Init here; the job gets OMPI_MCA_pml=^cm unless it sets OMPI_MCA_pml.
  bool rdma = true;
};

// <directory of this executable>/../libexec/herd/compat, if it exists; else "".
std::string CompatDir();

// "K=V" entries; a later definition of a name replaces the earlier one in place.
std::vector<std::string> BuildJobEnv(const proto::LaunchBatchRequest& req,
                                     const JobEnvContext& ctx);

// The value of the last definition of `name` in `env`; false when it is not defined.
bool FindEnv(const std::vector<std::string>& env, const std::string& name, std::string* value);

// Replaces every definition of `name` in place (the first keeps its position, later ones
// are removed), or appends one.
void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value);

}  // namespace herd::noded
