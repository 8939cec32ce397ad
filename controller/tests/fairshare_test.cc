// herd — fair-share: normalized shares, classic F = 2^(-U/S), fair-tree ranks on a small
// tree, and the usage the state keeps (decay, checkpoint).
#include "controller/sched/fairshare.h"

#include <gtest/gtest.h>

#include <cmath>

#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

// root -> physics (shares 3) -> {alice, bob}; root -> chem (shares 1) -> {carol}.
class Tree : public ShareSource {
 public:
  std::string Parent(const std::string&) const override { return kRootAccount; }
  uint32_t AccountShares(const std::string& a) const override { return a == "physics" ? 3 : 1; }
  uint32_t UserShares(const std::string&, const std::string& u) const override {
    return u == "alice" ? 2 : 1;
  }
  std::vector<std::pair<std::string, std::string>> Associations() const override {
    return {{"physics", "alice"}, {"physics", "bob"}, {"chem", "carol"}};
  }
};

using Usage = std::map<FairShare::Key, double>;

TEST(FairShare, ClassicIsTwoToTheMinusUsageOverShares) {
  const Usage usage{{{"physics", "alice"}, 50}, {{"physics", "bob"}, 0}, {{"chem", "carol"}, 50}};
  FairShare fs(Tree(), usage, /*fair_tree=*/false);
  // alice: S = 3/4 * 2/3 = 0.5, U = 50/100: F = 2^-1.
  EXPECT_DOUBLE_EQ(fs.Factor("physics", "alice"), 0.5);
  EXPECT_DOUBLE_EQ(fs.Factor("physics", "bob"), 1.0);  // no usage
  // carol: S = 1/4, U = 1/2: F = 2^-2.
  EXPECT_DOUBLE_EQ(fs.Factor("chem", "carol"), 0.25);
  EXPECT_EQ(fs.Factor("chem", "nobody"), 0);
  // Rows: root, then accounts by name, each before its users.
  ASSERT_EQ(fs.rows().size(), 6u);
  EXPECT_EQ(fs.rows()[0].account, "root");
  EXPECT_EQ(fs.rows()[1].account, "chem");
  EXPECT_EQ(fs.rows()[2].user, "carol");
  EXPECT_EQ(fs.rows()[3].account, "physics");
  EXPECT_DOUBLE_EQ(fs.rows()[3].norm_shares, 0.75);
  EXPECT_DOUBLE_EQ(fs.rows()[3].raw_usage, 50);
  EXPECT_EQ(fs.rows()[4].user, "alice");
  EXPECT_EQ(fs.rows()[4].depth, 2u);
  EXPECT_DOUBLE_EQ(fs.rows()[4].effective_usage, 0.5);
}

TEST(FairShare, FairTreeRanksAccountsFirstThenUsers) {
  // physics: S 0.75, U 0.5 -> LF 1.5; chem: S 0.25, U 0.5 -> LF 0.5. Physics is walked
  // first: bob (no usage, LF inf) ranks 3, alice 2; then carol 1.
  const Usage usage{{{"physics", "alice"}, 50}, {{"chem", "carol"}, 50}};
  FairShare fs(Tree(), usage, /*fair_tree=*/true);
  EXPECT_DOUBLE_EQ(fs.Factor("physics", "bob"), 3.0 / 3);
  EXPECT_DOUBLE_EQ(fs.Factor("physics", "alice"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(fs.Factor("chem", "carol"), 1.0 / 3);
  // Once chem is the less used account, carol outranks every physics user.
  const Usage other{{{"physics", "alice"}, 90}, {{"chem", "carol"}, 10}};
  FairShare fs2(Tree(), other, true);
  EXPECT_DOUBLE_EQ(fs2.Factor("chem", "carol"), 1.0);
  EXPECT_DOUBLE_EQ(fs2.Factor("physics", "bob"), 2.0 / 3);
  EXPECT_DOUBLE_EQ(fs2.Factor("physics", "alice"), 1.0 / 3);
}

TEST(FairShare, FairTreeUsersOfEqualStandingShareARank) {
  const Usage usage{{{"a", "u1"}, 10}, {{"a", "u2"}, 10}, {{"a", "u3"}, 30}};
  FairShare fs(EqualShares(), usage, true);
  EXPECT_DOUBLE_EQ(fs.Factor("a", "u1"), 1.0);
  EXPECT_DOUBLE_EQ(fs.Factor("a", "u2"), 1.0);
  EXPECT_DOUBLE_EQ(fs.Factor("a", "u3"), 1.0 / 3);
}

TEST(FairShare, ASourceWithACycleEndsAtTheRoot) {
  class Cycle : public EqualShares {
   public:
    std::string Parent(const std::string& a) const override { return a == "x" ? "y" : "x"; }
  };
  FairShare fs(Cycle(), Usage{{{"x", "u"}, 1}}, true);
  EXPECT_DOUBLE_EQ(fs.Factor("x", "u"), 1.0);
}

TEST(UsageTable, DecaysWithTheHalfLife) {
  UsageTable t;
  t.Add("a", "u", 100, 1000, 100);
  t.Add("a", "u", 50, 1100, 100);  // 100 halved, plus 50
  const AssocUsage& u = t.entries().at({"a", "u"});
  EXPECT_DOUBLE_EQ(u.cpu_s, 100);
  EXPECT_EQ(u.at, 1100);
  EXPECT_DOUBLE_EQ(DecayedUsage(u, 1300, 100), 25);
  EXPECT_DOUBLE_EQ(DecayedUsage(u, 1300, 0), 100);  // no decay
}

TEST(UsageTable, AJobRunIsCountedWhenItEndsAndKeptInTheCheckpoint) {
  ClusterConfig cfg = testing::TestConfig();
  cfg.priority.decay_half_life_s = 0;
  ClusterState state(cfg);
  Job j;
  j.id = 1;
  j.partition = "debug";
  j.user = "alice";
  proto::JobSpec spec = testing::SimpleSpec();
  spec.account = "physics";
  j.spec = spec;
  ASSERT_TRUE(state.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  NodeAlloc a;
  a.node = "n1";
  a.cpus = {0, 1, 2};
  ASSERT_TRUE(state.Apply(JobStarted{1, 1, 100, {a}}).ok());
  JobEnded e;
  e.job_id = 1;
  e.end_time = 110;
  ASSERT_TRUE(state.Apply(e).ok());
  ASSERT_EQ(state.usage().entries().size(), 1u);
  EXPECT_DOUBLE_EQ(state.usage().entries().at({"physics", "alice"}).cpu_s, 30);
  ClusterState restored(cfg);
  ASSERT_TRUE(restored.Restore(state.Snapshot()).ok());
  EXPECT_DOUBLE_EQ(restored.usage().entries().at({"physics", "alice"}).cpu_s, 30);
}

}  // namespace
}  // namespace herd::ctld
