// herd — the accounting rows built from the controller's records: the fields a job has
// (account, QOS, submit line, work dir, priority, restarts) and the usage its nodes
// measured, in the columns sacct shows them from.
#include <gtest/gtest.h>

#include "controller/acct/acct_rows.h"

namespace herd::ctld::acct {
namespace {

Job FinishedJob() {
  Job j;
  j.id = 42;
  j.user = "alice";
  j.uid = 1000;
  j.partition = "debug";
  proto::JobSpec spec;
  spec.name = "sim";
  spec.work_dir = "/home/alice/run";
  spec.account = "physics";
  spec.qos = "high";
  spec.submit_line = "hbatch -A physics -q high -n 3 sim.sh";
  spec.num_tasks = 3;
  j.spec = spec;
  j.state = JobState::kCompleted;
  j.priority = 4294901;
  j.restarts = 2;
  j.start_time = 100;
  j.end_time = 160;
  j.alloc = {NodeAlloc{"n1", {0, 1}, 0, 2}, NodeAlloc{"n2", {0}, 0, 1}};
  j.usage = {NodeUsage{"n1", {true, 400000, 100000, 2 << 20, 0}}};
  StepRecord s;
  s.step_id = 0;
  s.name = "mpi";
  s.state = JobState::kCompleted;
  s.num_tasks = 3;
  s.layout = {proto::StepNode{"n1", {0, 1}, {0, 1}, 0}, proto::StepNode{"n2", {2}, {0}, 0}};
  s.usage = {NodeUsage{"n2", {true, 1000000, 30000, 90 << 20, 0}},
             NodeUsage{"n1", {true, 2000000, 70000, 60 << 20, 0}}};
  j.steps = {s};
  return j;
}

TEST(AcctRows, TheJobsFields) {
  const JobRow r = JobRowOf(FinishedJob());
  EXPECT_EQ(r.account, "physics");
  EXPECT_EQ(r.qos, "high");
  EXPECT_EQ(r.submit_line, "hbatch -A physics -q high -n 3 sim.sh");
  EXPECT_EQ(r.work_dir, "/home/alice/run");
  EXPECT_EQ(r.priority, 4294901u);
  EXPECT_EQ(r.restarts, 2u);
  EXPECT_EQ(r.alloc_cpus, 3u);
  EXPECT_EQ(r.req_cpus, 3u);
  EXPECT_EQ(r.nodes, "n[1-2]");
  EXPECT_EQ(r.array_task_id, -1) << "no arrays yet";
}

TEST(AcctRows, UsageOfTheBatchScriptAndSteps) {
  const std::vector<StepRow> rows = StepRowsOf(FinishedJob());
  ASSERT_EQ(rows.size(), 2u);
  const StepRow& b = rows[0];
  EXPECT_EQ(b.step_id, proto::kBatchStep);
  EXPECT_EQ(b.name, "batch");
  EXPECT_EQ(b.nodes, "n1");
  EXPECT_EQ(b.alloc_cpus, 2u) << "its node's share";
  EXPECT_EQ(b.user_cpu_us, 400000);
  EXPECT_EQ(b.sys_cpu_us, 100000);
  EXPECT_EQ(b.max_rss_kb, 2048);
  EXPECT_EQ(b.max_rss_node, "n1");
  EXPECT_EQ(b.max_rss_task, 0);
  EXPECT_EQ(b.ave_rss_kb, 2048);
  const StepRow& s = rows[1];
  EXPECT_EQ(s.user_cpu_us, 3000000);
  EXPECT_EQ(s.sys_cpu_us, 100000);
  EXPECT_EQ(s.max_rss_kb, 90 * 1024) << "the highest node's peak";
  EXPECT_EQ(s.max_rss_node, "n2");
  EXPECT_EQ(s.max_rss_task, 2) << "n2 ran task 2 alone";
  EXPECT_EQ(s.ave_rss_kb, 150 * 1024 / 3) << "the peaks' sum per task";
  EXPECT_EQ(s.max_vmsize_kb, -1) << "not measured: unknown, not zero";
  EXPECT_EQ(s.disk_read_bytes, -1);
}

TEST(AcctRows, NothingMeasuredStaysUnknown) {
  Job j = FinishedJob();
  j.usage.clear();
  j.steps[0].usage.clear();
  const std::vector<StepRow> rows = StepRowsOf(j);
  ASSERT_EQ(rows.size(), 1u) << "no batch row without a measure: hacct shows it from the job";
  EXPECT_EQ(rows[0].user_cpu_us, -1);
  EXPECT_EQ(rows[0].max_rss_kb, -1);
  EXPECT_EQ(rows[0].max_rss_task, -1);
  // A node with several tasks: its figure is not one task's.
  j = FinishedJob();
  j.steps[0].usage = {NodeUsage{"n1", {true, 1, 1, 8 << 20, 0}}};
  EXPECT_EQ(StepRowsOf(j)[1].max_rss_task, -1);
}

}  // namespace
}  // namespace herd::ctld::acct
