// herd — step task environment.
#include "nodedaemon/stepd/step_env.h"

#include <cstdio>
#include <utility>

#include "common/base/hostlist.h"

namespace herd::noded {
namespace {

void SetBoth(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  SetEnv(env, "HERD_" + name, value);
  SetEnv(env, "SLURM_" + name, value);
}

}  // namespace

std::vector<std::string> BuildStepEnv(const proto::LaunchStepRequest& req, const JobEnvContext& ctx,
                                      uint32_t node_index) {
  // The job's variables, exactly as its batch script sees them.
  proto::LaunchBatchRequest job;
  job.job_id = req.job_id;
  job.run_seq = req.run_seq;
  job.uid = req.uid;
  job.gid = req.gid;
  job.user = req.user;
  job.partition = req.partition;
  job.alloc = req.job_alloc;
  job.nodelist = req.job_nodelist;
  job.spec.name = req.job_name;
  job.spec.env = req.spec.env;
  job.spec.cpus_per_task = req.spec.cpus_per_task;
  job.spec.work_dir = req.spec.cwd;
  std::vector<std::string> env = BuildJobEnv(job, ctx);

  std::vector<std::string> nodes;
  std::vector<uint32_t> tasks_per_node;
  for (const proto::StepNode& n : req.layout) {
    nodes.push_back(n.node);
    tasks_per_node.push_back(static_cast<uint32_t>(n.tasks.size()));
  }
  uint32_t num_tasks = req.num_tasks;
  if (num_tasks == 0) {
    for (uint32_t t : tasks_per_node) num_tasks += t;
  }
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"STEP_ID", std::to_string(req.step_id)},
      {"STEPID", std::to_string(req.step_id)},
      {"STEP_NUM_TASKS", std::to_string(num_tasks)},
      {"STEP_NUM_NODES", std::to_string(nodes.size())},
      {"STEP_NODELIST", CompressHostlist(nodes)},
      {"STEP_TASKS_PER_NODE", FormatCountList(tasks_per_node)},
      {"NTASKS", std::to_string(num_tasks)},
      {"NPROCS", std::to_string(num_tasks)},
      {"CPUS_PER_TASK", std::to_string(req.spec.cpus_per_task)},
      {"NODEID", std::to_string(node_index)},
  };
  for (const auto& [name, value] : vars) SetBoth(&env, name, value);
  if (req.spec.umask >= 0 && req.spec.umask <= 0777) {
    // As srun: the tasks see the umask hrun ran with (HERD_UMASK, SLURM_UMASK = "0027").
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(req.spec.umask));
    SetBoth(&env, "UMASK", text);
  }
  if (node_index < req.layout.size() && !req.layout[node_index].cpus.empty()) {
    SetBoth(&env, "CPUS_ON_NODE", std::to_string(req.layout[node_index].cpus.size()));
  }
  return env;
}

void AddTaskEnv(std::vector<std::string>* env, uint32_t rank, uint32_t local_id) {
  SetBoth(env, "PROCID", std::to_string(rank));
  SetBoth(env, "LOCALID", std::to_string(local_id));
}

}  // namespace herd::noded
