// herd — rows from the controller's records.
#include "controller/acct/acct_rows.h"

#include <algorithm>

#include "common/base/hostlist.h"

namespace herd::ctld::acct {
namespace {

// The usage columns from what the nodes measured (one figure per node: the step's group
// there). MaxRSS is the highest node's peak, with its node, and its task when that node
// ran one task only (a node's figure covers all its tasks); AveRSS the peaks' sum per
// task. Nothing measured: the columns stay unknown (-1), never zero.
void FillUsage(const std::vector<NodeUsage>& usage, const std::vector<proto::StepNode>& layout,
               StepRow* r) {
  if (usage.empty()) return;
  int64_t user = 0, sys = 0, peak_sum = 0;
  uint32_t tasks = 0;
  const NodeUsage* max = nullptr;
  for (const NodeUsage& u : usage) {
    user += static_cast<int64_t>(u.usage.cpu_user_us);
    sys += static_cast<int64_t>(u.usage.cpu_system_us);
    peak_sum += static_cast<int64_t>(u.usage.mem_peak_bytes / 1024);
    uint32_t on_node = 1;
    for (const proto::StepNode& n : layout) {
      if (n.node == u.node) on_node = std::max<uint32_t>(static_cast<uint32_t>(n.tasks.size()), 1);
    }
    tasks += on_node;
    if (max == nullptr || u.usage.mem_peak_bytes > max->usage.mem_peak_bytes) max = &u;
  }
  r->user_cpu_us = user;
  r->sys_cpu_us = sys;
  r->max_rss_kb = static_cast<int64_t>(max->usage.mem_peak_bytes / 1024);
  r->max_rss_node = max->node;
  r->max_rss_task = 0;  // the batch script: its one task
  for (const proto::StepNode& n : layout) {
    if (n.node != max->node) continue;
    r->max_rss_task = n.tasks.size() == 1 ? static_cast<int64_t>(n.tasks[0]) : -1;
  }
  r->ave_rss_kb = peak_sum / std::max<uint32_t>(tasks, 1);
}

}  // namespace

JobRow JobRowOf(const Job& j) {
  JobRow r;
  r.job_id = j.id;
  r.name = j.spec.name;
  r.uid = j.uid;
  r.user = j.user;
  r.gid = j.gid;
  r.partition = j.partition;
  r.submit_time = j.submit_time;
  r.eligible_time = std::max(j.submit_time, j.spec.begin_time);  // --begin
  r.start_time = j.start_time;
  r.end_time = j.end_time;
  r.state = static_cast<int>(j.state);
  r.reason = j.reason;
  r.exit_status = j.wait_status;
  // Slurm's DerivedExitCode: the highest exit status of the job's steps.
  for (const StepRecord& s : j.steps) r.derived_exit = std::max(r.derived_exit, s.wait_status);
  std::vector<std::string> names;
  for (const NodeAlloc& a : j.alloc) {
    names.push_back(a.node);
    r.alloc_cpus += static_cast<uint32_t>(a.cpus.size());
    r.alloc_mem_mb += a.mem_mb;
  }
  r.nodes = CompressHostlist(names);
  r.req_nodes = std::max<uint32_t>(j.spec.min_nodes, 1);
  r.nnodes = j.alloc.empty() ? r.req_nodes : static_cast<uint32_t>(j.alloc.size());
  const uint32_t tasks = j.spec.num_tasks != 0 ? j.spec.num_tasks : r.req_nodes;
  r.req_cpus = tasks * std::max<uint32_t>(j.spec.cpus_per_task, 1);
  r.req_mem_per_cpu = j.spec.mem_per_cpu_mb != 0;
  r.req_mem_mb = r.req_mem_per_cpu ? j.spec.mem_per_cpu_mb : j.spec.mem_per_node_mb;
  r.time_limit_s = j.time_limit_s;
  r.work_dir = j.spec.work_dir;
  r.account = j.spec.account;
  r.qos = j.spec.qos;
  r.submit_line = j.spec.submit_line;
  r.priority = j.priority;
  r.restarts = j.restarts;
  r.batch = !j.spec.interactive;
  if (j.array_task_id != proto::kNoArrayTask) {  // an array's task: JobID 123_4
    r.array_job_id = static_cast<int64_t>(j.array_job_id);
    r.array_task_id = j.array_task_id;
  }
  return r;
}

std::vector<StepRow> StepRowsOf(const Job& j) {
  std::vector<StepRow> rows;
  if (!j.usage.empty()) {
    // The batch script's usage, in a row of its own (step id kBatchStep): hacct's ID.batch.
    StepRow r;
    r.job_id = j.id;
    r.step_id = proto::kBatchStep;
    r.name = "batch";
    r.state = static_cast<int>(j.state);
    r.start_time = j.start_time;
    r.end_time = j.end_time;
    r.exit_status = j.wait_status;
    r.nodes = j.usage.front().node;
    r.nnodes = 1;
    r.ntasks = 1;
    for (const NodeAlloc& a : j.alloc) {
      if (a.node == r.nodes) r.alloc_cpus = static_cast<uint32_t>(a.cpus.size());
    }
    FillUsage(j.usage, {}, &r);
    rows.push_back(std::move(r));
  }
  for (const StepRecord& s : j.steps) {
    StepRow r;
    r.job_id = j.id;
    r.step_id = s.step_id;
    r.name = s.name;
    r.state = static_cast<int>(s.state);
    r.start_time = s.start_time;
    r.end_time = s.end_time;
    r.exit_status = s.wait_status;
    std::vector<std::string> names;
    for (const proto::StepNode& n : s.layout) {
      names.push_back(n.node);
      r.alloc_cpus += static_cast<uint32_t>(n.cpus.size());
    }
    r.nodes = CompressHostlist(names);
    r.nnodes = static_cast<uint32_t>(s.layout.size());
    r.ntasks = s.num_tasks;
    // CPU time and memory as the nodes measured them; I/O, VM size and energy they do not
    // report: those columns stay unknown.
    FillUsage(s.usage, s.layout, &r);
    rows.push_back(std::move(r));
  }
  return rows;
}

NodeEventRow NodeEventOf(const std::string& node, const NodeChange& c) {
  NodeEventRow r;
  r.node = node;
  r.time_start = c.time;
  r.reason = c.reason;
  r.reason_uid = c.reason_uid;
  if (c.down && c.drain) {
    r.state = "DOWN+DRAIN";
  } else if (c.down) {
    r.state = "DOWN";
  } else if (c.drain) {
    r.state = "DRAIN";
  } else {
    r.state = "UP";
  }
  return r;
}

}  // namespace herd::ctld::acct
