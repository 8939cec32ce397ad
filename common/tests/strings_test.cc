// herd — tests of the small string helpers (common/base/strings.h).
#include "common/base/strings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Split, DropsEmptyByDefault) {
  EXPECT_THAT(Split("a,b,,c", ','), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Split(",a,", ','), ElementsAre("a"));
  EXPECT_THAT(Split("", ','), IsEmpty());
  EXPECT_THAT(Split("abc", ','), ElementsAre("abc"));
}

TEST(Split, KeepEmpty) {
  EXPECT_THAT(Split("a,b,,c", ',', true), ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(Split(",a,", ',', true), ElementsAre("", "a", ""));
  EXPECT_THAT(Split("", ',', true), ElementsAre(""));
}

TEST(Join, Basic) {
  EXPECT_EQ(Join({}, ","), "");
  EXPECT_EQ(Join({"a"}, ","), "a");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join(Split("x:y:z", ':'), ":"), "x:y:z");
}

TEST(Trim, Whitespace) {
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim(" \t "), "");
  EXPECT_EQ(Trim("x"), "x");
}

TEST(Case, LowerUpperEquals) {
  EXPECT_EQ(ToLower("NodeName=N1"), "nodename=n1");
  EXPECT_EQ(ToUpper("batch-1"), "BATCH-1");
  EXPECT_TRUE(EqualsIgnoreCase("NodeName", "nodename"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Node", "NodeName"));
}

TEST(StartsWith, Basic) {
  EXPECT_TRUE(StartsWith("herdctld", "herd"));
  EXPECT_TRUE(StartsWith("herd", ""));
  EXPECT_FALSE(StartsWith("her", "herd"));
  EXPECT_FALSE(StartsWith("xherd", "herd"));
}

TEST(ParseUint, Valid) {
  EXPECT_EQ(*ParseUint("0"), 0u);
  EXPECT_EQ(*ParseUint("007"), 7u);
  EXPECT_EQ(*ParseUint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(*ParseUint("255", 255), 255u);
}

TEST(ParseUint, Invalid) {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "18446744073709551616"}) {
    auto r = ParseUint(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    }
  }
  EXPECT_FALSE(ParseUint("256", 255).ok());
}

TEST(ParseInt, SignedValues) {
  EXPECT_EQ(*ParseInt("42"), 42);
  EXPECT_EQ(*ParseInt("-42"), -42);
  EXPECT_EQ(*ParseInt("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(*ParseInt("-9223372036854775807"), -INT64_MAX);
  EXPECT_FALSE(ParseInt("9223372036854775808").ok());
  EXPECT_FALSE(ParseInt("-").ok());
  EXPECT_FALSE(ParseInt("").ok());
  EXPECT_FALSE(ParseInt("--1").ok());
}

}  // namespace
}  // namespace herd
