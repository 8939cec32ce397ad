// herd — job dependencies and --begin: Slurm's syntax, each type's exact outcome on the
// state, '?' and ',', after+N, singleton per user and name, kill_invalid_depend, and the
// same answers derived again from a checkpoint.
#include "controller/state/depend.h"

#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;
using testing::TestConfig;

TEST(ParseDependency, SlurmForms) {
  auto d = ParseDependency("afterok:4:5+2,afterany:6,singleton");
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_FALSE(d->any);
  ASSERT_EQ(d->items.size(), 4u);
  EXPECT_EQ(d->items[0].type, DepType::kAfterOk);
  EXPECT_EQ(d->items[0].job_id, 4u);
  EXPECT_EQ(d->items[1].job_id, 5u);
  EXPECT_EQ(d->items[1].minutes, 2u);
  EXPECT_EQ(d->items[2].type, DepType::kAfterAny);
  EXPECT_EQ(d->items[3].type, DepType::kSingleton);
  auto any = ParseDependency("afternotok:4?AfterOK:4");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->any);
  EXPECT_EQ(any->items[1].type, DepType::kAfterOk);
  auto bare = ParseDependency("7");  // the old form: afterany
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->items[0].type, DepType::kAfterAny);
  EXPECT_EQ(ParseDependency("afterok:4,afterok:4")->items.size(), 1u);  // kept once
  auto task = ParseDependency("afterok:4_2:4_3+1,afterok:4");  // tasks of array 4, and all of it
  ASSERT_TRUE(task.ok()) << task.error().message();
  ASSERT_EQ(task->items.size(), 3u);
  EXPECT_EQ(task->items[0].job_id, 4u);
  EXPECT_EQ(task->items[0].task, 2u);
  EXPECT_EQ(task->items[1].Target(), "4_3");
  EXPECT_EQ(task->items[1].minutes, 1u);
  EXPECT_EQ(task->items[2].task, proto::kNoArrayTask);
}

TEST(ParseDependency, RefusedWithAReason) {
  for (const char* bad :
       {"", "garbage", "afterok", "afterok:", "afterok:4?", "afterok:4:", "afterok:x", "afterok:0",
        "afterok:4+x", "afterok:4+0", "singleton:4", "afterok:4_", "afterok:4_x", "afterok:_1",
        "afterok:4_1_2", "afterok:4_99999999999", "sometime:4", ",afterok:4"}) {
    auto d = ParseDependency(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.error().message().rfind("Job dependency problem", 0), 0u) << bad;
    }
  }
  EXPECT_NE(ParseDependency("afterburstbuffer:4").error().message().find("burst buffers"),
            std::string::npos);
  EXPECT_NE(ParseDependency("aftercorr:4").error().message().find("aftercorr"), std::string::npos);
}

// A state with jobs submitted in order; helpers to move them along.
class DependTest : public ::testing::Test {
 protected:
  DependTest() : cfg_(TestConfig()), s_(std::make_unique<ClusterState>(cfg_)) {}

  uint64_t Submit(const std::string& dep, const std::string& name = "t", uint32_t uid = 1000,
                  int64_t begin = 0, int kill = -1) {
    Job j;
    j.id = s_->next_job_id();
    j.uid = uid;
    j.user = "u";
    j.partition = "debug";
    proto::JobSpec spec = SimpleSpec();
    spec.name = name;
    spec.dependency = dep;
    spec.begin_time = begin;
    spec.kill_on_invalid_dep = kill;
    j.spec = spec;
    EXPECT_TRUE(s_->Apply(JobSubmitted{j, {}, {}, {}}).ok());
    return j.id;
  }
  void Start(uint64_t id, int64_t at = 100) {
    ASSERT_TRUE(s_->Apply(JobStarted{id, 1, at, {NodeAlloc{"n1", {0}, 0, 1}}}).ok());
  }
  void End(uint64_t id, JobState st, int64_t at = 200) {
    JobEnded e;
    e.job_id = id;
    e.state = st;
    e.end_time = at;
    ASSERT_TRUE(s_->Apply(e).ok());
  }
  PendingReason Wait(uint64_t id) const { return s_->FindJob(id)->wait; }
  std::string Shown(uint64_t id) const { return s_->dependencies().Describe(*s_->FindJob(id)); }
  // A controller that starts again from a checkpoint of this state.
  void Recover() {
    const std::string snap = s_->Snapshot();
    s_ = std::make_unique<ClusterState>(cfg_);
    ASSERT_TRUE(s_->Restore(snap).ok());
  }

  ClusterConfig cfg_;
  std::unique_ptr<ClusterState> s_;
};

TEST_F(DependTest, AfterOkWaitsThenRunsOrNeverDoes) {
  const uint64_t a = Submit(""), b = Submit(""), ok = Submit("afterok:1"),
                 nok = Submit("afterok:2");
  EXPECT_EQ(Wait(ok), PendingReason::kDependency);
  EXPECT_EQ(Shown(ok), "afterok:1(unfulfilled)");
  Start(a);
  EXPECT_EQ(Wait(ok), PendingReason::kDependency) << "running is not ended";
  End(a, JobState::kCompleted);
  EXPECT_EQ(Wait(ok), PendingReason::kNone);
  EXPECT_EQ(Shown(ok), "");
  Start(b);
  End(b, JobState::kFailed);
  EXPECT_EQ(Wait(nok), PendingReason::kDependencyNeverSatisfied);
  EXPECT_EQ(Shown(nok), "afterok:2(failed)");
  EXPECT_TRUE(s_->dependencies().invalid().empty()) << "not cancelled unless asked";
  EXPECT_TRUE(s_->dependencies().HasWaiters(b)) << "kept while a job depends on it";
  Start(ok);
  EXPECT_FALSE(s_->dependencies().HasWaiters(a)) << "its dependent started: may be forgotten";
}

TEST_F(DependTest, AfterNotOkAfterAnyAndAfter) {
  const uint64_t a = Submit("");
  const uint64_t nok = Submit("afternotok:1"), any = Submit("afterany:1"),
                 after = Submit("after:1");
  EXPECT_EQ(Wait(after), PendingReason::kDependency);
  Start(a, 100);
  EXPECT_EQ(Wait(after), PendingReason::kNone) << "after: once it started";
  EXPECT_EQ(Wait(any), PendingReason::kDependency);
  End(a, JobState::kTimeout);
  EXPECT_EQ(Wait(nok), PendingReason::kNone) << "TIMEOUT is not OK";
  EXPECT_EQ(Wait(any), PendingReason::kNone);
  const uint64_t c = Submit(""), nok2 = Submit("afternotok:" + std::to_string(c));
  End(c, JobState::kCompleted);
  EXPECT_EQ(Wait(nok2), PendingReason::kDependencyNeverSatisfied);
}

TEST_F(DependTest, AfterPlusMinutesWaitsForTheClock) {
  const uint64_t a = Submit(""), d = Submit("after:1+2");
  ASSERT_FALSE(s_->AdvanceTime(50));
  Start(a, 100);
  EXPECT_EQ(Wait(d), PendingReason::kDependency);
  EXPECT_EQ(Shown(d), "after:1+2(unfulfilled)");
  EXPECT_EQ(s_->dependencies().NextWake(), 220);
  EXPECT_FALSE(s_->AdvanceTime(219));
  EXPECT_EQ(Wait(d), PendingReason::kDependency);
  EXPECT_TRUE(s_->AdvanceTime(220));
  EXPECT_EQ(Wait(d), PendingReason::kNone);
}

TEST_F(DependTest, AllAndAny) {
  Submit("");
  Submit("");
  const uint64_t all = Submit("afterok:1,afterok:2"), any = Submit("afterok:1?afterok:2");
  const uint64_t never = Submit("afterok:1?afterok:2");
  (void)never;
  End(1, JobState::kFailed);
  EXPECT_EQ(Wait(all), PendingReason::kDependencyNeverSatisfied) << "one failed: all cannot";
  EXPECT_EQ(Wait(any), PendingReason::kDependency) << "the other may still";
  EXPECT_EQ(Shown(any), "afterok:1(failed)?afterok:2(unfulfilled)");
  End(2, JobState::kCompleted);
  EXPECT_EQ(Wait(any), PendingReason::kNone);
  const uint64_t x = Submit(""), y = Submit("");
  const uint64_t both_fail =
      Submit("afterok:" + std::to_string(x) + "?afterok:" + std::to_string(y));
  End(x, JobState::kFailed);
  EXPECT_EQ(Wait(both_fail), PendingReason::kDependency);
  End(y, JobState::kCancelled);
  EXPECT_EQ(Wait(both_fail), PendingReason::kDependencyNeverSatisfied);
}

TEST_F(DependTest, SingletonPerUserAndName) {
  const uint64_t a = Submit("", "sweep", 1000);
  const uint64_t s1 = Submit("singleton", "sweep", 1000);
  const uint64_t other_user = Submit("singleton", "sweep", 1001);
  const uint64_t other_name = Submit("singleton", "other", 1000);
  const uint64_t s2 = Submit("singleton", "sweep", 1000);
  EXPECT_EQ(Wait(s1), PendingReason::kDependency) << "an earlier job of the name is pending";
  EXPECT_EQ(Shown(s1), "singleton(unfulfilled)");
  EXPECT_EQ(Wait(other_user), PendingReason::kNone);
  EXPECT_EQ(Wait(other_name), PendingReason::kNone);
  Start(a);
  End(a, JobState::kFailed);  // any end will do
  EXPECT_EQ(Wait(s1), PendingReason::kNone);
  EXPECT_EQ(Wait(s2), PendingReason::kDependency) << "s1 is before it";
  Start(s1);
  EXPECT_EQ(Wait(s2), PendingReason::kDependency);
  End(s1, JobState::kCompleted);
  EXPECT_EQ(Wait(s2), PendingReason::kNone);
  // A later job of the name that starts first (no dependency) makes the singleton wait.
  const uint64_t s3 = Submit("singleton", "late", 1000), plain = Submit("", "late", 1000);
  EXPECT_EQ(Wait(s3), PendingReason::kNone);
  Start(plain);
  EXPECT_EQ(Wait(s3), PendingReason::kDependency);
}

TEST_F(DependTest, KillInvalidDependByOptionOrConfig) {
  const uint64_t a = Submit("");
  const uint64_t yes = Submit("afterok:1", "t", 1000, 0, 1);
  const uint64_t dflt = Submit("afterok:1");
  End(a, JobState::kFailed);
  EXPECT_EQ(s_->dependencies().invalid(), std::set<uint64_t>{yes});
  cfg_.kill_invalid_depend = true;
  const uint64_t no = Submit("afterok:1", "t", 1000, 0, 0), later = Submit("afterok:1");
  EXPECT_EQ(s_->dependencies().invalid(), (std::set<uint64_t>{yes, later}));
  (void)dflt;
  (void)no;
  End(yes, JobState::kCancelled);
  EXPECT_EQ(s_->dependencies().invalid(), std::set<uint64_t>{later});
}

TEST_F(DependTest, BeginTimeWakesAtItsTime) {
  ASSERT_FALSE(s_->AdvanceTime(1000));
  const uint64_t b = Submit("", "t", 1000, 1003);
  EXPECT_EQ(Wait(b), PendingReason::kBeginTime);
  EXPECT_EQ(s_->dependencies().NextWake(), 1003);
  EXPECT_FALSE(s_->AdvanceTime(1002));
  EXPECT_TRUE(s_->AdvanceTime(1003));
  EXPECT_EQ(Wait(b), PendingReason::kNone);
  EXPECT_EQ(s_->dependencies().NextWake(), INT64_MAX);
}

TEST_F(DependTest, DerivedAgainAfterRecovery) {
  const uint64_t a = Submit(""), b = Submit("");
  const uint64_t ok = Submit("afterok:1"), never = Submit("afterok:2", "t", 1000, 0, 1);
  const uint64_t sing1 = Submit("", "s"), sing2 = Submit("singleton", "s");
  const uint64_t begin = Submit("", "t", 1000, 5000);
  End(a, JobState::kCompleted);
  End(b, JobState::kFailed);
  Start(sing1);
  Recover();
  EXPECT_EQ(Wait(ok), PendingReason::kNone);
  EXPECT_EQ(Wait(never), PendingReason::kDependencyNeverSatisfied);
  EXPECT_EQ(s_->dependencies().invalid(), std::set<uint64_t>{never});
  EXPECT_EQ(Wait(sing2), PendingReason::kDependency);
  EXPECT_EQ(Wait(begin), PendingReason::kBeginTime);
  EXPECT_TRUE(s_->dependencies().HasWaiters(b));
  End(sing1, JobState::kCompleted);
  EXPECT_EQ(Wait(sing2), PendingReason::kNone) << "the group was rebuilt";
  EXPECT_TRUE(s_->AdvanceTime(5000));
  EXPECT_EQ(Wait(begin), PendingReason::kNone);
}

TEST(CheckDependencyTargets, UnknownJobs) {
  auto find = [](uint64_t id) -> const Job* {
    static Job known;
    return id == 3 ? &known : nullptr;
  };
  EXPECT_TRUE(CheckDependencyTargets(*ParseDependency("afterok:3"), 10, find).ok());
  EXPECT_TRUE(CheckDependencyTargets(*ParseDependency("afterany:2"), 10, find).ok())
      << "a forgotten job: lifted, as Slurm";
  EXPECT_FALSE(CheckDependencyTargets(*ParseDependency("afterok:2"), 10, find).ok());
  EXPECT_FALSE(CheckDependencyTargets(*ParseDependency("afternotok:2"), 10, find).ok());
  EXPECT_FALSE(CheckDependencyTargets(*ParseDependency("after:10"), 10, find).ok())
      << "not given yet (itself or later)";
}

}  // namespace
}  // namespace herd::ctld
