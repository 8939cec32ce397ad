// herd halloc — the allocation's environment.
#include "commands/halloc/halloc_env.h"

#include <utility>

#include "commands/lib/env_list.h"
#include "common/base/hostlist.h"

namespace herd::halloc {

std::vector<std::string> BuildAllocationEnv(std::vector<std::string> env, const proto::JobInfo& job,
                                            const AllocEnvContext& ctx) {
  std::vector<uint32_t> cpus_per_node;
  std::vector<uint32_t> tasks_per_node;
  std::vector<std::string> names;
  uint32_t placed = 0;
  for (const proto::NodeAlloc& a : job.alloc) {
    names.push_back(a.node);
    cpus_per_node.push_back(static_cast<uint32_t>(a.cpus.size()));
    tasks_per_node.push_back(a.tasks);
    placed += a.tasks;
  }
  const uint32_t num_nodes = !job.alloc.empty() ? static_cast<uint32_t>(job.alloc.size())
                                                : (job.num_nodes != 0 ? job.num_nodes : 1);
  uint32_t num_tasks = placed;
  if (num_tasks == 0) {
    // No placement given: the job's task count (or one per node), spread over the nodes.
    num_tasks = job.num_tasks != 0 ? job.num_tasks : num_nodes;
    tasks_per_node.assign(num_nodes, 0);
    for (uint32_t t = 0; t < num_tasks; ++t) ++tasks_per_node[t % num_nodes];
  }
  if (cpus_per_node.empty()) cpus_per_node.assign(num_nodes, job.num_cpus / num_nodes);
  const std::string nodelist = !names.empty() ? CompressHostlist(names) : job.nodelist;

  std::vector<std::pair<std::string, std::string>> vars = {
      {"JOB_ID", std::to_string(job.job_id)},
      {"JOBID", std::to_string(job.job_id)},
      {"JOB_NAME", job.name},
      {"JOB_NODELIST", nodelist},
      {"NODELIST", nodelist},
      {"JOB_NUM_NODES", std::to_string(num_nodes)},
      {"NNODES", std::to_string(num_nodes)},
      {"NTASKS", std::to_string(num_tasks)},
      {"NPROCS", std::to_string(num_tasks)},
      {"JOB_CPUS_PER_NODE", FormatCountList(cpus_per_node)},
      {"TASKS_PER_NODE", FormatCountList(tasks_per_node)},
      {"CPUS_PER_TASK", std::to_string(job.cpus_per_task != 0 ? job.cpus_per_task : 1)},
      {"JOB_PARTITION", job.partition},
      {"CLUSTER_NAME", ctx.cluster_name},
      {"SUBMIT_DIR", ctx.submit_dir},
      {"SUBMIT_HOST", ctx.submit_host},
  };
  if (job.mem_mb != 0) vars.emplace_back("MEM_PER_NODE", std::to_string(job.mem_mb));
  if (!job.user.empty()) vars.emplace_back("JOB_USER", job.user);
  for (const char* prefix : {"HERD_", "SLURM_"}) {
    for (const auto& [name, value] : vars) cli::SetEnv(&env, prefix + name, value);
  }
  cli::SetEnv(&env, "HERD_CONF", ctx.conf_path);
  return env;
}

}  // namespace herd::halloc
