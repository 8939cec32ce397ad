// herd — priority/multifactor: each factor with exact values, nice, and the order the
// scheduler starts jobs in (fair-share after one user used the cluster).
#include "controller/sched/priority.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "controller/sched/scheduler.h"
#include "controller/tests/priority_fixture.h"

namespace herd::ctld {
namespace {

using testing::PriorityTest;

TEST_F(PriorityTest, AgeGrowsToOneAtPriorityMaxAge) {
  Weights(1000, 0, 0, 0);
  const Job& j = Submit(1, 2, "alice", 20);
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 70).Of(j).age, 0.5);
  EXPECT_EQ(PriorityCalculator(state_, 70).Of(j).priority, 500u);
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 500).Of(j).age, 1.0);
  EXPECT_EQ(PriorityCalculator(state_, 10).Of(j).priority, 1u);  // never below 1
}

TEST_F(PriorityTest, JobSizeFavorsLargeOrSmall) {
  Weights(0, 0, 1000, 0);
  const Job& j = Submit(1, 2);
  // (1 node of 4 + 2 cpus of 16) / 2.
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(j).job_size, 0.1875);
  EXPECT_EQ(PriorityCalculator(state_, 0).Of(j).priority, 188u);
  cfg_.priority.favor_small = true;
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(j).job_size, (4.0 / 4 + 15.0 / 16) / 2);
  const Job& one = Submit(2, 1);
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(one).job_size, 1.0);
  // SMALL_RELATIVE_TO_TIME: 2 cpus of 16 over 10 minutes.
  cfg_.priority.small_relative_to_time = true;
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(j).job_size, 1 - 0.0125);
  cfg_.priority.favor_small = false;
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 0).Of(j).job_size, 0.0125);
}

TEST_F(PriorityTest, PartitionFactorIsOverTheHighestAndNiceIsSubtracted) {
  Weights(0, 0, 0, 1000);
  const Job& d = Submit(1, 1, "alice", 0, "debug", 30);
  const Job& s = Submit(2, 1, "alice", 0, "short");
  PriorityCalculator calc(state_, 0);
  EXPECT_DOUBLE_EQ(calc.Of(d).partition, 0.25);
  EXPECT_EQ(calc.Of(d).priority, 220u);
  EXPECT_EQ(calc.Of(d).nice, 30);
  EXPECT_DOUBLE_EQ(calc.Of(s).partition, 1.0);
  EXPECT_EQ(calc.Of(s).priority, 1000u);
  EXPECT_DOUBLE_EQ(calc.Of(s).qos, 0);
}

TEST_F(PriorityTest, FairShareCountsEndedAndRunningUsage) {
  Weights(0, 1000, 0, 0);
  Ran(1, "alice", 4, 100, 200);
  const Job& a = Submit(2, 1, "alice");
  const Job& b = Submit(3, 1, "bob");
  // Three users under root (the root user is one, as in Slurm): bob and root unused share
  // the first rank, alice is last.
  PriorityCalculator calc(state_, 200);
  EXPECT_DOUBLE_EQ(calc.Of(b).fairshare, 1.0);
  EXPECT_DOUBLE_EQ(calc.Of(a).fairshare, 1.0 / 3);
  EXPECT_EQ(calc.Of(b).priority, 1000u);
  EXPECT_EQ(calc.Of(a).priority, 333u);
  auto usage = UsageAt(state_, 200);
  EXPECT_DOUBLE_EQ((usage[{"", "alice"}]), 400);
  EXPECT_DOUBLE_EQ((usage[{"", "bob"}]), 0);
  // A running job of bob's counts what it used so far: 8 cpus x 100 s > alice's 400.
  NodeAlloc n2{"n2", {0, 1, 2, 3}, 0, 4}, n3{"n3", {0, 1, 2, 3}, 0, 4};
  Submit(4, 8, "bob");
  ASSERT_TRUE(state_.Apply(JobStarted{4, 1, 200, {n2, n3}}).ok());
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 300).Of(a).fairshare, 2.0 / 3);
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 300).Of(b).fairshare, 1.0 / 3);
}

TEST_F(PriorityTest, ClassicFairShareWithNoFairTree) {
  Weights(0, 1000, 0, 0);
  cfg_.priority.fair_tree = false;
  Ran(1, "alice", 4, 100, 200);
  const Job& a = Submit(2, 1, "alice");
  // alice: S = 1/3 (bob, root and her, one share each), U = 1: F = 2^-3.
  Submit(3, 1, "bob");
  EXPECT_DOUBLE_EQ(PriorityCalculator(state_, 200).Of(a).fairshare, 0.125);
}

TEST_F(PriorityTest, TheSchedulerStartsTheLessUsedUsersJobFirst) {
  Weights(10, 1000, 0, 0);
  cfg_.sched.backfill = false;
  Ran(1, "alice", 4, 100, 200);
  Submit(2, 16, "alice", 200);
  Submit(3, 16, "bob", 250);
  SchedulePlan plan = Schedule(state_, 300);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 3u);
  EXPECT_EQ(plan.reasons,
            (std::vector<std::pair<uint64_t, PendingReason>>{{2, PendingReason::kResources}}));
  EXPECT_TRUE(plan.blocked.empty());  // a later job may outrank job 2
  // Priorities as computed: bob 1000 + 10 x 0.5, alice 1000 / 3 + 10 x 1.
  EXPECT_EQ(plan.priorities, (std::vector<std::pair<uint64_t, uint32_t>>{{2, 343}, {3, 1005}}));
  // priority/basic: by submission.
  cfg_.priority.multifactor = false;
  EXPECT_EQ(Schedule(state_, 300).starts[0].job_id, 2u);
}

TEST_F(PriorityTest, PriorityTierDecidesFirst) {
  Weights(0, 1000, 0, 0);
  cfg_.sched.backfill = false;
  for (auto& p : cfg_.partitions) p.priority = p.name == "short" ? 1 : 2;
  ClusterState state(cfg_);  // partitions are read from the config when the state is made
  for (auto& n : state.nodes()) n.registered = true;
  for (uint64_t id : {1, 2}) {
    Job j;
    j.id = id;
    j.partition = id == 1 ? "short" : "debug";
    j.user = "u";
    proto::JobSpec spec = testing::SimpleSpec();
    spec.num_tasks = 4;
    j.spec = spec;
    ASSERT_TRUE(state.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  }
  SchedulePlan plan = Schedule(state, 0);
  ASSERT_GE(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);  // first, though submitted later
}

// The cost of the priorities in a pass: 10,000 pending jobs of 100 users in 10 accounts
// behind a full machine of 128 nodes, with basic and with multifactor priority (printed,
// not asserted: tests assert no timings); the order is the same on a second pass.
// bf_reserve_aged: the wide job W that waited PriorityMaxAge goes first, before B (whose
// priority an admin set): W is reserved the whole cluster when R ends, B after W, and
// the small long job S may not start on the node B leaves free (it would delay W).
// Without the option W waits behind B with no reservation and S starts there.
TEST_F(PriorityTest, AgedJobsGetAReservationWithBfReserveAged) {
  Weights(10000, 0, 1000, 0);
  cfg_.priority.favor_small = true;
  time_limit_ = 1000;
  Submit(1, 8, "alice");  // R: n1 and n2 until 1000
  NodeAlloc n1{"n1", {0, 1, 2, 3}, 0, 4}, n2{"n2", {0, 1, 2, 3}, 0, 4};
  ASSERT_TRUE(state_.Apply(JobStarted{1, 1, 0, {n1, n2}}).ok());
  time_limit_ = 600;
  admin_priority_ = 1000000;
  Submit(2, 12, "bob", 150);  // B
  admin_priority_ = 0;
  Submit(3, 16, "carol", 0);  // W, aged at 200
  time_limit_ = 2000;
  Submit(4, 4, "dave", 190);  // S
  SchedulePlan plan = Schedule(state_, 200);
  ASSERT_EQ(plan.starts.size(), 1u) << "without the option S starts on the free node";
  EXPECT_EQ(plan.starts[0].job_id, 4u);
  ASSERT_EQ(plan.reservations.size(), 1u);

  cfg_.sched.bf_reserve_aged = true;
  plan = Schedule(state_, 200);
  EXPECT_TRUE(plan.starts.empty());
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[0].job_id, 3u);
  EXPECT_EQ(plan.reservations[0].expected_start, 1000);
  EXPECT_EQ(plan.reservations[1].job_id, 2u);
  EXPECT_EQ(plan.reservations[1].expected_start, 1600) << "when W's reservation ends";
  std::map<uint64_t, PendingReason> reasons(plan.reasons.begin(), plan.reasons.end());
  EXPECT_EQ(reasons[3], PendingReason::kResources);
  EXPECT_EQ(reasons[4], PendingReason::kPriority);
  // Not yet aged: as without the option.
  EXPECT_EQ(Schedule(state_, 50).reservations.size(), 1u);
}

TEST(PriorityScale, PassOverTenThousandPendingJobs) {
  ClusterConfig cfg = testing::TestConfig(128, 16, 64000);
  ClusterState state(cfg);
  for (auto& n : state.nodes()) n.registered = true;
  uint64_t id = 1;
  for (size_t n = 0; n < state.nodes().size(); ++n, ++id) {
    Job j;
    j.id = id;
    j.partition = "debug";
    j.user = "u" + std::to_string(n % 100);
    j.time_limit_s = 3600;
    proto::JobSpec spec = testing::SimpleSpec();
    spec.num_tasks = 16;
    spec.account = "a" + std::to_string(n % 10);
    j.spec = spec;
    ASSERT_TRUE(state.Apply(JobSubmitted{j, {}, {}, {}}).ok());
    NodeAlloc a{state.nodes()[n].name, {}, 0, 16};
    for (uint32_t c = 0; c < 16; ++c) a.cpus.push_back(c);
    ASSERT_TRUE(state.Apply(JobStarted{id, 1, 0, {a}}).ok());
  }
  for (int i = 0; i < 10000; ++i, ++id) {
    Job j;
    j.id = id;
    j.partition = "debug";
    j.user = "u" + std::to_string((i * 7) % 100);
    j.submit_time = i % 500;
    j.time_limit_s = 60 + (i * 37) % 86400;
    proto::JobSpec spec = testing::SimpleSpec();
    spec.num_tasks = 1 + static_cast<uint32_t>((i * 13) % 64);
    spec.account = "a" + std::to_string((i * 7) % 10);
    j.spec = spec;
    ASSERT_TRUE(state.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  }
  auto timed = [&](const char* what) {
    const auto t0 = std::chrono::steady_clock::now();
    SchedulePlan plan = Schedule(state, 1000);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("pass over 10000 pending jobs, 128 nodes full, %s: %.2f ms\n", what, ms);
    return plan;
  };
  timed("priority/basic");
  cfg.priority.multifactor = true;
  cfg.priority.weight_age = 1000;
  cfg.priority.weight_fairshare = 10000;
  cfg.priority.weight_job_size = 1000;
  SchedulePlan a = timed("priority/multifactor");
  SchedulePlan b = timed("priority/multifactor again");
  EXPECT_EQ(a.priorities.size(), 10000u);
  EXPECT_EQ(a.priorities, b.priorities);
  EXPECT_EQ(a.reservations.size(), 1u);
}

}  // namespace
}  // namespace herd::ctld
