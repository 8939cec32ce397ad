// herd — the jobs table's columns as queries read them: each column's name and how its
// value goes into a JobRow, so a query can read only the columns its caller prints
// (JobQuery::columns). Internal to AcctStore.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/acct/acct_record.h"
#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {

// Every column of the jobs and steps tables but the cluster, in the tables' order (keys
// first after the cluster).
inline constexpr const char* kJobCols =
    "job_id, array_job_id, array_task_id, name, uid, user_name, gid, account, qos, part,"
    " submit_time, eligible_time, start_time, end_time, state, reason, exit_status,"
    " derived_exit, nodes, nnodes, alloc_cpus, alloc_mem_mb, req_cpus, req_mem_mb,"
    " req_mem_per_cpu, req_nodes, time_limit_s, work_dir, submit_line, priority, restarts,"
    " batch";
inline constexpr int kJobColCount = 32;

inline constexpr const char* kStepCols =
    "job_id, step_id, name, state, start_time, end_time, exit_status, nodes, nnodes, ntasks,"
    " alloc_cpus, user_cpu_us, sys_cpu_us, max_rss_kb, max_rss_node, max_rss_task,"
    " ave_rss_kb, max_vmsize_kb, disk_read, disk_write, energy_j";
inline constexpr int kStepColCount = 21;

struct JobColumn {
  const char* name;
  void (*read)(const SqlRow& r, size_t c, JobRow* j);
};

// The columns named (all of them when `names` is empty), job_id first; an unknown name is
// an error.
Result<std::vector<const JobColumn*>> SelectJobColumns(const std::vector<std::string>& names);
// "job_id, name, ...": the SELECT list of `cols`.
std::string SelectList(const std::vector<const JobColumn*>& cols);
// A result row of that SELECT list as a JobRow (the columns not read keep their defaults).
JobRow ReadJob(const SqlRow& r, const std::vector<const JobColumn*>& cols);

}  // namespace herd::ctld::acct
