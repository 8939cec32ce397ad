// herd hreport — sreport's command line and reports: the title block, column names and
// widths, time formats, and the figures from rollups of known jobs (sreport 22.05's shapes
// on the anchor).
#include <gtest/gtest.h>

#include <ctime>

#include "commands/hacct/hacct_options.h"
#include "commands/hreport/hreport_options.h"
#include "commands/hreport/hreport_reports.h"

namespace herd::hreport {
namespace {

using ctld::acct::NodeEventRow;
using ctld::acct::UsageRow;

int64_t Local(int y, int mo, int d, int h, int mi) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&tm));
}

TEST(HreportOptions, ReportsPeriodsAndFormats) {
  const int64_t now = Local(2026, 12, 7, 13, 41);
  auto o = ParseHreportArgs({"cluster", "utilization"}, now);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->report, Report::kUtilization);
  EXPECT_EQ(o->time, TimeFormat::kMinutes);
  EXPECT_EQ(o->start, Local(2026, 12, 6, 0, 0));  // the previous day
  EXPECT_EQ(o->end, Local(2026, 12, 7, 0, 0));
  // As sreport on the anchor: each end up to the next hour; an end before the start makes
  // the period the start's hour.
  auto p = ParseHreportArgs({"-t", "hourper", "-P", "-n", "user", "top", "start=13:00"}, now);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->report, Report::kTopUsage);
  EXPECT_EQ(p->time, TimeFormat::kHourPer);
  EXPECT_TRUE(p->parsable && p->noheader);
  EXPECT_EQ(p->start, Local(2026, 12, 7, 13, 0));
  EXPECT_EQ(p->end, Local(2026, 12, 7, 14, 0));
  auto q = ParseHreportArgs({"cluster", "AccountUtilizationByUser", "Start=2026-12-01T10:30",
                             "End=2026-12-02T11:45", "accounts=phys,chem", "users=alice"},
                            now);
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->start, Local(2026, 12, 1, 11, 0));
  EXPECT_EQ(q->end, Local(2026, 12, 2, 12, 0));
  EXPECT_EQ(q->accounts, (std::vector<std::string>{"phys", "chem"}));
  auto s = ParseHreportArgs({"job", "SizesByAccount", "grouping=2,4", "FlatView"}, now);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->grouping, (std::vector<uint32_t>{2, 4}));
  EXPECT_TRUE(s->flat_view);
  // Refusals, each with a reason.
  EXPECT_FALSE(ParseHreportArgs({"cluster"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"reservation", "utilization"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"cluster", "wckeyutilizationbyuser"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"-t", "fortnights", "cluster", "util"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"job", "sizes", "grouping=4,2"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"cluster", "util", "start=yesterdayish"}, now).ok());
  EXPECT_FALSE(ParseHreportArgs({"cluster", "util", "color=blue"}, now).ok());
}

TEST(HreportFormat, TimeFigures) {
  EXPECT_EQ(FormatTime(5430, 21600, TimeFormat::kMinutes), "90");  // 90.5 rounds to even
  EXPECT_EQ(FormatTime(5460, 21600, TimeFormat::kMinutes), "91");
  EXPECT_EQ(FormatTime(5400, 21600, TimeFormat::kHours), "2");
  EXPECT_EQ(FormatTime(5400, 21600, TimeFormat::kPercent), "25.00%");
  EXPECT_EQ(FormatTime(5400, 21600, TimeFormat::kMinPer), "90(25.00%)");
  EXPECT_EQ(FormatTime(5400, 21600, TimeFormat::kSeconds), "5400");
}

TEST(HreportFormat, DownTimeOfNodePeriods) {
  std::vector<NodeEventRow> ev{
      {"n1", 100, 400, "DOWN", "", 0}, {"n2", 0, 0, "DRAIN", "", 0}, {"gone", 0, 0, "DOWN", "", 0}};
  // Within [200, 1000), now 700: n1 200 s x 4 cpus, n2 (open) 500 s x 8 cpus.
  EXPECT_EQ(DownCpuSeconds(ev, {{"n1", 4}, {"n2", 8}}, 200, 1000, 700), 200 * 4 + 500 * 8);
}

ReportInput Input() {
  ReportInput in;
  in.cluster = "anchor";
  in.cluster_cpus = 16;
  in.down_cpu_s = 0;
  in.proper_name = [](const std::string& u) { return u == "alice" ? "Alice A" : ""; };
  // As AcctStore::Usage gives them: by account, user and size.
  in.usage = {{"chem", "alice", 1001, 1, 600},
              {"phys", "alice", 1001, 4, 7200},
              {"phys", "bob", 1002, 64, 3600}};
  return in;
}

HreportOptions Hour(Report r, TimeFormat t = TimeFormat::kMinutes) {
  HreportOptions o;
  o.report = r;
  o.time = t;
  o.start = Local(2026, 12, 7, 13, 0);
  o.end = o.start + 3600;
  return o;
}

TEST(HreportRender, ClusterUtilization) {
  ReportInput in = Input();
  in.down_cpu_s = 3600;  // one cpu down the whole hour
  const std::string out = RenderReport(Hour(Report::kUtilization), in);
  EXPECT_EQ(out, std::string(80, '-') +
                     "\nCluster Utilization 2026-12-07T13:00:00 - 2026-12-07T13:59:59\n"
                     "Usage reported in CPU Minutes\n" +
                     std::string(80, '-') +
                     "\n  Cluster Allocate     Down PLND Dow     Idle  Planned Reported \n"
                     "--------- -------- -------- -------- -------- -------- -------- \n"
                     "   anchor      190       60        0      710        0      960 \n");
  HreportOptions pct = Hour(Report::kUtilization, TimeFormat::kPercent);
  pct.parsable = true;
  pct.noheader = true;
  EXPECT_EQ(RenderReport(pct, in), "anchor|19.79%|6.25%|0.00%|73.96%|0.00%|100.00%\n");
}

TEST(HreportRender, AccountUtilizationByUser) {
  HreportOptions o = Hour(Report::kAccountUtilizationByUser);
  o.parsable = true;
  const std::string out = RenderReport(o, Input());
  EXPECT_NE(out.find("Cluster/Account/User Utilization 2026-12-07T13:00:00 - "
                     "2026-12-07T13:59:59 (3600 secs)\nUsage reported in CPU Minutes\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Cluster|Account|Login|Proper Name|Used|Energy\n"
                     "anchor|root|||190|0\n"
                     "anchor|chem|||10|0\n"
                     "anchor|chem|alice|Alice A|10|0\n"
                     "anchor|phys|||180|0\n"
                     "anchor|phys|alice|Alice A|120|0\n"
                     "anchor|phys|bob||60|0\n"),
            std::string::npos)
      << out;
}

TEST(HreportRender, TopUsersAndJobSizes) {
  HreportOptions top = Hour(Report::kTopUsage);
  top.noheader = true;
  top.top_count = 2;
  EXPECT_EQ(RenderReport(top, Input()),
            "   anchor     alice         Alice A            phys      120        0 \n"
            "   anchor       bob                            phys       60        0 \n");
  top.group_accounts = true;
  top.parsable = true;
  EXPECT_EQ(RenderReport(top, Input()),
            "anchor|alice|Alice A|chem,phys|130|0\nanchor|bob||phys|60|0\n");

  HreportOptions sizes = Hour(Report::kSizesByAccount);
  sizes.parsable = true;
  sizes.grouping = {2, 64};
  const std::string all = RenderReport(sizes, Input());
  EXPECT_NE(all.find("Job Sizes 2026-12-07T13:00:00 - 2026-12-07T13:59:59 (3600 secs)\n"
                     "Time reported in Minutes\n"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Cluster|Account|0-1 CPUs|2-63 CPUs|>= 64 CPUs|% of cluster\n"
                     "anchor|root|10|120|60|100.00%\n"),
            std::string::npos)
      << all;
  sizes.flat_view = true;
  sizes.noheader = true;
  sizes.time = TimeFormat::kPercent;
  EXPECT_EQ(RenderReport(sizes, Input()),
            "anchor|chem|5.26%|0.00%|0.00%|5.26%\nanchor|phys|0.00%|63.16%|31.58%|94.74%\n");
}

TEST(HreportRunning, ARunningJobCountsItsFinishedHoursInThePeriod) {
  proto::JobInfo run;
  run.state = proto::JobState::kRunning;
  run.account = "phys";
  run.user = "alice";
  run.uid = 1001;
  run.num_cpus = 8;
  run.start_time = 7200 + 1800;  // 02:30
  proto::JobInfo pending = run;
  pending.state = proto::JobState::kPending;
  proto::JobInfo ended = run;
  ended.state = proto::JobState::kCompleted;
  const int64_t now = 5 * 3600 + 600;  // 05:10: hours up to 05:00 are finished
  auto rows = RunningUsage({run, pending, ended}, 0, 86400, now);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].account, "phys");
  EXPECT_EQ(rows[0].user, "alice");
  EXPECT_EQ(rows[0].uid, 1001u);
  EXPECT_EQ(rows[0].cpus, 8u);
  EXPECT_EQ(rows[0].cpu_s, (5 * 3600 - 9000) * 8);  // 02:30 to 05:00
  // A period that ends before, or starts after, what it ran: only the overlap.
  EXPECT_EQ(RunningUsage({run}, 0, 4 * 3600, now)[0].cpu_s, (4 * 3600 - 9000) * 8);
  EXPECT_EQ(RunningUsage({run}, 4 * 3600, 86400, now)[0].cpu_s, 3600 * 8);
  EXPECT_TRUE(RunningUsage({run}, 5 * 3600, 86400, now).empty());  // the current hour
  EXPECT_TRUE(RunningUsage({run}, 0, 7200, now).empty());          // before it started
}

}  // namespace
}  // namespace herd::hreport
