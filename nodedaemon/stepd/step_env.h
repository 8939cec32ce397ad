// herd — the environment of a step's tasks: the step's environment as hrun sent it, then
// the job's variables as a batch script gets them (job_env), then the step's own (HERD_x
// and SLURM_x for STEP_ID, STEPID, STEP_NUM_TASKS, STEP_NUM_NODES, STEP_NODELIST,
// STEP_TASKS_PER_NODE, NTASKS, NPROCS, CPUS_PER_TASK, NODEID, CPUS_ON_NODE) and per task
// PROCID and LOCALID. The MPI plugin's variables are added by the caller. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/step_messages.h"
#include "nodedaemon/stepd/job_env.h"

namespace herd::noded {

// What every local task of the step shares. `node_index` is this node's index in
// req.layout.
std::vector<std::string> BuildStepEnv(const proto::LaunchStepRequest& req, const JobEnvContext& ctx,
                                      uint32_t node_index);

// Adds the variables of the task with global rank `rank` and local id `local_id`.
void AddTaskEnv(std::vector<std::string>* env, uint32_t rank, uint32_t local_id);

}  // namespace herd::noded
