// herd hacctmgr — show event's conditions and table, against sacctmgr 22.05's output for
// the same node events (a drain with its reason, resumed two seconds later; a node down).
#include <gtest/gtest.h>

#include <ctime>

#include "commands/hacctmgr/hacctmgr_archive.h"
#include "commands/hacctmgr/hacctmgr_event.h"

namespace herd::hacctmgr {
namespace {

using ctld::acct::NodeEventRow;

int64_t Local(int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 11;
  tm.tm_mday = 7;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&tm));
}

std::vector<NodeEventRow> Rows() {
  return {{"n3", Local(10, 50, 53), Local(10, 50, 55), "DRAIN", "fan broken", 0},
          {"n4", Local(10, 50, 55), 0, "DOWN", "disk", 0}};
}

TEST(HacctmgrEvent, TableAsSacctmgr) {
  const int64_t now = Local(10, 51, 6);
  auto o = ParseEventArgs({}, now);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->query.start, Local(0, 0, 0) - 86400) << "since 00:00 of the previous day";
  EXPECT_FALSE(o->query.open_only);
  // sacctmgr show event's lines on the anchor, as printed.
  const std::string want =
      "   Cluster NodeName                  TimeStart             TimeEnd  State                   "
      "      Reason       User \n"
      "---------- --------------- ------------------- ------------------- ------ ------------------"
      "------------ ---------- \n"
      "    anchor n3              2026-12-07T10:50:53 2026-12-07T10:50:55  DRAIN                   "
      "  fan broken    root(0) \n"
      "    anchor n4              2026-12-07T10:50:55             Unknown   DOWN                   "
      "        disk    root(0) \n";
  EXPECT_EQ(RenderEvents(Rows(), *o, {}, "anchor", now), want);
  Printing p;
  p.parsable = p.trailing_delimiter = true;
  EXPECT_EQ(RenderEvents({Rows()[0]}, *o, p, "anchor", now),
            "Cluster|NodeName|TimeStart|TimeEnd|State|Reason|User|\n"
            "anchor|n3|2026-12-07T10:50:53|2026-12-07T10:50:55|DRAIN|fan broken|root(0)|\n");
  auto f = ParseEventArgs({"format=nodename%5,reason%-8,Duration"}, now);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(RenderEvents({Rows()[0]}, *f, {}, "anchor", now),
            "NodeN Reason        Duration \n"
            "----- -------- ------------- \n"
            "   n3 fan bro+      00:00:02 \n");
}

TEST(HacctmgrEvent, Conditions) {
  const int64_t now = Local(10, 51, 6);
  auto o = ParseEventArgs({"nodes=n[3-4]", "states=down,drain", "user=root"}, now);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->query.nodes, (std::vector<std::string>{"n3", "n4"}));
  EXPECT_EQ(o->query.states, (std::vector<std::string>{"DOWN", "DRAIN"}));
  EXPECT_TRUE(o->query.open_only) << "states= alone: what is so now";
  EXPECT_EQ(o->query.uids, std::vector<uint32_t>{0});
  auto w = ParseEventArgs({"states=drain", "start=10:00", "End=10:40"}, now);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->query.open_only);
  EXPECT_EQ(w->query.start, Local(10, 0, 0));
  EXPECT_EQ(w->query.end, Local(10, 40, 0));
  EXPECT_EQ(ParseEventArgs({"bogus=1"}, now).error().message(), " Unknown condition: bogus=1");
  EXPECT_EQ(ParseEventArgs({"format=cpus"}, now).error().message(), "Unknown field 'cpus'");
  EXPECT_FALSE(ParseEventArgs({"event=all"}, now).ok());
  EXPECT_FALSE(ParseEventArgs({"start=whenever"}, now).ok());
}

TEST(HacctmgrArchive, DumpOptionsChangeHerdConfsPolicy) {
  AcctPurgeConfig base;
  base.jobs.unit = PurgeAfter::kMonths;
  base.jobs.count = 12;
  base.archive_dir = "/var/spool/herd/ctld/archive";
  auto p = ParseDumpArgs({"Directory=/srv/a", "Jobs", "steps", "PurgeStepAfter=7days"}, base);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->archive_dir, "/srv/a");
  EXPECT_TRUE(p->archive_jobs);
  EXPECT_TRUE(p->archive_steps);
  EXPECT_FALSE(p->archive_events);
  EXPECT_EQ(FormatPurgeAfter(p->jobs), "12months");  // herd.conf's, kept
  EXPECT_EQ(FormatPurgeAfter(p->steps), "7days");
  EXPECT_EQ(ParseDumpArgs({"Directory=rel"}, base).error().message(),
            "Directory= must be an absolute path");
  EXPECT_EQ(ParseDumpArgs({"PurgeJobAfter=soon"}, base).error().message(),
            "PurgeJobAfter=soon: 'soon' is not a count of at least 1 month, day or hour");
  EXPECT_EQ(ParseDumpArgs({"Jobs"}, AcctPurgeConfig{}).error().message(),
            "nothing to purge: no Purge*After in herd.conf or on the command line");
  EXPECT_EQ(ParseDumpArgs({"Script=/x"}, base).error().message(), "Unknown option: Script=/x");
}

TEST(HacctmgrArchive, LoadNeedsAFile) {
  EXPECT_EQ(*ParseLoadArgs({"File=/a/b"}), "/a/b");
  EXPECT_EQ(ParseLoadArgs({}).error().message(), "archive load needs File=PATH");
  EXPECT_EQ(ParseLoadArgs({"insert=x.sql"}).error().message(),
            "Insert= (SQL statements) is not taken: load a herd archive file");
}

}  // namespace
}  // namespace herd::hacctmgr
