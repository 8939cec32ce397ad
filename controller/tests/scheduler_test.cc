// herd — the scheduler as a function of the state: exact plans, and a state left as it was.
#include "controller/sched/scheduler.h"

#include <map>

#include "controller/sched/placement.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;
using testing::TestConfig;

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : cfg_(TestConfig()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
  }
  // Submits job `id` of `tasks` tasks (one cpu each).
  void Submit(uint64_t id, uint32_t tasks, int32_t nice = 0, bool exclusive = false) {
    Job j;
    j.id = id;
    j.partition = "debug";
    proto::JobSpec spec = SimpleSpec();
    spec.num_tasks = tasks;
    spec.nice = nice;
    spec.exclusive = exclusive;
    j.spec = spec;
    ASSERT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  }
  static std::vector<std::string> Nodes(const PlannedStart& s) {
    std::vector<std::string> out;
    for (const auto& a : s.alloc) out.push_back(a.node);
    return out;
  }
  ClusterConfig cfg_;
  ClusterState state_;
};

using Reasons = std::vector<std::pair<uint64_t, PendingReason>>;

TEST_F(SchedulerTest, LaterStartsSeeEarlierOnesAndTheStateIsUntouched) {
  Submit(1, 4);
  Submit(2, 4);
  Submit(3, 2);
  SchedulePlan plan = Schedule(state_, 0);
  ASSERT_EQ(plan.starts.size(), 3u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
  EXPECT_EQ(Nodes(plan.starts[0]), std::vector<std::string>{"n1"});
  EXPECT_EQ(plan.starts[1].job_id, 2u);
  EXPECT_EQ(Nodes(plan.starts[1]), std::vector<std::string>{"n2"});
  EXPECT_EQ(Nodes(plan.starts[2]), std::vector<std::string>{"n3"});
  EXPECT_EQ(plan.starts[2].alloc[0].cpus, (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(plan.reasons.empty());
  EXPECT_TRUE(plan.blocked.empty());
  EXPECT_TRUE(plan.preemptions.empty());
  EXPECT_TRUE(plan.reservations.empty());
  for (const auto& n : state_.nodes()) EXPECT_EQ(state_.FreeCpus(n), 4u) << n.name;
  for (const auto& [id, j] : state_.jobs()) EXPECT_EQ(j.state, JobState::kPending);
  // Planning again on the same state gives the same plan.
  SchedulePlan again = Schedule(state_, 0);
  ASSERT_EQ(again.starts.size(), 3u);
  EXPECT_EQ(Nodes(again.starts[2]), std::vector<std::string>{"n3"});
}

// An array's remainder starts as many tasks as fit in one pass, within its throttle and
// never more than it has; each start is one entry of the plan.
TEST_F(SchedulerTest, AnArrayStartsAsManyTasksAsFitInOnePass) {
  auto submit_array = [&](uint64_t id, uint32_t last, uint32_t throttle) {
    Job j;
    j.id = id;
    j.partition = "debug";
    proto::JobSpec spec = SimpleSpec();
    spec.num_tasks = 1;
    j.spec = spec;
    j.array_job_id = id;
    j.array_pending = {{0, last, 1}};
    j.array_throttle = throttle;
    ASSERT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  };
  uint64_t cpus = 0;
  for (const auto& n : state_.nodes()) cpus += state_.FreeCpus(n);
  submit_array(1, 2, 0);
  submit_array(2, 9, 4);
  submit_array(3, 999, 0);
  SchedulePlan plan = Schedule(state_, 0);
  std::map<uint64_t, uint64_t> per_job;
  for (const PlannedStart& st : plan.starts) per_job[st.job_id]++;
  EXPECT_EQ(per_job[1], 3u) << "all its tasks";
  EXPECT_EQ(per_job[2], 4u) << "its throttle";
  EXPECT_EQ(per_job[3], cpus - 7) << "the cpus left";
  EXPECT_EQ(plan.starts.size(), cpus);
}

TEST_F(SchedulerTest, AJobThatDoesNotFitBlocksItsPartition) {
  cfg_.sched.backfill = false;  // sched/builtin (backfill_test.cc has the rest)
  Submit(1, 12);
  Submit(2, 8);  // 4 cpus are left
  Submit(3, 1);  // would fit, but waits behind job 2
  SchedulePlan plan = Schedule(state_, 0);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(Nodes(plan.starts[0]), (std::vector<std::string>{"n1", "n2", "n3"}));
  EXPECT_EQ(plan.reasons, (Reasons{{2, PendingReason::kResources}, {3, PendingReason::kPriority}}));
  EXPECT_EQ(plan.blocked, (std::map<std::string, int32_t>{{"debug", 0}}));
}

TEST_F(SchedulerTest, NiceOrdersAndHoldsWait) {
  cfg_.sched.backfill = false;
  Submit(1, 16, /*nice=*/10);
  Submit(2, 16);
  Submit(3, 1);
  ASSERT_TRUE(state_.Apply(JobHold{3, HoldKind::kAdmin, 0}).ok());
  SchedulePlan plan = Schedule(state_, 0);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
  EXPECT_EQ(plan.reasons,
            (Reasons{{3, PendingReason::kJobHeldAdmin}, {1, PendingReason::kResources}}));
  EXPECT_EQ(plan.blocked, (std::map<std::string, int32_t>{{"debug", 10}}));
}

TEST_F(SchedulerTest, AnExclusiveJobAvoidsNodesThePlanAlreadyUses) {
  Submit(1, 1);
  Submit(2, 1, 0, /*exclusive=*/true);
  SchedulePlan plan = Schedule(state_, 0);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(Nodes(plan.starts[0]), std::vector<std::string>{"n1"});
  EXPECT_EQ(Nodes(plan.starts[1]), std::vector<std::string>{"n2"});
  EXPECT_EQ(plan.starts[1].alloc[0].cpus, (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST_F(SchedulerTest, AStartIsCheckedAgainstTheStateItIsAppliedTo) {
  Submit(1, 4);
  Submit(2, 4);
  SchedulePlan plan = Schedule(state_, 0);
  ASSERT_EQ(plan.starts.size(), 2u);
  const Job& second = *state_.FindJob(2);
  EXPECT_TRUE(StillFree(state_, second, plan.starts[0].alloc).ok());
  ASSERT_TRUE(state_.Apply(JobStarted{1, 1, 0, plan.starts[0].alloc}).ok());
  Status taken = StillFree(state_, second, plan.starts[0].alloc);
  EXPECT_EQ(taken.code(), Code::kResourceExhausted) << taken.ToString();
  EXPECT_TRUE(StillFree(state_, second, plan.starts[1].alloc).ok());
  state_.nodes()[1].drain = true;
  EXPECT_EQ(StillFree(state_, second, plan.starts[1].alloc).code(), Code::kResourceExhausted);
}

}  // namespace
}  // namespace herd::ctld
