// herd — job arrays through the controller core: one record for the pending tasks, each
// task split off as it starts (journaled), the throttle, the tasks' environment and output
// patterns, cancel of the whole array or one task, MaxArraySize, and a restart in between.
#include <algorithm>
#include <map>
#include <set>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;
using testing::SimpleSpec;

class ArrayTest : public CoreTest {
 protected:
  proto::JobSpec ArraySpec(const std::string& array) {
    proto::JobSpec s = SimpleSpec();
    s.array = array;
    return s;
  }
  // Each launch sent so far: job id -> its request.
  std::map<uint64_t, proto::LaunchBatchRequest> Launches() const {
    std::map<uint64_t, proto::LaunchBatchRequest> out;
    for (const OutMsg& m : SentOfType(MsgType::kLaunchBatchRequest)) {
      auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
      auto l = proto::DecodeBody<proto::LaunchBatchRequest>(f->body);
      EXPECT_TRUE(l.ok());
      if (l.ok()) out[l->job_id] = *l;
    }
    return out;
  }
  static std::string Env(const proto::LaunchBatchRequest& l, const std::string& name) {
    std::string value = "(unset)";
    for (const std::string& e : l.spec.env) {
      if (e.rfind(name + "=", 0) == 0) value = e.substr(name.size() + 1);
    }
    return value;
  }
  // Tasks of `array` running now.
  std::vector<const Job*> Running(uint64_t array) const {
    std::vector<const Job*> out;
    for (const auto& [id, j] : core_->state().jobs()) {
      if (j.array_job_id == array && j.state == JobState::kRunning) out.push_back(&j);
    }
    return out;
  }
  std::vector<proto::JobInfo> Query(uint64_t id) {
    proto::QueryJobsRequest q;
    q.filter.job_ids = {id};
    auto rep = Call<proto::QueryJobsReply>(q);
    EXPECT_TRUE(rep.ok());
    return rep.ok() ? rep->jobs : std::vector<proto::JobInfo>{};
  }
};

TEST_F(ArrayTest, ThrottledArrayRunsEachTaskOnceAndTheLastKeepsTheArrayId) {
  RegisterAll();
  const uint64_t array = Submit(ArraySpec("0-5%2"));
  ASSERT_EQ(array, 1u);
  const Job* rest = core_->state().FindJob(array);
  EXPECT_EQ(rest->state, JobState::kPending);
  EXPECT_EQ(rest->pending_reason, PendingReason::kJobArrayTaskLimit);
  EXPECT_EQ(proto::FormatTasks(rest->array_pending, rest->array_throttle), "2-5%2");
  std::set<uint32_t> done;
  while (!Running(array).empty()) {
    EXPECT_LE(Running(array).size(), 2u) << "the throttle";
    const Job* t = Running(array).front();
    ASSERT_TRUE(done.insert(t->array_task_id).second) << "task " << t->array_task_id << " twice";
    ASSERT_TRUE(Complete(t->id, 0).ok());
  }
  EXPECT_EQ(done, (std::set<uint32_t>{0, 1, 2, 3, 4, 5}));
  // Tasks 0-4 got ids of their own after the array's; task 5, the last, is the array's record.
  auto launches = Launches();
  ASSERT_EQ(launches.size(), 6u);
  EXPECT_EQ(Env(launches[2], "SLURM_ARRAY_TASK_ID"), "0");
  EXPECT_EQ(Env(launches[array], "SLURM_ARRAY_TASK_ID"), "5");
  EXPECT_EQ(core_->state().FindJob(array)->array_task_id, 5u);
  EXPECT_EQ(StateOf(array), JobState::kCompleted);
  // The shared script stays while the array's record does (it may be requeued), and goes
  // when it is forgotten (MinJobAge).
  EXPECT_TRUE(blobs_->Exists(array));
  clock_.Advance((cfg_.min_job_age_s + 1) * 1000);
  core_->Tick();
  last_ = core_->Flush();
  EXPECT_EQ(core_->state().FindJob(array), nullptr);
  EXPECT_FALSE(blobs_->Exists(array)) << "the shared script goes with the last record";
}

TEST_F(ArrayTest, TasksSeeTheirEnvironmentAndOutputFiles) {
  RegisterAll();
  proto::JobSpec spec = ArraySpec("1-9:4");  // 1 5 9
  spec.stdout_pattern = "o-%A_%a-%j.txt";
  const uint64_t array = Submit(spec);
  auto launches = Launches();
  ASSERT_EQ(launches.size(), 3u);
  std::set<std::string> outs;
  for (const auto& [id, l] : launches) {
    EXPECT_EQ(Env(l, "SLURM_ARRAY_JOB_ID"), std::to_string(array));
    EXPECT_EQ(Env(l, "HERD_ARRAY_JOB_ID"), std::to_string(array));
    EXPECT_EQ(Env(l, "SLURM_ARRAY_TASK_COUNT"), "3");
    EXPECT_EQ(Env(l, "SLURM_ARRAY_TASK_MIN"), "1");
    EXPECT_EQ(Env(l, "SLURM_ARRAY_TASK_MAX"), "9");
    EXPECT_EQ(Env(l, "SLURM_ARRAY_TASK_STEP"), "4");
    EXPECT_EQ(Env(l, "HERD_ARRAY_TASK_ID"), Env(l, "SLURM_ARRAY_TASK_ID"));
    EXPECT_EQ(l.spec.script, "#!/bin/sh\ntrue\n") << "every task reads the array's script";
    // %A and %a are the controller's; %j is left to the node.
    outs.insert(l.spec.stdout_pattern);
  }
  EXPECT_EQ(outs, (std::set<std::string>{"o-1_1-%j.txt", "o-1_5-%j.txt", "o-1_9-%j.txt"}));
  // The default pattern of an array is herd-%A_%a.out, as Slurm's slurm-%A_%a.out.
  const uint64_t other = Submit(ArraySpec("3"));
  EXPECT_EQ(Launches()[other].spec.stdout_pattern, "herd-" + std::to_string(other) + "_3.out");
  std::vector<proto::JobInfo> shown = Query(array);
  ASSERT_EQ(shown.size(), 3u) << "the array's id names all its tasks";
  for (const auto& i : shown) {
    EXPECT_EQ(i.array_job_id, array);
    EXPECT_NE(i.stdout_path.find("o-1_" + std::to_string(i.array_task_id) + "-" +
                                 std::to_string(i.job_id) + ".txt"),
              std::string::npos)
        << i.stdout_path;
  }
}

TEST_F(ArrayTest, CancelTheArrayOrOneTask) {
  RegisterAll();
  const uint64_t array = Submit(ArraySpec("0-9%3"));
  ASSERT_EQ(Running(array).size(), 3u);
  // One task by its own id: the others go on, and the next task takes its place.
  const uint64_t one = Running(array).front()->id;
  proto::CancelJobsRequest c;
  c.filter.job_ids = {one};
  ASSERT_TRUE(Call<proto::CancelJobsReply>(c).ok());
  ASSERT_TRUE(Complete(one, 15).ok());  // the node reports it gone
  EXPECT_EQ(StateOf(one), JobState::kCancelled);
  EXPECT_EQ(Running(array).size(), 3u);
  // The array's id: the pending rest ends at once, the running tasks are killed.
  c.filter.job_ids = {array};
  auto rep = Call<proto::CancelJobsReply>(c);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(StateOf(array), JobState::kCancelled);
  std::vector<const Job*> left = Running(array);
  ASSERT_EQ(left.size(), 3u);
  EXPECT_TRUE(blobs_->Exists(array)) << "running tasks still need the script";
  for (const Job* t : left) {
    EXPECT_EQ(t->intent, KillIntent::kCancelled);
    ASSERT_TRUE(Complete(t->id, 15).ok());
  }
  EXPECT_TRUE(blobs_->Exists(array)) << "kept with the array's record (doc/requeue.md)";
  EXPECT_EQ(Launches().size(), 4u) << "no task started after the cancel";
}

TEST_F(ArrayTest, ThrottleChangedByUpdate) {
  RegisterAll();
  const uint64_t array = Submit(ArraySpec("0-9%2"));
  ASSERT_EQ(Running(array).size(), 2u);
  proto::UpdateJobRequest u;
  u.job_id = array;
  u.keys = {"ArrayTaskThrottle"};
  u.values = {"4"};
  ASSERT_TRUE(Call<proto::StatusReply>(u).ok());
  EXPECT_EQ(Running(array).size(), 4u);
  EXPECT_EQ(InfoOf(Running(array).front()->id).array_throttle, 2u) << "a task keeps its copy";
  u.job_id = Running(array).back()->id;  // a task is no array's rest
  EXPECT_FALSE(Call<proto::StatusReply>(u).ok());
  u.job_id = array;
  u.values = {"x"};
  EXPECT_FALSE(Call<proto::StatusReply>(u).ok());
  u.values = {"0"};  // no limit
  ASSERT_TRUE(Call<proto::StatusReply>(u).ok());
  EXPECT_EQ(Running(array).size(), 10u);
}

TEST_F(ArrayTest, RestartLosesNoTaskAndStartsNoneTwice) {
  RegisterAll();
  const uint64_t array = Submit(ArraySpec("0-4%2"));
  ASSERT_EQ(Running(array).size(), 2u);
  Restart();  // as after kill -9: the journal alone
  RegisterAll(/*with_runs=*/true);
  EXPECT_EQ(Running(array).size(), 2u);
  const Job* rest = core_->state().FindJob(array);
  EXPECT_EQ(proto::FormatTasks(rest->array_pending, rest->array_throttle), "2-4%2");
  std::multiset<uint32_t> started;
  while (!Running(array).empty()) {
    const Job* t = Running(array).front();
    started.insert(t->array_task_id);
    ASSERT_TRUE(Complete(t->id, 0).ok());
    if (started.size() == 3) {
      Restart();
      RegisterAll(/*with_runs=*/true);
    }
  }
  EXPECT_EQ(started, (std::multiset<uint32_t>{0, 1, 2, 3, 4}));
}

TEST_F(ArrayTest, MaxArraySizeAndBadSpecificationsAreRefused) {
  cfg_.max_array_size = 10;
  Restart();
  proto::SubmitJobRequest r;
  r.spec = ArraySpec("0-10");
  auto rep = Call<proto::SubmitJobReply>(r);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().message(), "Invalid job array specification");
  r.spec = ArraySpec("5-1");
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r).ok()));
  r.spec = ArraySpec("0-9");
  EXPECT_TRUE((Call<proto::SubmitJobReply>(r).ok()));
  r.spec = ArraySpec("1");
  r.spec.script.clear();
  r.spec.interactive = true;
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r).ok())) << "an allocation is no array";
}

// afterok/afterany/afternotok on an array's id wait for all its tasks; one task that
// fails makes afterok never satisfied.
TEST_F(ArrayTest, DependenciesOnAnArrayWaitForAllItsTasks) {
  RegisterAll();
  const uint64_t array = Submit(ArraySpec("0-2"));
  ASSERT_EQ(Running(array).size(), 3u);
  proto::JobSpec ok = SimpleSpec();
  ok.dependency = "afterok:" + std::to_string(array);
  const uint64_t after_ok = Submit(ok);
  ok.dependency = "afterany:" + std::to_string(array);
  const uint64_t after_any = Submit(ok);
  ok.dependency = "afternotok:" + std::to_string(array);
  const uint64_t after_not_ok = Submit(ok);
  std::vector<const Job*> tasks = Running(array);
  // The array's record (its last task) ends first: the other tasks still run.
  ASSERT_EQ(tasks.front()->id, array);
  ASSERT_TRUE(Complete(array, 0).ok());
  EXPECT_EQ(core_->state().FindJob(after_ok)->wait, PendingReason::kDependency);
  EXPECT_EQ(core_->state().FindJob(after_any)->wait, PendingReason::kDependency);
  EXPECT_EQ(InfoOf(after_ok).dependency, "afterok:" + std::to_string(array) + "(unfulfilled)");
  ASSERT_TRUE(Complete(tasks[1]->id, 0).ok());
  EXPECT_EQ(StateOf(after_ok), JobState::kPending);
  ASSERT_TRUE(Complete(tasks[2]->id, 0).ok());
  EXPECT_EQ(StateOf(after_ok), JobState::kRunning) << "all three tasks completed";
  EXPECT_EQ(StateOf(after_any), JobState::kRunning);
  EXPECT_EQ(core_->state().FindJob(after_not_ok)->wait, PendingReason::kDependencyNeverSatisfied);

  const uint64_t failing = Submit(ArraySpec("0-1"));
  ok.dependency = "afterok:" + std::to_string(failing);
  const uint64_t never = Submit(ok);
  ok.dependency = "afternotok:" + std::to_string(failing);
  const uint64_t on_failure = Submit(ok);
  tasks = Running(failing);
  ASSERT_EQ(tasks.size(), 2u);
  ASSERT_EQ(tasks[0]->id, failing);
  ASSERT_TRUE(Complete(tasks[1]->id, 1 << 8).ok());  // task 0 exits 1
  EXPECT_EQ(core_->state().FindJob(never)->wait, PendingReason::kDependencyNeverSatisfied);
  EXPECT_EQ(core_->state().FindJob(on_failure)->wait, PendingReason::kDependency);
  Restart();  // derived again from the records
  EXPECT_EQ(core_->state().FindJob(never)->wait, PendingReason::kDependencyNeverSatisfied);
  RegisterAll(/*with_runs=*/true);
  ASSERT_TRUE(Complete(failing, 0).ok());
  EXPECT_EQ(StateOf(on_failure), JobState::kRunning);
}

// 100,000 tasks pending are one record of a few ranges, whatever their number.
TEST_F(ArrayTest, LargeArrayIsOneSmallRecord) {
  cfg_.max_array_size = 100001;
  Restart();
  proto::JobSpec spec = ArraySpec("0-99999");
  spec.hold = true;
  const uint64_t array = Submit(spec);
  EXPECT_EQ(core_->state().jobs().size(), 1u);
  EXPECT_EQ(core_->state().FindJob(array)->array_pending.size(), 1u);
  EXPECT_EQ(proto::TaskCount(core_->state().FindJob(array)->array_pending), 100000u);
}

}  // namespace
}  // namespace herd::ctld

namespace herd::ctld {
namespace {

// Apply(JobStarted) of an array's task: checked, and what it leaves survives a checkpoint.
TEST(ArrayState, SplitIsCheckedAndSurvivesACheckpoint) {
  ClusterConfig cfg = testing::TestConfig();
  ClusterState s(cfg);
  Job a;
  a.id = 1;
  a.user = "root";
  a.partition = "debug";
  a.spec = testing::SimpleSpec();
  a.array_job_id = 1;
  a.array_pending = {{0, 2, 1}};
  ASSERT_TRUE(s.Apply(JobSubmitted{a, {}, {}, {}}).ok());
  NodeAlloc n1{"n1", {0}, 0, 1};
  auto start = [&](uint64_t record, uint32_t task) {
    JobStarted e{1, 1, 10, {n1}};
    e.task_job_id = record;
    e.array_task_id = task;
    return s.Apply(e);
  };
  EXPECT_FALSE(s.Apply(JobStarted{1, 1, 10, {n1}}).ok()) << "an array starts task by task";
  EXPECT_FALSE(start(1, 0).ok()) << "the array's record runs its last task only";
  EXPECT_FALSE(start(2, 7).ok()) << "no such task pending";
  ASSERT_TRUE(start(2, 0).ok());
  EXPECT_FALSE(start(2, 1).ok()) << "the record exists";
  EXPECT_FALSE(start(3, 0).ok()) << "task 0 started already";
  EXPECT_EQ(s.FindJob(2)->array_task_id, 0u);
  EXPECT_EQ(s.FindJob(2)->state, JobState::kRunning);
  EXPECT_EQ(s.next_job_id(), 3u);
  EXPECT_EQ(s.live_jobs(), 2u);
  EXPECT_EQ(s.ArrayTasksRunning(1), 1u);

  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_EQ(r.ArrayTasksRunning(1), 1u);
  EXPECT_EQ(proto::FormatTasks(r.FindJob(1)->array_pending, 0), "1-2");
  JobEnded end;
  end.job_id = 1;  // the pending rest cancelled
  end.state = JobState::kCancelled;
  ASSERT_TRUE(r.Apply(end).ok());
  EXPECT_TRUE(r.BlobNeeded(1)) << "task 0 still runs the array's script";
  end.job_id = 2;
  end.state = JobState::kCompleted;
  ASSERT_TRUE(r.Apply(end).ok());
  EXPECT_TRUE(r.BlobNeeded(1)) << "kept with the array's record: it may be requeued";
  EXPECT_EQ(r.ArrayTasksRunning(1), 0u);
  r.Forget(1);
  EXPECT_FALSE(r.BlobNeeded(1));
}

}  // namespace
}  // namespace herd::ctld
