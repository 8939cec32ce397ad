// herd — the programs a site runs on its nodes: Prolog and Epilog (run as root before the
// job's first process on a node and after its processes there are gone, job_hooks.h) and the
// HealthCheckProgram (run by herdd every HealthCheckInterval), run as common/base/
// site_program.h runs them; here, their environments.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/site_program.h"
#include "common/base/status.h"
#include "common/proto/messages.h"
#include "common/proto/step_messages.h"

namespace herd::noded {

using herd::ExitCodeEnv;
using herd::HookFailure;
using herd::HookFirstLine;
using herd::HookPrograms;
using herd::HookRun;
using herd::IsHookPattern;
using herd::RunHook;
using herd::StartHook;
using herd::WaitHook;

struct HookJob {
  std::string context;  // "prolog" or "epilog"
  std::string node;
  std::string cluster;
  std::string conf_path;
  std::string group;        // name of the job's gid
  int32_t wait_status = 0;  // epilog
};
// The environment of Prolog and Epilog for a batch job (Slurm's names and herd's):
// SLURM_JOB_ID, SLURM_JOB_USER, SLURM_JOB_UID, SLURM_JOB_GID, SLURM_JOB_GROUP,
// SLURM_JOB_NAME, SLURM_JOB_PARTITION, SLURM_JOB_NODELIST, SLURM_JOB_CONSTRAINTS,
// SLURMD_NODENAME, SLURM_CLUSTER_NAME, SLURM_CONF, SLURM_SCRIPT_CONTEXT (prolog_slurmd or
// epilog_slurmd) and the same under HERD_ (HERD_NODENAME for SLURMD_NODENAME); the epilog
// also gets ExitCodeEnv.
std::vector<std::string> BatchHookEnv(const proto::LaunchBatchRequest& launch, const HookJob& job);
// The same for the Prolog a step's daemon runs on a node where the job has no batch step
// (the step's request does not carry the job's constraints: SLURM_JOB_CONSTRAINTS is empty).
std::vector<std::string> StepHookEnv(const proto::LaunchStepRequest& launch, const HookJob& job);
// The same for the Epilog of a node where none of the job's steps ran, from the terminate.
std::vector<std::string> TerminateHookEnv(const proto::TerminateJobRequest& req,
                                          const HookJob& job);

}  // namespace herd::noded
