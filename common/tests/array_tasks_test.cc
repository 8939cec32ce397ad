// herd — job array task sets: --array's forms, the pending set, display.
#include "common/proto/array_tasks.h"

#include <gtest/gtest.h>

namespace herd::proto {
namespace {

std::vector<ArrayRange> Ranges(const std::string& text) {
  auto a = ParseArraySpec(text, 1001);
  EXPECT_TRUE(a.ok()) << text << ": " << a.error().message();
  return a.ok() ? a->ranges : std::vector<ArrayRange>{};
}

TEST(ParseArraySpec, SbatchForms) {
  auto a = ParseArraySpec("0-99:3%10", 1001);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ranges, (std::vector<ArrayRange>{{0, 99, 3}}));
  EXPECT_EQ(a->throttle, 10u);
  EXPECT_EQ(TaskCount(a->ranges), 34u);
  EXPECT_EQ(Ranges("1,3,5-7"), (std::vector<ArrayRange>{{1, 1, 1}, {3, 3, 1}, {5, 7, 1}}));
  EXPECT_EQ(Ranges("7"), (std::vector<ArrayRange>{{7, 7, 1}}));
  // The last id is the last the step reaches.
  EXPECT_EQ(Ranges("0-10:4"), (std::vector<ArrayRange>{{0, 8, 4}}));
  // Given out of order: sorted; sharing ids: merged.
  EXPECT_EQ(Ranges("9,1-3"), (std::vector<ArrayRange>{{1, 3, 1}, {9, 9, 1}}));
  EXPECT_EQ(Ranges("1-4,3-6"), (std::vector<ArrayRange>{{1, 6, 1}}));
  EXPECT_EQ(TaskCount(Ranges("0-6:2,1-5:2")), 7u);
  EXPECT_EQ(ParseArraySpec("1-3%0", 1001)->throttle, 0u);
}

TEST(ParseArraySpec, RefusesBadFormsAndIdsPastMaxArraySize) {
  for (const char* bad : {"", "x", "1-", "-1", "3-1", "1,,2", "1-3%", "1-3%x", "1:2", "1-5:0",
                          "1-3:-1", "1%2%3", "99999999999", " 1"}) {
    auto a = ParseArraySpec(bad, 1001);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(ParseArraySpec("0-1000", 1001).ok());
  EXPECT_EQ(ParseArraySpec("0-1001", 1001).error().message(), "Invalid job array specification");
  EXPECT_FALSE(ParseArraySpec("0", 0).ok());  // MaxArraySize=0: no arrays
}

TEST(ArrayTasks, RemoveSplitsRanges) {
  auto r = Ranges("0-9:3");  // 0 3 6 9
  EXPECT_FALSE(RemoveTask(&r, 4));
  EXPECT_TRUE(RemoveTask(&r, 3));
  EXPECT_EQ(r, (std::vector<ArrayRange>{{0, 0, 1}, {6, 9, 3}}));
  EXPECT_EQ(FormatTasks(r, 0), "0,6,9");
  EXPECT_TRUE(RemoveTask(&r, 0));
  EXPECT_TRUE(RemoveTask(&r, 9));
  EXPECT_EQ(r, (std::vector<ArrayRange>{{6, 6, 1}}));
  EXPECT_TRUE(HasTask(r, 6));
  EXPECT_TRUE(RemoveTask(&r, 6));
  EXPECT_TRUE(r.empty());
  auto big = Ranges("0-999");
  EXPECT_TRUE(RemoveTask(&big, 500));
  EXPECT_EQ(FormatTasks(big, 0), "0-499,501-999");
  EXPECT_EQ(TaskCount(big), 999u);
  EXPECT_FALSE(HasTask(big, 500));
  EXPECT_EQ(MinTask(big), 0u);
  EXPECT_EQ(MaxTask(big), 999u);
}

TEST(ArrayTasks, TakingTasksOffTheFront) {
  auto r = Ranges("5-99%10");
  for (uint32_t t = 5; t < 9; t++) ASSERT_TRUE(RemoveTask(&r, MinTask(r)));
  EXPECT_EQ(FormatTasks(r, 10), "9-99%10");
  EXPECT_EQ(r.size(), 1u);  // no growth as tasks start
}

TEST(ArrayTasks, FormatAndStep) {
  EXPECT_EQ(FormatTasks(Ranges("0-99:3"), 0), "0-99:3");
  EXPECT_EQ(FormatTasks(Ranges("1,3,5-7"), 2), "1,3,5-7%2");
  EXPECT_EQ(FormatTasks(Ranges("2-4:2"), 0), "2,4");
  EXPECT_EQ(TaskStep(Ranges("0-99:3")), 3u);
  EXPECT_EQ(TaskStep(Ranges("1,3")), 1u);
}

}  // namespace
}  // namespace herd::proto
