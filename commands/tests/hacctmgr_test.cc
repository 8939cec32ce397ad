// herd hacctmgr — show event's conditions and table, against sacctmgr 22.05's output for
// the same node events (a drain with its reason, resumed two seconds later; a node down).
#include <gtest/gtest.h>

#include <ctime>

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

}  // namespace
}  // namespace herd::hacctmgr
