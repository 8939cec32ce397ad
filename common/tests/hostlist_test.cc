// herd — tests of hostlist expansion/compression and task-count lists (common/base/hostlist).
#include "common/base/hostlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Names = std::vector<std::string>;

Names Expand(const std::string& expr) {
  auto r = ExpandHostlist(expr);
  EXPECT_TRUE(r.ok()) << expr << ": " << r.error().ToString();
  return r.ok() ? *r : Names{};
}

std::string ExpandError(const std::string& expr) {
  auto r = ExpandHostlist(expr);
  EXPECT_FALSE(r.ok()) << expr << " unexpectedly expanded";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

TEST(ExpandHostlist, PlainName) { EXPECT_THAT(Expand("n1"), ElementsAre("n1")); }

TEST(ExpandHostlist, RangeAndSingle) {
  EXPECT_THAT(Expand("n[1-4,7]"), ElementsAre("n1", "n2", "n3", "n4", "n7"));
}

TEST(ExpandHostlist, KeepsZeroPadding) {
  EXPECT_THAT(Expand("n[01-03]"), ElementsAre("n01", "n02", "n03"));
  EXPECT_THAT(Expand("n[098-101]"), ElementsAre("n098", "n099", "n100", "n101"));
  EXPECT_THAT(Expand("n[9-10]"), ElementsAre("n9", "n10"));
}

TEST(ExpandHostlist, CartesianProductFirstBracketOutermost) {
  EXPECT_THAT(Expand("rack[1-2]-n[01-02]"),
              ElementsAre("rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02"));
  Names big = Expand("rack[1-2]-n[01-16]");
  ASSERT_EQ(big.size(), 32u);
  EXPECT_EQ(big.front(), "rack1-n01");
  EXPECT_EQ(big[16], "rack2-n01");
  EXPECT_EQ(big.back(), "rack2-n16");
}

TEST(ExpandHostlist, TopLevelCommaList) {
  EXPECT_THAT(Expand("a[1-2],b3"), ElementsAre("a1", "a2", "b3"));
  EXPECT_THAT(Expand("x,y,x"), ElementsAre("x", "y", "x"));  // duplicates kept
}

TEST(ExpandHostlist, SuffixAfterBracketAndBareBracket) {
  EXPECT_THAT(Expand("n[1-2]-ib"), ElementsAre("n1-ib", "n2-ib"));
  EXPECT_THAT(Expand("[3-4]"), ElementsAre("3", "4"));
  EXPECT_THAT(Expand("10.0.0.[1-2]"), ElementsAre("10.0.0.1", "10.0.0.2"));
}

TEST(ExpandHostlist, Errors) {
  EXPECT_THAT(ExpandError(""), HasSubstr("empty"));
  EXPECT_THAT(ExpandError("n[1-2"), HasSubstr("unbalanced"));
  EXPECT_THAT(ExpandError("n1-2]"), HasSubstr("unbalanced"));
  EXPECT_THAT(ExpandError("n[[1]]"), HasSubstr("nested"));
  EXPECT_THAT(ExpandError("a,,b"), HasSubstr("empty element"));
  EXPECT_THAT(ExpandError(",a"), HasSubstr("empty element"));
  EXPECT_THAT(ExpandError("a,"), HasSubstr("empty element"));
  EXPECT_THAT(ExpandError("n[]"), HasSubstr("empty element"));
  EXPECT_THAT(ExpandError("n[1,,2]"), HasSubstr("empty element"));
  EXPECT_THAT(ExpandError("n[5-3]"), HasSubstr("reversed range '5-3'"));
  EXPECT_THAT(ExpandError("n[a-3]"), HasSubstr("not numeric"));
  EXPECT_THAT(ExpandError("n[1-]"), HasSubstr("not numeric"));
  EXPECT_THAT(ExpandError("n[1-2-3]"), HasSubstr("not numeric"));
  EXPECT_THAT(ExpandError("n[-3]"), HasSubstr("not numeric"));
  EXPECT_THAT(ExpandError("n 1"), HasSubstr("whitespace"));
  EXPECT_THAT(ExpandError("n[1234567890123456789]"), HasSubstr("too long"));
}

TEST(ExpandHostlist, TooManyHosts) {
  EXPECT_THAT(ExpandError("n[0-1048576]"), HasSubstr("more than"));
  EXPECT_THAT(ExpandError("n[1-1024]-[0-1024]"), HasSubstr("more than"));
  EXPECT_THAT(ExpandError("n[1-999999999999999999]"), HasSubstr("more than"));
  EXPECT_THAT(ExpandError("a[1-1048576],b"), HasSubstr("more than"));
  auto exact = ExpandHostlist("n[1-1024]-[1-1024]");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), kMaxHosts);
}

TEST(CompressHostlist, SingleNameStaysPlain) {
  EXPECT_EQ(CompressHostlist({"n1"}), "n1");
  EXPECT_EQ(CompressHostlist({}), "");
  EXPECT_EQ(CompressHostlist({"login"}), "login");
}

TEST(CompressHostlist, MergesRuns) {
  EXPECT_EQ(CompressHostlist({"n1", "n2", "n3", "n7"}), "n[1-3,7]");
  EXPECT_EQ(CompressHostlist({"n1", "n7"}), "n[1,7]");
  EXPECT_EQ(CompressHostlist({"n01", "n02"}), "n[01-02]");
  EXPECT_EQ(CompressHostlist({"n9", "n10", "n11"}), "n[9-11]");
}

TEST(CompressHostlist, KeepsOrder) {
  EXPECT_EQ(CompressHostlist({"n3", "n1", "n2"}), "n[3,1-2]");
  EXPECT_EQ(CompressHostlist({"a1", "b1", "a2"}), "a1,b1,a2");
  EXPECT_EQ(CompressHostlist({"a1", "a2", "b3"}), "a[1-2],b3");
}

TEST(CompressHostlist, DifferentWidthsDoNotShareARange) {
  EXPECT_EQ(CompressHostlist({"n1", "n02", "n03"}), "n[1,02-03]");
  EXPECT_EQ(CompressHostlist({"n08", "n9"}), "n[08,9]");
}

TEST(CompressHostlist, SuffixAndNoDigits) {
  EXPECT_EQ(CompressHostlist({"n1-ib", "n2-ib"}), "n[1-2]-ib");
  EXPECT_EQ(CompressHostlist({"n1-ib", "n2-eth"}), "n1-ib,n2-eth");
  EXPECT_EQ(CompressHostlist({"login", "login"}), "login,login");
}

TEST(CompressHostlist, MergesOuterDimension) {
  EXPECT_EQ(CompressHostlist(Expand("rack[1-2]-n[01-16]")), "rack[1-2]-n[01-16]");
  EXPECT_EQ(CompressHostlist({"r1-n1", "r1-n2", "r2-n1"}), "r1-n[1-2],r2-n1");
}

TEST(CompressHostlist, RoundTripsCanonicalExpressions) {
  for (const char* expr : {"n[1-4,7]", "n[01-03]", "a[1-2],b3", "n1", "n[098-101]",
                           "rack[1-2]-n[01-16]", "x[1-3]y[1-2]z[7-8]", "n[1-2]-ib"}) {
    EXPECT_EQ(CompressHostlist(Expand(expr)), expr);
  }
}

TEST(CompressHostlist, OutputAlwaysExpandsBack) {
  const Names names{"n5", "n6", "n007", "n008", "n9", "a", "b12", "b13", "b11", "n99", "n100"};
  EXPECT_EQ(Expand(CompressHostlist(names)), names);
}

TEST(CountList, Format) {
  EXPECT_EQ(FormatCountList({2, 2, 2, 1}), "2(x3),1");
  EXPECT_EQ(FormatCountList({4}), "4");
  EXPECT_EQ(FormatCountList({}), "");
  EXPECT_EQ(FormatCountList({1, 2, 1}), "1,2,1");
  EXPECT_EQ(FormatCountList({0, 0}), "0(x2)");
}

TEST(CountList, Parse) {
  auto r = ParseCountList("2(x3),1");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre(2u, 2u, 2u, 1u));
  r = ParseCountList("4");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, ElementsAre(4u));
  r = ParseCountList("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(CountList, RoundTrip) {
  const std::vector<uint32_t> counts{8, 8, 4, 4, 4, 1, 8};
  auto r = ParseCountList(FormatCountList(counts));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, counts);
}

TEST(CountList, ParseErrors) {
  for (const char* bad : {"2,", ",2", "a", "2(x0)", "2(x)", "2(3)", "2(x3", "(x3)", "-1",
                          "4294967296", "2(x3)1", "2(x1048577)"}) {
    auto r = ParseCountList(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << bad;
    }
  }
}

// As scontrol show hostlistsorted of Slurm 22.05: "n3,n1,n2,n1,n10,m2" -> "m2,n[1,1-3,10]".
TEST(Hostlist, SortedAsSlurmSortsThem) {
  std::vector<std::string> names = {"n3", "n1", "n2", "n1", "n10", "m2"};
  SortHostnames(&names);
  EXPECT_EQ(names, (std::vector<std::string>{"m2", "n1", "n1", "n2", "n3", "n10"}));
  EXPECT_EQ(CompressHostlist(names), "m2,n[1,1-3,10]");
  std::vector<std::string> plain = {"b", "a1", "a"};
  SortHostnames(&plain);
  EXPECT_EQ(plain, (std::vector<std::string>{"a", "a1", "b"}));
}

}  // namespace
}  // namespace herd
