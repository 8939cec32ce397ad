// herd — the environments of Prolog and Epilog runs.
#include "nodedaemon/hooks.h"

#include <sys/wait.h>

#include "common/base/strings.h"

namespace herd::noded {

namespace {

// What the environment says of the job, from either launch request.
struct HookJobFields {
  uint64_t job_id = 0;
  std::string user;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string name;
  std::string partition;
  std::string nodelist;
  std::string constraints;
  std::string account;
};

std::vector<std::string> HookEnv(const HookJobFields& launch, const HookJob& job) {
  std::vector<std::pair<std::string, std::string>> vars = {
      {"JOB_ID", std::to_string(launch.job_id)},
      {"JOBID", std::to_string(launch.job_id)},
      {"JOB_USER", launch.user},
      {"JOB_UID", std::to_string(launch.uid)},
      {"JOB_GID", std::to_string(launch.gid)},
      {"JOB_GROUP", job.group},
      {"JOB_NAME", launch.name},
      {"JOB_PARTITION", launch.partition},
      {"JOB_NODELIST", launch.nodelist},
      {"JOB_CONSTRAINTS", launch.constraints},
      {"JOB_ACCOUNT", launch.account},
      {"CLUSTER_NAME", job.cluster},
      {"CONF", job.conf_path},
      {"SCRIPT_CONTEXT", job.context + "_slurmd"},
  };
  std::vector<std::string> env;
  for (const auto& [k, v] : vars) {
    env.push_back("SLURM_" + k + "=" + v);
    env.push_back("HERD_" + k + "=" + v);
  }
  if (job.context == "epilog") {
    for (std::string& v : ExitCodeEnv(job.wait_status)) env.push_back(std::move(v));
  }
  env.push_back("SLURMD_NODENAME=" + job.node);
  env.push_back("HERD_NODENAME=" + job.node);
  return env;
}

}  // namespace

std::vector<std::string> BatchHookEnv(const proto::LaunchBatchRequest& launch, const HookJob& job) {
  return HookEnv(
      {launch.job_id, launch.user, launch.uid, launch.gid, launch.spec.name, launch.partition,
       launch.nodelist, Join(launch.spec.constraints, ","), launch.spec.account},
      job);
}

std::vector<std::string> StepHookEnv(const proto::LaunchStepRequest& launch, const HookJob& job) {
  return HookEnv({launch.job_id, launch.user, launch.uid, launch.gid, launch.job_name,
                  launch.partition, launch.job_nodelist, "", ""},
                 job);
}

std::vector<std::string> TerminateHookEnv(const proto::TerminateJobRequest& req,
                                          const HookJob& job) {
  return HookEnv({req.job_id, req.user, req.uid, req.gid, req.name, req.partition, req.nodelist,
                  req.constraints, req.account},
                 job);
}

}  // namespace herd::noded
