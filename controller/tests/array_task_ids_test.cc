// herd — array tasks named by task id ("123_4", "123_[5-7]") in a cancel, hold or release:
// pending tasks split off their array's remainder by one journaled ArrayTasksSplit (checked
// whole, replayed after a restart), running ones acted on as any job, unknown ones
// answered as Slurm does.
#include <set>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;

proto::ArrayTaskIds Tasks(uint64_t array, uint32_t first, uint32_t last) {
  return {array, {{first, last, 1}}};
}

class ArrayTaskIdsTest : public CoreTest {
 protected:
  uint64_t SubmitArray(const std::string& array, uint32_t uid = 0) {
    proto::JobSpec s = SimpleSpec();
    s.array = array;
    return Submit(s, uid);
  }
  std::string Rest(uint64_t array) {
    const Job* a = core_->state().FindJob(array);
    return a == nullptr ? "(none)" : proto::FormatTasks(a->array_pending, a->array_throttle);
  }
  // The record of task `task` of `array` (nullptr: none split off).
  const Job* TaskRecord(uint64_t array, uint32_t task) const {
    for (const auto& [id, j] : core_->state().jobs()) {
      if (j.array_job_id == array && j.array_task_id == task) return &j;
    }
    return nullptr;
  }
  std::set<uint32_t> RunningTasks(uint64_t array) const {
    std::set<uint32_t> out;
    for (const auto& [id, j] : core_->state().jobs()) {
      if (j.array_job_id == array && j.state == JobState::kRunning) out.insert(j.array_task_id);
    }
    return out;
  }
};

TEST_F(ArrayTaskIdsTest, CancelPendingAndRunningTasksByTaskId) {
  RegisterAll();
  const uint64_t array = SubmitArray("0-9%2");
  ASSERT_EQ(RunningTasks(array), (std::set<uint32_t>{0, 1}));
  proto::CancelJobsRequest c;
  c.filter.task_ids = {Tasks(array, 3, 3), Tasks(array, 5, 7), Tasks(array, 0, 0),
                       Tasks(array, 99, 99)};
  auto rep = Call<proto::CancelJobsReply>(c);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 6u);
  std::set<uint32_t> ok;
  for (const auto& r : rep->results) {
    EXPECT_EQ(r.array_job_id, array);
    if (r.code == 0) ok.insert(r.array_task_id);
  }
  EXPECT_EQ(ok, (std::set<uint32_t>{0, 3, 5, 6, 7}));
  const auto& unknown = rep->results.back();
  EXPECT_EQ(unknown.array_task_id, 99u);
  EXPECT_EQ(unknown.code, static_cast<int>(Code::kNotFound));
  EXPECT_EQ(unknown.message, "Invalid job id specified");
  // The pending ones left the one record for records of their own, cancelled.
  EXPECT_EQ(Rest(array), "2,4,8-9%2");
  for (uint32_t t : {3u, 5u, 6u, 7u}) {
    ASSERT_NE(TaskRecord(array, t), nullptr) << t;
    EXPECT_EQ(TaskRecord(array, t)->state, JobState::kCancelled) << t;
  }
  // The running one is being killed; it ends CANCELLED when its node reports.
  const Job* zero = TaskRecord(array, 0);
  EXPECT_EQ(zero->intent, KillIntent::kCancelled);
  ASSERT_TRUE(Complete(zero->id, 15).ok());
  EXPECT_EQ(StateOf(zero->id), JobState::kCancelled);

  // As after a kill -9: the journal gives the same records, none resurrected.
  Restart();
  RegisterAll(/*with_runs=*/true);
  EXPECT_EQ(Rest(array), "4,8-9%2") << "task 2 took task 0's place";
  EXPECT_EQ(TaskRecord(array, 6)->state, JobState::kCancelled);
  std::set<uint32_t> ran;
  while (!RunningTasks(array).empty()) {
    const uint32_t t = *RunningTasks(array).begin();
    ran.insert(t);
    ASSERT_TRUE(Complete(TaskRecord(array, t)->id, 0).ok());
  }
  EXPECT_EQ(ran, (std::set<uint32_t>{1, 2, 4, 8, 9}));
  EXPECT_EQ(core_->state().FindJob(array)->array_task_id, 9u) << "the last keeps the array id";
}

TEST_F(ArrayTaskIdsTest, HoldAndReleaseOneTaskAndTheWholeRest) {
  const uint64_t array = SubmitArray("0-3");  // no node yet: all pending
  proto::HoldJobsRequest h;
  h.filter.task_ids = {Tasks(array, 1, 1)};
  auto rep = Call<proto::CancelJobsReply>(h);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, 0);
  EXPECT_EQ(Rest(array), "0,2-3");
  const uint64_t held = TaskRecord(array, 1)->id;
  EXPECT_EQ(TaskRecord(array, 1)->hold, HoldKind::kAdmin);
  RegisterAll();
  EXPECT_EQ(RunningTasks(array), (std::set<uint32_t>{0, 2, 3}));
  EXPECT_EQ(StateOf(held), JobState::kPending);
  // A running task may be held, as in Slurm: it runs on; the held one released runs.
  h.filter.task_ids = {Tasks(array, 2, 2)};
  rep = Call<proto::CancelJobsReply>(h);
  EXPECT_EQ(rep->results[0].code, 0);
  EXPECT_EQ(TaskRecord(array, 2)->state, JobState::kRunning);
  h.hold = false;
  h.filter.task_ids = {Tasks(array, 1, 1)};
  ASSERT_EQ(Call<proto::CancelJobsReply>(h)->results[0].code, 0);
  EXPECT_EQ(StateOf(held), JobState::kRunning);

  // Every pending task held: the last takes the array's own record.
  const uint64_t b = SubmitArray("0-2%1");
  h.hold = true;
  h.filter.task_ids = {{b, {{0, 2, 1}}}};
  rep = Call<proto::CancelJobsReply>(h);
  ASSERT_EQ(rep->results.size(), 3u);
  EXPECT_EQ(TaskRecord(b, 0)->state, JobState::kRunning) << "it had started";
  EXPECT_EQ(TaskRecord(b, 2)->id, b);
  EXPECT_EQ(TaskRecord(b, 2)->hold, HoldKind::kAdmin);
  EXPECT_FALSE(core_->state().FindJob(b)->IsArrayRemainder());
}

TEST_F(ArrayTaskIdsTest, OthersMayNotSplitAnArray) {
  const uint64_t array = SubmitArray("0-3", 0);
  proto::CancelJobsRequest c;
  c.filter.task_ids = {Tasks(array, 2, 2)};
  auto rep = Call<proto::CancelJobsReply>(c, 1001);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, static_cast<int>(Code::kPermissionDenied));
  EXPECT_EQ(Rest(array), "0-3") << "nothing split";
  c.signal = 10;  // a signal reaches no pending task
  rep = Call<proto::CancelJobsReply>(c);
  EXPECT_EQ(rep->results[0].message, "Job is pending execution");
  EXPECT_EQ(Rest(array), "0-3");
}

TEST_F(ArrayTaskIdsTest, DependencyOnOneTask) {
  const uint64_t array = SubmitArray("0-2");  // no node yet: all pending
  proto::JobSpec s = SimpleSpec();
  s.dependency = "afterok:" + std::to_string(array) + "_1";
  const uint64_t dep = Submit(s);
  s.dependency = "afterok:" + std::to_string(array) + "_77";  // no such task: lifted, as Slurm
  const uint64_t lifted = Submit(s);
  EXPECT_EQ(InfoOf(dep).dependency, "afterok:" + std::to_string(array) + "_1(unfulfilled)");
  EXPECT_EQ(core_->state().FindJob(lifted)->wait, PendingReason::kNone);
  RegisterAll();
  // Task 0 failing is not task 1's outcome; task 1 completing lets the job start.
  ASSERT_NE(TaskRecord(array, 0), nullptr);
  ASSERT_TRUE(Complete(TaskRecord(array, 0)->id, 1 << 8).ok());
  EXPECT_EQ(core_->state().FindJob(dep)->wait, PendingReason::kDependency);
  Restart();  // the task's record found again from the journal
  RegisterAll(/*with_runs=*/true);
  EXPECT_EQ(core_->state().FindJob(dep)->wait, PendingReason::kDependency);
  ASSERT_TRUE(Complete(TaskRecord(array, 1)->id, 0).ok());
  EXPECT_NE(StateOf(dep), JobState::kPending);
}

TEST(ArrayTasksSplitState, CheckedWholeAndKeptByACheckpoint) {
  ClusterConfig cfg = testing::TestConfig();
  ClusterState s(cfg);
  Job a;
  a.id = 1;
  a.user = "root";
  a.partition = "debug";
  a.spec = SimpleSpec();
  a.array_job_id = 1;
  a.array_pending = {{0, 4, 1}};
  ASSERT_TRUE(s.Apply(JobSubmitted{a, {}, {}, {}}).ok());
  auto split = [&](std::vector<std::pair<uint32_t, uint64_t>> tasks) {
    ArrayTasksSplit e;
    e.array_job_id = 1;
    e.tasks = std::move(tasks);
    return s.Apply(e);
  };
  EXPECT_FALSE(split({{1, 2}, {7, 3}}).ok()) << "task 7 is not pending";
  EXPECT_FALSE(split({{1, 2}, {2, 2}}).ok()) << "one record each";
  EXPECT_FALSE(split({{1, 1}}).ok()) << "the array's record is the last task's only";
  EXPECT_FALSE(split({{0, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}}).ok()) << "the last is the array's";
  EXPECT_EQ(proto::FormatTasks(s.FindJob(1)->array_pending, 0), "0-4") << "nothing applied";
  EXPECT_EQ(s.FindJob(2), nullptr);
  ASSERT_TRUE(split({{1, 2}, {3, 3}}).ok());
  EXPECT_EQ(proto::FormatTasks(s.FindJob(1)->array_pending, 0), "0,2,4");
  EXPECT_EQ(s.FindJob(3)->array_task_id, 3u);
  EXPECT_EQ(s.FindJob(3)->state, JobState::kPending);
  EXPECT_EQ(s.next_job_id(), 4u);
  EXPECT_EQ(s.live_jobs(), 3u);

  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_EQ(proto::FormatTasks(r.FindJob(1)->array_pending, 0), "0,2,4");
  EXPECT_EQ(r.FindJob(2)->array_task_id, 1u);
  EXPECT_EQ(r.FindJob(2)->array_job_id, 1u);
  EXPECT_TRUE(r.BlobNeeded(1));
}

}  // namespace
}  // namespace herd::ctld
