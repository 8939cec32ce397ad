// herd hacct — options, time formats, fields and the table, against sacct's output shapes
// (as Slurm 22.05's sacct prints them).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <ctime>

#include "commands/hacct/hacct_fields.h"
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

}  // namespace
}  // namespace herd::hacct
