// herd commands tests — accounting rows of known outcomes (a job on the anchor's n1, its
// batch script's usage), shared by the heff and hacct --json tests.
#pragma once

#include "common/proto/types.h"
#include "controller/acct/acct_record.h"

namespace herd::testing {

using ctld::acct::JobRow;
using ctld::acct::StepRow;

inline constexpr int64_t kStart = 1796650572;

inline JobRow Job(uint64_t id, proto::JobState st, int32_t status) {
  JobRow j;
  j.job_id = id;
  j.name = "wrap";
  j.user = "root";
  j.account = "anchor";
  j.qos = "normal";
  j.partition = "debug";
  j.state = static_cast<int>(st);
  j.exit_status = status;
  j.submit_time = j.eligible_time = kStart - 1;
  j.start_time = kStart;
  j.end_time = kStart + 100;
  j.nodes = "n1";
  j.nnodes = 1;
  j.alloc_cpus = 4;
  j.req_cpus = 4;
  j.req_nodes = 1;
  j.alloc_mem_mb = 2048;
  j.time_limit_s = 600;
  j.work_dir = "/tmp/w";
  return j;
}

inline StepRow Batch(uint64_t id, int64_t user_us, int64_t sys_us, int64_t rss_kb) {
  StepRow s;
  s.job_id = id;
  s.step_id = proto::kBatchStep;
  s.name = "batch";
  s.nodes = "n1";
  s.nnodes = 1;
  s.ntasks = 1;
  s.alloc_cpus = 4;
  s.user_cpu_us = user_us;
  s.sys_cpu_us = sys_us;
  s.max_rss_kb = s.ave_rss_kb = rss_kb;
  s.max_rss_task = 0;
  return s;
}

}  // namespace herd::testing
