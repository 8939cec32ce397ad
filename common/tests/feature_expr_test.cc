// herd — --constraint feature expressions (Slurm 22.05's sbatch --constraint forms).
#include "common/proto/feature_expr.h"

#include <gtest/gtest.h>

namespace herd::proto {
namespace {

using Features = std::vector<std::string>;

bool Holds(const std::string& expr, const Features& node) {
  auto r = ParseFeatures(expr);
  EXPECT_TRUE(r.ok()) << expr << ": " << r.error().message();
  if (!r.ok()) return false;
  EXPECT_EQ(r->alternatives.size(), 1u) << expr;
  return r->alternatives[0].all.Matches(node) && r->alternatives[0].counted.empty();
}

TEST(FeatureExpr, AndOrParentheses) {
  EXPECT_TRUE(Holds("ib", {"ib", "eth"}));
  EXPECT_FALSE(Holds("gpu", {"ib"}));
  EXPECT_TRUE(Holds("ib&eth", {"eth", "ib"}));
  EXPECT_TRUE(Holds("ib,eth", {"eth", "ib"}));
  EXPECT_FALSE(Holds("ib&gpu", {"ib", "eth"}));
  EXPECT_TRUE(Holds("gpu|ib", {"ib"}));
  EXPECT_FALSE(Holds("gpu|fpga", {"ib"}));
  // '&' binds tighter than '|'.
  EXPECT_TRUE(Holds("gpu&ib|eth", {"eth"}));
  EXPECT_FALSE(Holds("gpu&(ib|eth)", {"eth"}));
  EXPECT_TRUE(Holds("gpu&(ib|eth)", {"eth", "gpu"}));
  EXPECT_TRUE(Holds(" ib & ( a | b ) ", {"ib", "b"}));
}

TEST(FeatureExpr, MatchingOrGivesOneAlternativeEach) {
  auto r = ParseFeatures("ib&[rack1|rack2|rack3]");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->alternatives.size(), 3u);
  EXPECT_TRUE(r->alternatives[1].all.Matches({"ib", "rack2"}));
  EXPECT_FALSE(r->alternatives[1].all.Matches({"ib", "rack1"}));
  EXPECT_FALSE(r->alternatives[0].all.Matches({"rack1"}));
  EXPECT_EQ(r->names, (Features{"ib", "rack1", "rack2", "rack3"}));
}

TEST(FeatureExpr, Counts) {
  auto r = ParseFeatures("[rack1*2&rack2*4]");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->alternatives.size(), 1u);
  const FeatureAlternative& a = r->alternatives[0];
  ASSERT_EQ(a.counted.size(), 2u);
  EXPECT_EQ(a.counted[0].second, 2u);
  EXPECT_EQ(a.counted[1].second, 4u);
  EXPECT_EQ(a.CountedNodes(), 6u);
  EXPECT_TRUE(a.all.Matches({}));

  auto g = ParseFeatures("graphics*4&ib");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->alternatives[0].CountedNodes(), 4u);
  EXPECT_FALSE(g->alternatives[0].all.Matches({"graphics"}));
  EXPECT_TRUE(g->alternatives[0].counted[0].first.Matches({"graphics"}));

  auto knl = ParseFeatures("[(knl&snc4)*4&haswell*1]");
  ASSERT_TRUE(knl.ok()) << knl.error().message();
  EXPECT_TRUE(knl->alternatives[0].counted[0].first.Matches({"snc4", "knl"}));
  EXPECT_FALSE(knl->alternatives[0].counted[0].first.Matches({"knl"}));
}

TEST(FeatureExpr, BadSyntaxIsRefusedWithSlurmsWords) {
  for (const char* bad : {"", "ib&", "|ib", "(ib", "ib)", "[a|b", "[a|[b]]", "a*", "a*0", "a*x",
                          "a*2|b", "[a|b]|c", "!ib", "a&&b"}) {
    auto r = ParseFeatures(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message().rfind("Invalid feature specification", 0), 0u)
        << r.error().message();
  }
}

TEST(FeatureExpr, PlainListsAreNotExpressions) {
  EXPECT_FALSE(IsFeatureExpression("ib&eth,gpu"));
  EXPECT_TRUE(IsFeatureExpression("ib|eth"));
  EXPECT_TRUE(IsFeatureExpression("[a|b]"));
  EXPECT_TRUE(IsFeatureExpression("a*2"));
}

}  // namespace
}  // namespace herd::proto
