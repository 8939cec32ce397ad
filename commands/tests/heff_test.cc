// herd heff — seff's report for jobs of known figures (seff's lines and number formats
// from its documented output: seff is not packaged for Debian 12).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "commands/heff/heff_format.h"
#include "commands/tests/acct_rows_fixture.h"
#include "common/proto/types.h"

namespace herd {
namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;
using testing::Batch;
using testing::Job;
using testing::kStart;

TEST(Heff, SeffFormats) {
  EXPECT_EQ(heff::SeffTime(0), "00:00:00");
  EXPECT_EQ(heff::SeffTime(3 * 86400 + 3661), "3-01:01:01");
  EXPECT_EQ(heff::SeffKbytes(0), "0.00 MB");
  EXPECT_EQ(heff::SeffKbytes(512), "512.00 KB");
  EXPECT_EQ(heff::SeffKbytes(1536 * 1024), "1.50 GB");
}

TEST(Heff, CompletedJobAsSeff) {
  JobRow j = Job(7, proto::JobState::kCompleted, 0);
  // 150 s of CPU over 100 s on 4 cores; 512 MiB peak of 2 GiB per node.
  j.steps = {Batch(7, 120'000'000, 30'400'000, 512 * 1024)};
  EXPECT_EQ(heff::FormatEfficiency(j, "anchor", "root", 0),
            "Job ID: 7\n"
            "Cluster: anchor\n"
            "User/Group: root/root\n"
            "State: COMPLETED (exit code 0)\n"
            "Nodes: 1\n"
            "Cores per node: 4\n"
            "CPU Utilized: 00:02:30\n"
            "CPU Efficiency: 37.50% of 00:06:40 core-walltime\n"
            "Job Wall-clock time: 00:01:40\n"
            "Memory Utilized: 512.00 MB\n"
            "Memory Efficiency: 25.00% of 2.00 GB (2.00 GB/node)\n"
            "Wall-clock Efficiency: 16.67% of 00:10:00 time limit\n");
}

TEST(Heff, FailedPendingRunningAndSteps) {
  JobRow f = Job(1, proto::JobState::kFailed, 3 << 8);
  f.alloc_cpus = 1;
  f.req_mem_per_cpu = true;
  f.alloc_mem_mb = 0;
  f.time_limit_s = -1;
  const std::string failed = heff::FormatEfficiency(f, "c", "g", 0);
  EXPECT_NE(failed.find("State: FAILED (exit code 3)\nCores: 1\n"), std::string::npos) << failed;
  EXPECT_NE(failed.find("CPU Utilized: 00:00:00\nCPU Efficiency: 0.00% of 00:01:40"),
            std::string::npos);  // nothing measured: zero, as seff
  EXPECT_NE(failed.find("Memory Efficiency: 0.00% of 0.00 MB (0.00 MB/core)\n"), std::string::npos);
  EXPECT_EQ(failed.find("time limit"), std::string::npos);

  JobRow p = Job(2, proto::JobState::kPending, 0);
  p.start_time = p.end_time = 0;
  const std::string pending = heff::FormatEfficiency(p, "c", "g", 0);
  EXPECT_NE(pending.find("State: PENDING\nNodes: 1\nCores per node: 4\n"
                         "Efficiency not available for jobs in the PENDING state.\n"),
            std::string::npos)
      << pending;

  // Running, two nodes, a 4-task step: memory is the step's tasks' peaks summed.
  JobRow r = Job(3, proto::JobState::kRunning, 0);
  r.end_time = 0;
  r.nnodes = 2;
  r.alloc_cpus = 8;
  StepRow s = Batch(3, 1'000'000, 0, 100);
  s.step_id = 0;
  s.nnodes = 2;
  s.ntasks = 4;
  s.max_rss_kb = 3 * 1024 * 1024;
  s.ave_rss_kb = 1024 * 1024;
  s.max_rss_task = -1;  // several tasks on that node: not one task's figure
  r.steps = {Batch(3, 1'000'000, 0, 1024), s};
  const std::string running = heff::FormatEfficiency(r, "c", "g", kStart + 50);
  EXPECT_NE(running.find("State: RUNNING\nNodes: 2\nCores per node: 4\n"), std::string::npos);
  EXPECT_NE(running.find("Job Wall-clock time: 00:00:50\nMemory Utilized: 4.00 GB\n"),
            std::string::npos)
      << running;
  EXPECT_EQ(running.find("largest memory"), std::string::npos);
  EXPECT_NE(running.find("WARNING: Efficiency statistics can only be obtained after the job"),
            std::string::npos);
}

}  // namespace
}  // namespace herd
