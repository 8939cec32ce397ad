// herd commands — tests of time formatting (commands/lib/timefmt.h).
#include "commands/lib/timefmt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "commands/lib/time_parse.h"
#include "common/config/config.h"

namespace herd::cli {
namespace {

int64_t At(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return FromTm(tm);
}

// As sbatch 22.05 reads them (checked against it at 13:53 on 2026-12-07).
TEST(ParseBeginTime, SlurmForms) {
  const int64_t now = At(2026, 12, 7, 13, 53, 37);
  EXPECT_EQ(*ParseBeginTime("now", now), now);
  EXPECT_EQ(*ParseBeginTime("today", now), now);
  EXPECT_EQ(*ParseBeginTime("now+3", now), now + 3);
  EXPECT_EQ(*ParseBeginTime("now+1hour", now), now + 3600);
  EXPECT_EQ(*ParseBeginTime("now+2days", now), now + 2 * 86400);
  EXPECT_EQ(*ParseBeginTime("now+1weeks", now), now + 7 * 86400);
  EXPECT_EQ(*ParseBeginTime("now+10minutes", now), now + 600);
  EXPECT_EQ(*ParseBeginTime("midnight", now), At(2026, 12, 8, 0, 0, 0));
  EXPECT_EQ(*ParseBeginTime("tomorrow", now), At(2026, 12, 8, 0, 0, 0));
  EXPECT_EQ(*ParseBeginTime("noon", now), At(2026, 12, 8, 12, 0, 0)) << "today's has passed";
  EXPECT_EQ(*ParseBeginTime("fika", now), At(2026, 12, 7, 15, 0, 0));
  EXPECT_EQ(*ParseBeginTime("teatime", now), At(2026, 12, 7, 16, 0, 0));
  EXPECT_EQ(*ParseBeginTime("08:00", now), At(2026, 12, 8, 8, 0, 0));
  EXPECT_EQ(*ParseBeginTime("23:59", now), At(2026, 12, 7, 23, 59, 0));
  EXPECT_EQ(*ParseBeginTime("2027-01-02T03:04", now), At(2027, 1, 2, 3, 4, 0));
  EXPECT_EQ(*ParseBeginTime("2027-01-02", now), At(2027, 1, 2, 0, 0, 0));
  EXPECT_EQ(*ParseBeginTime("12/25", now), At(2026, 12, 25, 0, 0, 0));
  EXPECT_EQ(*ParseBeginTime("01/02/27", now), At(2027, 1, 2, 0, 0, 0));
  for (const char* bad : {"bogus", "elevenses", "10am", "now+5min", "now+1w", "now+1fortnight",
                          "now+", "2027-13-01", "25:00", ""}) {
    auto r = ParseBeginTime(bad, now);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find("Invalid --begin specification"), std::string::npos);
    }
  }
}

TEST(FormatRunTime, ScontrolStyle) {
  EXPECT_EQ(FormatRunTime(0), "00:00:00");
  EXPECT_EQ(FormatRunTime(307), "00:05:07");
  EXPECT_EQ(FormatRunTime(3600), "01:00:00");
  EXPECT_EQ(FormatRunTime(93784), "1-02:03:04");
  EXPECT_EQ(FormatRunTime(-1), "UNLIMITED");
}

TEST(FormatDuration, SqueueStyleFromConfig) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(65), "1:05");
  EXPECT_EQ(FormatDuration(3661), "1:01:01");
  EXPECT_EQ(FormatDuration(86400), "1-00:00:00");
  EXPECT_EQ(FormatDuration(-1), "UNLIMITED");
}

TEST(FormatTimestamp, IsoLocalTime) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(FormatTimestamp(1795681800), "2026-11-26T08:30:00");
  EXPECT_EQ(FormatTimestamp(0), "Unknown");
  EXPECT_EQ(FormatTimestamp(-5, "N/A"), "N/A");
}

// SLURM_TIME_FORMAT, as the Slurm 22.05 commands print with it (checked against them).
std::string As(int64_t t, const std::string& spec, int64_t today, bool* valid) {
  return FormatTimestampAs(t, spec, today, "Unknown", valid);
}

TEST(FormatTimestampAs, StandardStrftimeAndInvalid) {
  setenv("TZ", "UTC", 1);
  tzset();
  const int64_t t = 1796650397;  // 2026-12-07T13:33:17, a Monday
  bool valid = false;
  EXPECT_EQ(As(t, "", t, &valid), "2026-12-07T13:33:17");
  EXPECT_TRUE(valid);
  EXPECT_EQ(As(t, "standard", t, &valid), "2026-12-07T13:33:17");
  EXPECT_EQ(As(t, "%s", t, &valid), "1796650397");
  EXPECT_EQ(As(t, "%a %d", t, &valid), "Mon 07");
  EXPECT_TRUE(valid);
  EXPECT_EQ(As(t, "bogus", t, &valid), "2026-12-07T13:33:17");
  EXPECT_FALSE(valid);
  EXPECT_EQ(As(0, "%s", t, &valid), "Unknown");
}

TEST(FormatTimestampAs, Relative) {
  setenv("TZ", "UTC", 1);
  tzset();
  const int64_t today = 1796650397;  // Monday 2026-12-07 13:33:17
  const int64_t day = 86400;
  bool valid = false;
  EXPECT_EQ(As(today + 3600, "relative", today, &valid), "14:33:17");
  EXPECT_EQ(As(today - day, "relative", today, &valid), "Ystday 13:33");
  EXPECT_EQ(As(today + day, "relative", today, &valid), "Tomorr 13:33");
  EXPECT_EQ(As(today + 2 * day, "relative", today, &valid), "Wed 13:33");
  EXPECT_EQ(As(today + 6 * day, "relative", today, &valid), "Sun 13:33");
  EXPECT_EQ(As(today + 7 * day, "relative", today, &valid), "14 Dec 13:33");
  EXPECT_EQ(As(today - 2 * day, "relative", today, &valid), "5 Dec 13:33");
  // across the new year the day count jumps by more than 365: the year is printed
  EXPECT_EQ(As(today + 30 * day, "relative", today, &valid), "6 Jan 2027");
  EXPECT_EQ(As(today + 400 * day, "relative", today, &valid), "11 Jan 2028");
  EXPECT_TRUE(valid);
}

TEST(JobElapsed, ByState) {
  proto::JobInfo j;
  j.state = proto::JobState::kPending;
  EXPECT_EQ(JobElapsed(j, 1000), 0);
  j.state = proto::JobState::kRunning;
  j.start_time = 900;
  EXPECT_EQ(JobElapsed(j, 1000), 100);
  EXPECT_EQ(JobElapsed(j, 800), 0);  // clocks disagree: never negative
  j.state = proto::JobState::kCompleted;
  j.end_time = 950;
  EXPECT_EQ(JobElapsed(j, 5000), 50);
  j.state = proto::JobState::kCompleting;
  EXPECT_EQ(JobElapsed(j, 5000), 50);
}

}  // namespace
}  // namespace herd::cli
