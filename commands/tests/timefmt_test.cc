// herd commands — tests of time formatting (commands/lib/timefmt.h).
#include "commands/lib/timefmt.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "common/config/config.h"

namespace herd::cli {
namespace {

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
