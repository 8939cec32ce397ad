// herd — rows from the controller's records.
#include "controller/acct/acct_rows.h"

#include <algorithm>

#include "common/base/hostlist.h"

namespace herd::ctld::acct {

JobRow JobRowOf(const Job& j) {
  JobRow r;
  r.job_id = j.id;
  r.name = j.spec.name;
  r.uid = j.uid;
  r.user = j.user;
  r.gid = j.gid;
  r.partition = j.partition;
  r.submit_time = j.submit_time;
  r.eligible_time = j.submit_time;
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
  r.priority = j.priority;
  r.restarts = j.restarts;
  r.batch = !j.spec.interactive;
  return r;
}

std::vector<StepRow> StepRowsOf(const Job& j) {
  std::vector<StepRow> rows;
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
    // Usage (CPU time, RSS, I/O): the nodes' completion reports carry none yet; the
    // columns stay unknown rather than zero.
    rows.push_back(std::move(r));
  }
  return rows;
}

NodeEventRow NodeEventOf(const NodeUpdated& e) {
  NodeEventRow r;
  r.node = e.name;
  r.time_start = e.time;
  r.reason = e.reason;
  if (e.down && e.drain) {
    r.state = "DOWN+DRAIN";
  } else if (e.down) {
    r.state = "DOWN";
  } else if (e.drain) {
    r.state = "DRAIN";
  } else {
    r.state = "UP";
  }
  return r;
}

}  // namespace herd::ctld::acct
