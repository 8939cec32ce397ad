// herd — what accounting stores: one row per job (its latest run), per step, per node
// state change. Plain data built by the controller from its state (acct_feed.h) and read
// back by hacct. Times are Unix seconds (0 = not yet), states are proto::JobState values,
// exit statuses raw wait statuses. Usage the nodes do not report yet is -1 (unknown): it
// is stored as NULL and shown empty, never as a made-up zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace herd::ctld::acct {

struct StepRow {
  uint64_t job_id = 0;
  uint32_t step_id = 0;  // proto::kBatchStep for the batch script
  std::string name;
  int state = 0;
  int64_t start_time = 0;
  int64_t end_time = 0;
  int32_t exit_status = 0;
  std::string nodes;  // hostlist
  uint32_t nnodes = 0;
  uint32_t ntasks = 0;
  uint32_t alloc_cpus = 0;
  // From the nodes' completion reports; -1 while they carry none.
  int64_t user_cpu_us = -1;
  int64_t sys_cpu_us = -1;
  int64_t max_rss_kb = -1;
  std::string max_rss_node;
  int64_t max_rss_task = -1;
  int64_t ave_rss_kb = -1;
  int64_t max_vmsize_kb = -1;
  int64_t disk_read_bytes = -1;
  int64_t disk_write_bytes = -1;
  int64_t energy_j = -1;
};

struct JobRow {
  uint64_t job_id = 0;
  int64_t array_job_id = -1;  // -1: not an array task
  int64_t array_task_id = -1;
  std::string name;
  uint32_t uid = 0;
  std::string user;
  uint32_t gid = 0;
  std::string account;
  std::string qos;
  std::string partition;
  int64_t submit_time = 0;
  int64_t eligible_time = 0;
  int64_t start_time = 0;
  int64_t end_time = 0;
  int state = 0;
  std::string reason;
  int32_t exit_status = 0;   // of the batch script (or the allocation's command)
  int32_t derived_exit = 0;  // the highest of its steps'
  std::string nodes;         // hostlist; "None assigned" is the display's business
  uint32_t nnodes = 0;
  uint32_t alloc_cpus = 0;
  uint64_t alloc_mem_mb = 0;
  uint32_t req_cpus = 0;
  uint64_t req_mem_mb = 0;
  bool req_mem_per_cpu = false;
  uint32_t req_nodes = 0;
  int64_t time_limit_s = -1;  // -1 unlimited
  std::string work_dir;
  std::string submit_line;
  uint32_t priority = 0;
  uint32_t restarts = 0;
  bool batch = true;           // false: an allocation (halloc / hrun without one)
  std::vector<StepRow> steps;  // filled by queries; the feed sends steps on their own
};

// A node's state from `time_start` until `time_end` (0 = still so).
struct NodeEventRow {
  std::string node;
  int64_t time_start = 0;
  int64_t time_end = 0;
  std::string state;  // DOWN, DRAIN, DOWN+DRAIN, UP
  std::string reason;
  uint32_t reason_uid = 0;
};

// One delivery: stored in one transaction, rows replacing those with the same keys.
struct Batch {
  std::vector<JobRow> jobs;
  std::vector<StepRow> steps;
  std::vector<NodeEventRow> node_events;
  size_t size() const { return jobs.size() + steps.size() + node_events.size(); }
};

// What hacct asks for (empty / 0 = any).
struct JobQuery {
  std::vector<uint64_t> job_ids;
  std::vector<uint32_t> uids;
  std::vector<std::string> accounts;
  std::vector<std::string> names;
  std::vector<std::string> partitions;
  // sacct -s: jobs that were in one of these states during [start, end]: PENDING and
  // RUNNING at any time in the window, whatever they are now; the others (ended states)
  // now in that state and ended in the window.
  std::vector<int> states;
  // Without states: jobs that were eligible or running in [start, end] (sacct -S/-E);
  // 0 = unbounded.
  int64_t start = 0;
  int64_t end = 0;
  bool with_steps = true;
  size_t limit = 0;  // 0 = all
  // The jobs table's columns to read (acct_columns.cc's names; empty: all): a caller that
  // prints a few fields of many jobs reads only those. The others keep JobRow's defaults.
  std::vector<std::string> columns;
};

// Allocated CPU time summed from the hourly rollups (what hreport reads): per account,
// user and job size (allocated cpus) over whole hours.
struct UsageRow {
  std::string account;
  std::string user;
  uint32_t uid = 0;
  uint32_t cpus = 0;  // the jobs' allocated cpus (hreport job sizesbyaccount groups them)
  int64_t cpu_s = 0;  // cpu-seconds allocated within the hours asked for
};

// What hacctmgr show event asks for (empty / 0 = any): periods that overlap [start, end]
// (an open one is still going on); with `open_only`, only periods not ended.
struct EventQuery {
  std::vector<std::string> nodes;
  std::vector<std::string> states;
  std::vector<uint32_t> uids;
  int64_t start = 0;
  int64_t end = 0;
  bool open_only = false;
};

}  // namespace herd::ctld::acct
