// herd — the jobs table's columns, in the table's order.
#include "controller/acct/acct_columns.h"

#include <cstdint>

namespace herd::ctld::acct {
namespace {

using R = const SqlRow&;

const JobColumn kColumns[] = {
    {"job_id", [](R r, size_t c, JobRow* j) { j->job_id = static_cast<uint64_t>(r.AsInt(c)); }},
    {"array_job_id", [](R r, size_t c, JobRow* j) { j->array_job_id = r.AsInt(c, -1); }},
    {"array_task_id", [](R r, size_t c, JobRow* j) { j->array_task_id = r.AsInt(c, -1); }},
    {"name", [](R r, size_t c, JobRow* j) { j->name = r.AsText(c); }},
    {"uid", [](R r, size_t c, JobRow* j) { j->uid = static_cast<uint32_t>(r.AsInt(c)); }},
    {"user_name", [](R r, size_t c, JobRow* j) { j->user = r.AsText(c); }},
    {"gid", [](R r, size_t c, JobRow* j) { j->gid = static_cast<uint32_t>(r.AsInt(c)); }},
    {"account", [](R r, size_t c, JobRow* j) { j->account = r.AsText(c); }},
    {"qos", [](R r, size_t c, JobRow* j) { j->qos = r.AsText(c); }},
    {"part", [](R r, size_t c, JobRow* j) { j->partition = r.AsText(c); }},
    {"submit_time", [](R r, size_t c, JobRow* j) { j->submit_time = r.AsInt(c); }},
    {"eligible_time", [](R r, size_t c, JobRow* j) { j->eligible_time = r.AsInt(c); }},
    {"start_time", [](R r, size_t c, JobRow* j) { j->start_time = r.AsInt(c); }},
    {"end_time", [](R r, size_t c, JobRow* j) { j->end_time = r.AsInt(c); }},
    {"state", [](R r, size_t c, JobRow* j) { j->state = static_cast<int>(r.AsInt(c)); }},
    {"reason", [](R r, size_t c, JobRow* j) { j->reason = r.AsText(c); }},
    {"exit_status",
     [](R r, size_t c, JobRow* j) { j->exit_status = static_cast<int32_t>(r.AsInt(c)); }},
    {"derived_exit",
     [](R r, size_t c, JobRow* j) { j->derived_exit = static_cast<int32_t>(r.AsInt(c)); }},
    {"nodes", [](R r, size_t c, JobRow* j) { j->nodes = r.AsText(c); }},
    {"nnodes", [](R r, size_t c, JobRow* j) { j->nnodes = static_cast<uint32_t>(r.AsInt(c)); }},
    {"alloc_cpus",
     [](R r, size_t c, JobRow* j) { j->alloc_cpus = static_cast<uint32_t>(r.AsInt(c)); }},
    {"alloc_mem_mb",
     [](R r, size_t c, JobRow* j) { j->alloc_mem_mb = static_cast<uint64_t>(r.AsInt(c)); }},
    {"req_cpus", [](R r, size_t c, JobRow* j) { j->req_cpus = static_cast<uint32_t>(r.AsInt(c)); }},
    {"req_mem_mb",
     [](R r, size_t c, JobRow* j) { j->req_mem_mb = static_cast<uint64_t>(r.AsInt(c)); }},
    {"req_mem_per_cpu", [](R r, size_t c, JobRow* j) { j->req_mem_per_cpu = r.AsInt(c) != 0; }},
    {"req_nodes",
     [](R r, size_t c, JobRow* j) { j->req_nodes = static_cast<uint32_t>(r.AsInt(c)); }},
    {"time_limit_s", [](R r, size_t c, JobRow* j) { j->time_limit_s = r.AsInt(c); }},
    {"work_dir", [](R r, size_t c, JobRow* j) { j->work_dir = r.AsText(c); }},
    {"submit_line", [](R r, size_t c, JobRow* j) { j->submit_line = r.AsText(c); }},
    {"priority", [](R r, size_t c, JobRow* j) { j->priority = static_cast<uint32_t>(r.AsInt(c)); }},
    {"restarts", [](R r, size_t c, JobRow* j) { j->restarts = static_cast<uint32_t>(r.AsInt(c)); }},
    {"batch", [](R r, size_t c, JobRow* j) { j->batch = r.AsInt(c) != 0; }},
};

}  // namespace

Result<std::vector<const JobColumn*>> SelectJobColumns(const std::vector<std::string>& names) {
  std::vector<const JobColumn*> out;
  if (names.empty()) {
    for (const JobColumn& c : kColumns) out.push_back(&c);
    return out;
  }
  out.push_back(&kColumns[0]);  // job_id: rows are merged and ordered by it
  for (const std::string& n : names) {
    const JobColumn* found = nullptr;
    for (const JobColumn& c : kColumns) {
      if (n == c.name) found = &c;
    }
    if (found == nullptr) return InvalidArgument("no such column in the jobs table: " + n);
    bool have = false;
    for (const JobColumn* c : out) have = have || c == found;
    if (!have) out.push_back(found);
  }
  return out;
}

std::string SelectList(const std::vector<const JobColumn*>& cols) {
  std::string out;
  for (const JobColumn* c : cols) out += (out.empty() ? "" : ", ") + std::string(c->name);
  return out;
}

JobRow ReadJob(const SqlRow& r, const std::vector<const JobColumn*>& cols) {
  JobRow j;
  for (size_t i = 0; i < cols.size(); ++i) cols[i]->read(r, i, &j);
  return j;
}

}  // namespace herd::ctld::acct
