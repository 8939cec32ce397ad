// herd hacct — options, time formats, fields and the table, against sacct's output shapes
// (as Slurm 22.05's sacct prints them).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <ctime>

#include "commands/hacct/hacct_fields.h"
#include "commands/hacct/hacct_live.h"
#include "commands/hacct/hacct_options.h"

namespace herd::hacct {
namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;

int64_t Local(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&tm));
}

JobRow Job(uint64_t id, int state, int32_t status) {
  JobRow j;
  j.job_id = id;
  j.name = "cancelme";
  j.user = "root";
  j.partition = "debug";
  j.state = state;
  j.exit_status = status;
  j.submit_time = j.eligible_time = Local(2026, 12, 7, 8, 3, 37);
  j.start_time = Local(2026, 12, 7, 8, 3, 38);
  j.end_time = Local(2026, 12, 7, 8, 3, 42);
  j.nodes = "n[1-2]";
  j.nnodes = 2;
  j.alloc_cpus = 2;
  j.time_limit_s = -1;
  return j;
}

TEST(HacctTimes, SacctFormats) {
  const int64_t now = Local(2026, 12, 7, 10, 30, 0);
  EXPECT_EQ(*ParseSacctTime("midnight", now), Local(2026, 12, 7, 0, 0, 0));
  EXPECT_EQ(*ParseSacctTime("now-1hours", now), now - 3600);
  EXPECT_EQ(*ParseSacctTime("now-2days", now), now - 2 * 86400);
  EXPECT_EQ(*ParseSacctTime("2026-12-01", now), Local(2026, 12, 1, 0, 0, 0));
  EXPECT_EQ(*ParseSacctTime("2026-12-01T08:15", now), Local(2026, 12, 1, 8, 15, 0));
  EXPECT_EQ(*ParseSacctTime("12/05-13:00:30", now), Local(2026, 12, 5, 13, 0, 30));
  EXPECT_EQ(*ParseSacctTime("08:00", now), Local(2026, 12, 7, 8, 0, 0));
  EXPECT_FALSE(ParseSacctTime("yesterdayish", now).ok());
  EXPECT_FALSE(ParseSacctTime("2026-13-01", now).ok());
  EXPECT_FALSE(ParseSacctTime("now-3fortnights", now).ok());
}

TEST(HacctOptions, DefaultsAndFilters) {
  const int64_t now = Local(2026, 12, 7, 10, 30, 0);
  auto o = ParseHacctArgs({}, now, 1000);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->query.start, Local(2026, 12, 7, 0, 0, 0));  // since midnight
  EXPECT_EQ(o->query.uids, std::vector<uint32_t>{1000});   // one's own jobs
  EXPECT_EQ(o->fields.size(), 7u);
  auto j = ParseHacctArgs({"-j", "12,13.batch", "-a", "-X", "-s", "CD,F,timeout"}, now, 1000);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->query.start, 0);  // -j: no window
  EXPECT_TRUE(j->query.uids.empty());
  EXPECT_EQ(j->query.job_ids, (std::vector<uint64_t>{12, 13}));
  EXPECT_EQ(j->query.states.size(), 3u);
  EXPECT_TRUE(j->allocations);
  auto snake = ParseHacctArgs(
      {"-X", "--parsable2", "--noheader", "--format=JobIdRaw,State", "--name", "u-1"}, now, 0);
  ASSERT_TRUE(snake.ok());
  ASSERT_EQ(snake->fields.size(), 2u);
  EXPECT_EQ(snake->fields[0].name, "JobIDRaw");
  EXPECT_EQ(snake->query.names, std::vector<std::string>{"u-1"});
  // -s: the jobs in those states now, or during -S .. -E (sacct 22.05 on the anchor).
  auto running = ParseHacctArgs({"-s", "R"}, now, 0);
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->query.start, now);
  EXPECT_EQ(running->query.end, now);
  auto ran = ParseHacctArgs({"-s", "R", "-S", "08:00"}, now, 0);
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(ran->query.end, Local(2026, 12, 7, 8, 0, 0)) << "ends where it starts";
  auto win = ParseHacctArgs({"-s", "CD", "-S", "08:00", "-E", "now"}, now, 0);
  ASSERT_TRUE(win.ok());
  EXPECT_EQ(win->query.end, now);
  EXPECT_FALSE(ParseHacctArgs({"-o", "JobID,Bogus"}, now, 0).ok());
  EXPECT_FALSE(ParseHacctArgs({"-s", "XX"}, now, 0).ok());
  EXPECT_FALSE(ParseHacctArgs({"-S", "now", "-E", "now-1days"}, now, 0).ok());
  EXPECT_FALSE(ParseHacctArgs({"-j", "abc"}, now, 0).ok());
}

TEST(HacctRender, DefaultTableAsSacct) {
  std::vector<JobRow> jobs{Job(3, 6, SIGTERM)};
  StepRow s;
  s.job_id = 3;
  s.step_id = 0;
  s.name = "hostname";
  s.state = 4;
  s.alloc_cpus = 2;
  s.nnodes = 2;
  jobs[0].steps.push_back(s);
  jobs[0].account = "anchor";
  auto o = ParseHacctArgs({"-j", "3"}, 0, 0);
  ASSERT_TRUE(o.ok());
  const std::string out = Render(RowsOf(jobs, false, 0), *o);
  // sacct's lines for the same job (cancelled, with a batch step and one step); herd keeps
  // the job's total cpus, so the batch step of a two-node job shows none.
  EXPECT_EQ(out,
            "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode \n"
            "------------ ---------- ---------- ---------- ---------- ---------- -------- \n"
            "3              cancelme      debug     anchor          2  CANCELLED      0:0 \n"
            "3.batch           batch                anchor          0  CANCELLED     0:15 \n"
            "3.0            hostname                anchor          2  COMPLETED      0:0 \n");
}

TEST(HacctRender, WidthsCutsAndParsable) {
  std::vector<JobRow> jobs{Job(3, 4, 0)};
  jobs[0].name = "a-rather-long-name";
  auto o =
      ParseHacctArgs({"-X", "-o", "JobID%-5,JobName%5,TimelimitRaw,Elapsed,Start,NodeList"}, 0, 0);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(Render(RowsOf(jobs, true, 0), *o),
            "JobID JobNa TimelimitR    Elapsed               Start        NodeList \n"
            "----- ----- ---------- ---------- ------------------- --------------- \n"
            "3     a-ra+  UNLIMITED   00:00:04 2026-12-07T08:03:38          n[1-2] \n");
  auto p = ParseHacctArgs({"-X", "-p", "-o", "JobID,JobName,ExitCode,MaxRSS"}, 0, 0);
  ASSERT_TRUE(p.ok());
  jobs[0].exit_status = 3 << 8;
  EXPECT_EQ(Render(RowsOf(jobs, true, 0), *p),
            "JobID|JobName|ExitCode|MaxRSS|\n3|a-rather-long-name|3:0||\n");
}

TEST(HacctRender, PendingAndRunningJobs) {
  JobRow pending = Job(5, 0, 0);
  pending.start_time = pending.end_time = 0;
  pending.nodes.clear();
  JobRow running = Job(6, 1, 0);
  running.end_time = 0;
  auto o = ParseHacctArgs({"-P", "-n", "-o", "JobID,State,Start,End,Elapsed,NodeList"}, 0, 0);
  ASSERT_TRUE(o.ok());
  std::vector<JobRow> jobs{pending, running};
  const int64_t now = running.start_time + 65;
  EXPECT_EQ(Render(RowsOf(jobs, false, now), *o),
            "5|PENDING|Unknown|Unknown|00:00:00|None assigned\n"
            "6|RUNNING|2026-12-07T08:03:38|Unknown|00:01:05|n[1-2]\n"
            "6.batch|RUNNING|2026-12-07T08:03:38|Unknown|00:01:05|n1\n");
}

// The usage columns as sacct 22.05 printed them for the same job on the anchor (a batch
// script holding 64 MiB, then a two-task step on n1): CPU times per row, the job's the
// sum; memory in KiB with "K"; the job's line has no memory figures.
TEST(HacctRender, UsageColumnsAsSacct) {
  std::vector<JobRow> jobs{Job(3, 4, 0)};
  StepRow batch;
  batch.job_id = 3;
  batch.step_id = 0xfffffffb;  // the batch script's row
  batch.name = "batch";
  batch.alloc_cpus = 1;
  batch.user_cpu_us = 150000;
  batch.sys_cpu_us = 59000;
  batch.max_rss_kb = batch.ave_rss_kb = 66072;
  batch.max_rss_node = "n1";
  batch.max_rss_task = 0;
  StepRow step;
  step.job_id = 3;
  step.step_id = 0;
  step.name = "python3";
  step.state = 4;
  step.ntasks = 2;
  step.user_cpu_us = 300000;
  step.sys_cpu_us = 27000;
  step.max_rss_kb = step.ave_rss_kb = 33928;
  step.max_rss_node = "n1";
  step.max_rss_task = 0;
  jobs[0].steps = {step, batch};
  auto o = ParseHacctArgs(
      {"-j", "3", "-o", "JobID,TotalCPU,MaxRSS,MaxRSSNode,MaxRSSTask,AveRSS,NTasks,AllocCPUS"}, 0,
      0);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(
      Render(RowsOf(jobs, false, 0), *o),
      "JobID          TotalCPU     MaxRSS MaxRSSNode MaxRSSTask     AveRSS   NTasks  AllocCPUS \n"
      "------------ ---------- ---------- ---------- ---------- ---------- -------- ---------- \n"
      "3             00:00.536                                                               2 \n"
      "3.batch       00:00.209     66072K         n1          0     66072K        1          1 \n"
      "3.0           00:00.327     33928K         n1          0     33928K        2          0 \n");
  auto p = ParseHacctArgs({"-j", "3", "-P", "-n", "-o", "JobID,UserCPU,SystemCPU"}, 0, 0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Render(RowsOf(jobs, false, 0), *p),
            "3|00:00.450|00:00.086\n3.batch|00:00.150|00:00.059\n3.0|00:00.300|00:00.027\n");
}

// --units as sacct 22.05 printed the same figures on the anchor (K whole, M and G with
// two decimals unless whole); -N keeps the jobs that ran on those nodes.
TEST(HacctRender, UnitsAndNodes) {
  std::vector<JobRow> jobs{Job(3, 4, 0)};
  jobs[0].req_mem_mb = 2000;
  jobs[0].nnodes = 1;
  StepRow batch;
  batch.job_id = 3;
  batch.step_id = 0xfffffffb;
  batch.max_rss_kb = batch.ave_rss_kb = 66072;
  jobs[0].steps = {batch};
  auto o = ParseHacctArgs({"-j", "3", "-P", "-n", "-o", "JobID,MaxRSS,AveRSS,ReqMem"}, 0, 0);
  ASSERT_TRUE(o.ok());
  auto table = [&](char units) { return Render(RowsOf(jobs, false, 0, units), *o); };
  EXPECT_EQ(table(0), "3|||2000M\n3.batch|66072K|66072K|\n");
  EXPECT_EQ(table('K'), "3|||2048000K\n3.batch|66072K|66072K|\n");
  EXPECT_EQ(table('M'), "3|||2000M\n3.batch|64.52M|64.52M|\n");
  EXPECT_EQ(table('G'), "3|||1.95G\n3.batch|0.06G|0.06G|\n");
  auto u = ParseHacctArgs({"--units=m", "-N", "n[2-3]"}, 0, 0);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->units, 'M');
  EXPECT_EQ(u->nodes, (std::vector<std::string>{"n2", "n3"}));
  EXPECT_EQ(ParseHacctArgs({"--units=X"}, 0, 0).error().message(),
            "Invalid unit type 'X'. Possible options are 'KMGTP'");
  std::vector<JobRow> two{Job(3, 4, 0), Job(4, 4, 0)};
  two[1].nodes = "n4";
  EXPECT_EQ(JobsOnNodes(two, {"n2"}).size(), 1u) << "n[1-2] ran on n2";
  EXPECT_EQ(JobsOnNodes(two, {"n4"})[0].job_id, 4u);
  EXPECT_EQ(JobsOnNodes(two, {}).size(), 2u);
}

// The controller's jobs over the stored ones: a stored job shows its state now (the
// database lagging), keeping its steps and account; a running job not stored yet shows
// when the query asks for it.
TEST(HacctLive, MergedOverTheStoredRecords) {
  JobRow stored = Job(3, /*RUNNING*/ 1, 0);
  stored.end_time = 0;
  stored.account = "physics";
  stored.steps.resize(1);
  proto::JobInfo three;
  three.job_id = 3;
  three.name = "cancelme";
  three.state = proto::JobState::kFailed;
  three.start_time = stored.start_time;
  three.end_time = stored.start_time + 9;
  three.exit_code = 2;
  three.num_nodes = 2;
  three.num_cpus = 2;
  three.nodelist = "n[1-2]";
  proto::JobInfo four = three;
  four.job_id = 4;
  four.uid = 1000;
  four.state = proto::JobState::kRunning;
  four.end_time = 0;
  four.submit_time = stored.submit_time;
  proto::JobInfo other = four;
  other.job_id = 5;
  other.uid = 1001;
  auto q = ParseHacctArgs({"-S", "08:00", "-E", "now"}, Local(2026, 12, 7, 10, 30, 0), 1000);
  ASSERT_TRUE(q.ok());
  q->query.uids = {0, 1000};
  auto rows = MergeLive({stored}, {three, four, other}, q->query);
  ASSERT_EQ(rows.size(), 2u) << "job 5 is another user's";
  EXPECT_EQ(rows[0].state, static_cast<int>(proto::JobState::kFailed));
  EXPECT_EQ(rows[0].exit_status, 2 << 8);
  EXPECT_EQ(rows[0].end_time, three.end_time);
  EXPECT_EQ(rows[0].account, "physics") << "kept from the record";
  EXPECT_EQ(rows[0].steps.size(), 1u);
  EXPECT_EQ(rows[1].job_id, 4u);
  EXPECT_EQ(rows[1].state, static_cast<int>(proto::JobState::kRunning));
  EXPECT_EQ(rows[1].alloc_cpus, 2u);
  auto early = ParseHacctArgs({"-S", "06:00", "-E", "07:00"}, Local(2026, 12, 7, 10, 30, 0), 0);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(MergeLive({}, {four}, early->query).empty()) << "submitted after the window";
  auto by_id = ParseHacctArgs({"-j", "4"}, 0, 0);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(MergeLive({}, {four}, by_id->query).size(), 1u);
}

}  // namespace
}  // namespace herd::hacct
