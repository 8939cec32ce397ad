// herd sim — the SWF trace reader: fields, header, and numbers it must refuse.
#include "testsuite/sim/swf.h"

#include <gtest/gtest.h>

#include <string>

namespace herd::sim {
namespace {

const char kLine[] = "7 100 -1 50 4 -1 -1 8 3600 -1 1 3 -1 -1 -1 -1 -1 -1\n";

TEST(SwfTrace, ReadsTheFieldsItUses) {
  auto t = ParseSwf(std::string("; MaxProcs: 256\n") + kLine, "t.swf");
  ASSERT_TRUE(t.ok()) << t.error().message();
  ASSERT_EQ(t->jobs.size(), 1u);
  EXPECT_EQ(t->max_procs, 256);
  const SwfJob& j = t->jobs[0];
  EXPECT_EQ(j.number, 7);
  EXPECT_EQ(j.submit_s, 100);
  EXPECT_EQ(j.run_s, 50);
  EXPECT_EQ(j.procs, 8);
  EXPECT_EQ(j.req_time_s, 3600);
  EXPECT_EQ(j.user, 3);
}

TEST(SwfTrace, RefusesShortLines) {
  auto t = ParseSwf("1 2 3\n", "t.swf");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message(), "t.swf:1: expected 18 fields, got 3");
}

// Found by fuzz_swf: a field beyond int64_t's range was converted anyway (undefined
// behaviour; UBSan: "2.4089e+30 is outside the range of representable values").
TEST(SwfTrace, RefusesNumbersBeyondInt64) {
  auto t = ParseSwf(std::string(kLine) +
                        "8 100 -1 50 4 -1 -1 2408900000000000000000000000000 3600"
                        " -1 1 3 -1 -1 -1 -1 -1 -1\n",
                    "t.swf");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message(), "t.swf:2: field 8 is out of range");
  EXPECT_FALSE(
      ParseSwf("-9300000000000000000 100 -1 50 4 -1 -1 8 1 -1 1 3 -1 -1 -1 -1 -1 -1\n", "t.swf")
          .ok());
}

}  // namespace
}  // namespace herd::sim
