// herd — each partition state's admission and scheduling rule (Slurm's meanings), and
// the reasons of pending jobs a partition changed at runtime no longer admits.
#include "controller/sched/partition_rules.h"

#include <gtest/gtest.h>

#include "controller/tests/partition_fixture.h"

namespace herd::ctld {
namespace {

// Slurm's meanings: UP accepts and starts; DOWN accepts, starts none; DRAIN starts what is
// queued, accepts nothing new; INACTIVE neither.
TEST_F(PartitionAdminTest, EachStateAdmitsAndStartsAsSlurm) {
  RegisterAll();
  struct Want {
    const char* state;
    bool accepts;
    bool starts;
  };
  for (const Want& w : {Want{"UP", true, true}, Want{"DOWN", true, false},
                        Want{"DRAIN", false, true}, Want{"INACTIVE", false, false}}) {
    SCOPED_TRACE(w.state);
    EXPECT_EQ(Update("short", {{"State", "HOLD"}}).code(), Code::kInvalidArgument);
    // A job queued while the partition is DOWN: accepted, not started.
    ASSERT_TRUE(Update("short", {{"State", "DOWN"}}).ok());
    auto queued = TrySubmit("short", 5);
    ASSERT_TRUE(queued.ok());
    EXPECT_EQ(StateOf(queued->job_id), JobState::kPending);
    EXPECT_EQ(InfoOf(queued->job_id).reason, "PartitionDown");
    ASSERT_TRUE(Update("short", {{"State", w.state}}).ok());
    EXPECT_EQ(core_->state().PartitionState("short"), w.state);
    EXPECT_EQ(StateOf(queued->job_id) == JobState::kRunning, w.starts);
    auto fresh = TrySubmit("short", 5);
    EXPECT_EQ(fresh.ok(), w.accepts);
    // Leave nothing queued or running for the next state.
    proto::CancelJobsRequest cancel;
    cancel.filter.partitions = {"short"};
    ASSERT_TRUE((Call<proto::CancelJobsReply>(cancel).ok()));
    for (const auto& [id, j] : core_->state().jobs()) {
      if (j.state == JobState::kRunning) (void)Complete(id, 0);
    }
  }
}

TEST_F(PartitionAdminTest, PendingJobsBeyondNewLimitsWaitWithReasons) {
  ClusterState s(cfg_);
  Job j;
  j.partition = "debug";
  j.time_limit_s = 600;
  j.spec.min_nodes = 1;
  EXPECT_EQ(PartitionHolds(s, j), PendingReason::kNone);
  PartitionRecord r;
  r.def = *s.FindPartition("debug");
  r.def.max_time_s = 300;
  ASSERT_TRUE(s.Apply(PartitionDefined{r}).ok());
  EXPECT_EQ(PartitionHolds(s, j), PendingReason::kPartitionTimeLimit);
  r.def.max_time_s = -1;
  r.def.min_nodes = 2;
  ASSERT_TRUE(s.Apply(PartitionDefined{r}).ok());
  EXPECT_EQ(PartitionHolds(s, j), PendingReason::kPartitionNodeLimit);
  ASSERT_TRUE(s.Apply(PartitionDeleted{"debug"}).ok());
  EXPECT_EQ(PartitionHolds(s, j), PendingReason::kPartitionConfig);
  EXPECT_STREQ(PendingReasonName(PendingReason::kPartitionTimeLimit), "PartitionTimeLimit");
}

}  // namespace
}  // namespace herd::ctld
