// herd — priority/multifactor over the associations: the account tree's Fairshare=
// shares, users' association shares, a job's default account, the accounts the tree does
// not know, and the QOS factor (Priority= over the highest).
#include "controller/sched/assoc_shares.h"

#include <gtest/gtest.h>

#include "controller/sched/priority.h"
#include "controller/sched/scheduler.h"
#include "controller/tests/priority_fixture.h"

namespace herd::ctld {
namespace {

class AssocSharesTest : public testing::PriorityTest {
 protected:
  void Account(const std::string& name, uint32_t shares, const std::string& parent = "root") {
    AssocDefined e;
    e.kind = proto::AssocKind::kAccount;
    e.account.name = name;
    e.account.parent = parent;
    e.account.fairshare = shares;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  // `user` with one association per account (the first is the default).
  void User(const std::string& name, const std::vector<std::pair<std::string, uint32_t>>& assocs) {
    AssocDefined e;
    e.kind = proto::AssocKind::kUser;
    e.user.name = name;
    e.user.default_account = assocs.front().first;
    for (const auto& a : assocs) e.user.accounts[a.first].fairshare = a.second;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  void Qos(const std::string& name, uint32_t priority) {
    AssocDefined e;
    e.kind = proto::AssocKind::kQos;
    e.qos.name = name;
    e.qos.priority = priority;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  // root -> physics (Fairshare=30) -> {alice 1, bob 3}; root -> chem (10) -> {carol}.
  void Tree() {
    Account("physics", 30);
    Account("chem", 10);
    User("alice", {{"physics", 1}});
    User("bob", {{"physics", 3}, {"chem", 1}});
    User("carol", {{"chem", 1}});
  }
};

TEST_F(AssocSharesTest, TheTreeGivesTheSharesAndRows) {
  Tree();
  const AssocShares shares(state_.assoc());
  EXPECT_EQ(shares.Parent("physics"), "root");
  EXPECT_EQ(shares.AccountShares("physics"), 30u);
  EXPECT_EQ(shares.UserShares("physics", "bob"), 3u);
  EXPECT_EQ(shares.UserShares("chem", "bob"), 1u);
  // Jobs without -A count under the user's default account; an unknown user under root.
  EXPECT_EQ(shares.Account("", "bob"), "physics");
  EXPECT_EQ(shares.Account("", "zoe"), "root");
  EXPECT_EQ(shares.Account("CHEM", "bob"), "chem");
  const FairShare fs(shares, {}, true);
  std::vector<std::string> lines;
  for (const ShareRow& r : fs.rows()) {
    lines.push_back(std::string(r.depth, ' ') + r.account + "/" + r.user + " " +
                    std::to_string(r.raw_shares));
  }
  // Depth first, users before accounts, each by name (sshare's order).
  EXPECT_EQ(lines, (std::vector<std::string>{"root/ 1", " root/root 1", " chem/ 10", "  chem/bob 1",
                                             "  chem/carol 1", " physics/ 30", "  physics/alice 1",
                                             "  physics/bob 3"}));
  EXPECT_DOUBLE_EQ(fs.rows()[5].norm_shares, 30.0 / 41);  // physics among root's children
}

TEST_F(AssocSharesTest, UsersRankByTheirAssociationShares) {
  Weights(0, 1000, 0, 0);
  Tree();
  // In physics alice has 1 share of 4 and used 1/3 (LF 0.75), bob 3 of 4 and used 2/3
  // (LF 1.125): bob ranks above alice although he used more.
  Ran(1, "alice", 1, 100, 200, "physics");
  Ran(2, "bob", 2, 100, 200, "physics");
  const Job& a = Submit(3, 1, "alice", 100, "debug", 0, "physics");
  const Job& b = Submit(4, 1, "bob", 100);  // no -A: his default account, physics
  PriorityCalculator calc(state_, 200);
  // 5 users. Root's children by level fair-share: the root user and chem (unused) before
  // physics: root ranks 5, chem's two users share rank 4, then physics's bob 2, alice 1.
  EXPECT_DOUBLE_EQ(calc.Of(b).fairshare, 2.0 / 5);
  EXPECT_DOUBLE_EQ(calc.Of(a).fairshare, 1.0 / 5);
}

TEST_F(AssocSharesTest, AnAccountUnderItsShareRanksFirst) {
  Weights(0, 1000, 0, 0);
  Tree();
  // Equal usage: physics has 3x chem's shares, so its users rank above chem's.
  Ran(1, "alice", 1, 100, 200, "physics");
  Ran(2, "carol", 1, 100, 200, "chem");
  const Job& a = Submit(3, 1, "alice", 100, "debug", 0, "physics");
  const Job& c = Submit(4, 1, "carol", 100, "debug", 0, "chem");
  PriorityCalculator calc(state_, 200);
  // 5 users (root, alice, bob x2, carol). Root first (unused: 5/5), then physics (LF
  // 30/41 / 1/2) before chem (10/41 / 1/2): physics/bob unused 4/5, alice 3/5; chem/bob
  // 2/5, carol 1/5.
  EXPECT_DOUBLE_EQ(calc.Of(a).fairshare, 3.0 / 5);
  EXPECT_DOUBLE_EQ(calc.Of(c).fairshare, 1.0 / 5);
  SchedulePlan plan = Schedule(state_, 200);
  ASSERT_EQ(plan.priorities.size(), 2u);
  EXPECT_EQ(plan.priorities[0], (std::pair<uint64_t, uint32_t>(3, 600)));
  EXPECT_EQ(plan.priorities[1], (std::pair<uint64_t, uint32_t>(4, 200)));
}

TEST_F(AssocSharesTest, AccountsTheTreeDoesNotKnowHaveOneShareUnderRoot) {
  Weights(0, 1000, 0, 0);
  Account("physics", 3);
  Ran(1, "alice", 1, 100, 200, "adhoc");
  const Job& a = Submit(2, 1, "alice", 100, "debug", 0, "adhoc");
  const AssocShares shares(state_.assoc());
  EXPECT_EQ(shares.AccountShares("adhoc"), 1u);
  EXPECT_EQ(shares.Parent("adhoc"), "root");
  // Users: root (unused) and alice in adhoc: alice ranks second of two.
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 200).Of(a).fairshare, 0.5);
}

TEST_F(AssocSharesTest, QosFactorIsItsPriorityOverTheHighest) {
  cfg_.priority.weight_qos = 1000;
  Weights(0, 0, 0, 0);
  const Job& plain = Submit(1, 1, "alice");
  const Job& high = Submit(2, 1, "alice", 0, "debug", 0, "", "high");
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(plain).qos, 0) << "no QOS has a priority";
  Qos("high", 200);
  Qos("low", 50);
  PriorityCalculator calc(state_, 0);
  EXPECT_DOUBLE_EQ(calc.Of(high).qos, 1.0);
  EXPECT_DOUBLE_EQ(calc.Of(plain).qos, 0) << "normal: Priority=0";
  const Job& low = Submit(3, 1, "alice", 0, "debug", 0, "", "LOW");
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(low).qos, 0.25);
  EXPECT_EQ(PriorityCalculator(state_, 0).Of(low).priority, 250u);
  // The scheduler starts the high QOS's job first although it came later.
  Submit(4, 16, "alice");
  Submit(5, 16, "alice", 0, "debug", 0, "", "high");
  cfg_.sched.backfill = false;
  EXPECT_EQ(Schedule(state_, 0).starts.front().job_id, 2u);
}

}  // namespace
}  // namespace herd::ctld
