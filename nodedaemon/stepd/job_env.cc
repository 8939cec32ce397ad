// herd — batch job environment.
#include "nodedaemon/stepd/job_env.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <utility>

#include "common/base/hostlist.h"

namespace herd::noded {
namespace {

// Ordered environment with replace-in-place semantics.
class EnvBuilder {
 public:
  void Set(const std::string& name, const std::string& value) {
    auto it = index_.find(name);
    if (it != index_.end()) {
      entries_[it->second] = name + "=" + value;
      return;
    }
    index_[name] = entries_.size();
    entries_.push_back(name + "=" + value);
  }
  void SetIfAbsent(const std::string& name, const std::string& value) {
    if (index_.count(name) == 0 && !value.empty()) Set(name, value);
  }
  std::vector<std::string> Take() { return std::move(entries_); }
  std::string Get(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? "" : entries_[it->second].substr(name.size() + 1);
  }

 private:
  std::vector<std::string> entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace

bool FindEnv(const std::vector<std::string>& env, const std::string& name, std::string* value) {
  const std::string* found = nullptr;
  for (const std::string& e : env) {
    if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0) {
      found = &e;
    }
  }
  if (found != nullptr && value != nullptr) *value = found->substr(name.size() + 1);
  return found != nullptr;
}

void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  auto defines = [&](const std::string& e) {
    return e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0;
  };
  auto it = std::find_if(env->begin(), env->end(), defines);
  if (it == env->end()) {
    env->push_back(name + "=" + value);
    return;
  }
  *it = name + "=" + value;
  env->erase(std::remove_if(it + 1, env->end(), defines), env->end());
}

std::vector<std::string> BuildJobEnv(const proto::LaunchBatchRequest& req,
                                     const JobEnvContext& ctx) {
  EnvBuilder env;
  for (const std::string& e : req.spec.env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.Set(e.substr(0, eq), e.substr(eq + 1));
  }

  // Per-node counts, in allocation order.
  std::vector<uint32_t> cpus_per_node;
  std::vector<uint32_t> tasks_per_node;
  uint32_t total_tasks = 0;
  uint32_t cpus_here = 0;
  for (const proto::NodeAlloc& a : req.alloc) {
    cpus_per_node.push_back(static_cast<uint32_t>(a.cpus.size()));
    tasks_per_node.push_back(a.tasks);
    total_tasks += a.tasks;
    if (a.node == ctx.node) cpus_here = static_cast<uint32_t>(a.cpus.size());
  }
  if (cpus_here == 0 && !req.alloc.empty()) {
    cpus_here = static_cast<uint32_t>(req.alloc.front().cpus.size());
  }
  const uint32_t num_nodes = req.alloc.empty() ? 1 : static_cast<uint32_t>(req.alloc.size());
  if (total_tasks == 0) {
    // No per-node placement given: one task per node, or the requested count.
    total_tasks = req.spec.num_tasks != 0 ? req.spec.num_tasks : num_nodes;
    tasks_per_node.assign(num_nodes, 0);
    for (uint32_t t = 0; t < total_tasks; ++t) ++tasks_per_node[t % num_nodes];
  }
  if (cpus_per_node.empty()) cpus_per_node.push_back(cpus_here);
  std::string nodelist = req.nodelist.empty() ? ctx.node : req.nodelist;
  std::string partition = req.partition.empty() ? req.spec.partition : req.partition;
  std::string submit_dir = req.spec.submit_dir.empty() ? req.spec.work_dir : req.spec.submit_dir;

  // Names shared by both prefixes (HERD_x and SLURM_x), with Slurm's value formats.
  std::vector<std::pair<std::string, std::string>> common = {
      {"JOB_ID", std::to_string(req.job_id)},
      {"JOBID", std::to_string(req.job_id)},
      {"JOB_NAME", req.spec.name},
      {"JOB_NODELIST", nodelist},
      {"NODELIST", nodelist},
      {"JOB_NUM_NODES", std::to_string(num_nodes)},
      {"NNODES", std::to_string(num_nodes)},
      {"NTASKS", std::to_string(total_tasks)},
      {"NPROCS", std::to_string(total_tasks)},
      {"CPUS_ON_NODE", std::to_string(cpus_here)},
      {"JOB_CPUS_PER_NODE", FormatCountList(cpus_per_node)},
      {"TASKS_PER_NODE", FormatCountList(tasks_per_node)},
      {"CPUS_PER_TASK", std::to_string(req.spec.cpus_per_task)},
  };
  if (req.spec.mem_per_node_mb != 0) {
    common.emplace_back("MEM_PER_NODE", std::to_string(req.spec.mem_per_node_mb));
  }
  if (req.spec.mem_per_cpu_mb != 0) {
    common.emplace_back("MEM_PER_CPU", std::to_string(req.spec.mem_per_cpu_mb));
  }
  const std::vector<std::pair<std::string, std::string>> rest = {
      {"SUBMIT_DIR", submit_dir},
      {"SUBMIT_HOST", ctx.hostname.empty() ? ctx.node : ctx.hostname},
      {"JOB_PARTITION", partition},
      {"NODEID", "0"},
      {"PROCID", "0"},
      {"LOCALID", "0"},
      {"JOB_UID", std::to_string(req.uid)},
      {"JOB_USER", req.user.empty() ? ctx.user : req.user},
      {"JOB_GID", std::to_string(req.gid)},
      {"CLUSTER_NAME", ctx.cluster_name},
      {"RESTART_COUNT", std::to_string(req.run_seq > 0 ? req.run_seq - 1 : 0)},
  };
  common.insert(common.end(), rest.begin(), rest.end());
  for (const auto& [name, value] : common) env.Set("HERD_" + name, value);
  env.Set("HERD_NODENAME", ctx.node);
  env.Set("HERD_CONF", ctx.conf_path);
  for (const auto& [name, value] : common) env.Set("SLURM_" + name, value);
  env.Set("SLURMD_NODENAME", ctx.node);

  env.SetIfAbsent("HOME", ctx.home);
  env.SetIfAbsent("USER", ctx.user);
  env.SetIfAbsent("LOGNAME", ctx.user);
  env.SetIfAbsent("SHELL", ctx.shell);
  env.SetIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
  if (!ctx.rdma) env.SetIfAbsent("OMPI_MCA_pml", "^cm");
  if (!ctx.compat_dir.empty()) {
    std::string path = env.Get("PATH");
    if (path.find(ctx.compat_dir) == std::string::npos) {
      env.Set("PATH", ctx.compat_dir + ":" + path);
    }
  }
  return env.Take();
}

std::string CompatDir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<size_t>(n));
  std::string dir = exe.substr(0, exe.find_last_of('/')) + "/../libexec/herd/compat";
  char real[4096];
  if (::realpath(dir.c_str(), real) == nullptr) return "";
  return real;
}

}  // namespace herd::noded
