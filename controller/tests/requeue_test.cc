// herd — hcontrol requeue|requeuehold (controller/requeue.cc) and holds of running jobs:
// the job's state, Restarts, BeginTime and reasons as Slurm 22.05 shows them, its old run
// killed and waited for, refusals with Slurm's messages, and a recovery from the journal.
#include <csignal>
#include <string>
#include <vector>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;

constexpr uint32_t kAlice = 1001;
constexpr uint32_t kBob = 1002;

class RequeueTest : public CoreTest {
 protected:
  // The one per-job answer of a request naming one job.
  template <class Req>
  proto::JobActionResult Answer(const Req& r, uint32_t uid) {
    auto rep = Call<proto::CancelJobsReply>(r, uid);
    EXPECT_TRUE(rep.ok() && rep->results.size() == 1u);
    return rep.ok() && rep->results.size() == 1u ? rep->results[0] : proto::JobActionResult{};
  }
  // A requeue (or requeuehold) of `id` by `uid`.
  proto::JobActionResult Requeue(uint64_t id, bool hold = false, uint32_t uid = 0,
                                 uint64_t token = 0) {
    proto::RequeueJobsRequest r;
    r.filter.job_ids = {id};
    r.hold = hold;
    r.token = token;
    return Answer(r, uid);
  }
  proto::JobActionResult Hold(uint64_t id, bool hold, uint32_t uid = 0, bool user_hold = false) {
    proto::HoldJobsRequest r;
    r.filter.job_ids = {id};
    r.hold = hold;
    r.user_hold = user_hold;
    return Answer(r, uid);
  }
  // The old run's batch step reports its end on its node (it was killed).
  Status OldRunEnds(uint64_t id, const std::string& node, uint32_t run_seq) {
    proto::StepCompleteRequest r;
    r.node = node;
    r.step = {id, proto::kBatchStep, run_seq, true, SIGTERM};
    return Call<proto::StatusReply>(r).status();
  }
  // Past the requeue's BeginTime, with every node alive.
  void PastBeginTime() {
    std::vector<std::string> all;
    for (const auto& n : cfg_.nodes) all.push_back(n.name);
    RunFor((kRequeueBeginDelayS + 1) * 1000, all);
  }
};

TEST_F(RequeueTest, RunningJobGoesBackPendingKilledAndRunsAgainAfterItsBeginTime) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"), kAlice);
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  const std::string node = core_->state().FindJob(id)->alloc.front().node;
  const int64_t now = clock_.NowSeconds();

  EXPECT_EQ(Requeue(id, false, kAlice).code, 0);  // its owner may
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->restarts, 1u);
  EXPECT_EQ(j->submit_time, now);
  EXPECT_EQ(j->spec.begin_time, now + kRequeueBeginDelayS);
  EXPECT_TRUE(j->awaiting_kill);
  EXPECT_EQ(TerminatedOn(id).size(), 1u);
  proto::JobInfo info = InfoOf(id);
  EXPECT_EQ(info.reason, "BeginTime");
  EXPECT_EQ(info.restarts, 1u);
  EXPECT_EQ(info.eligible_time, now + kRequeueBeginDelayS);

  // The old run's end is no end of the job; it confirms that run is gone.
  EXPECT_FALSE(OldRunEnds(id, node, 1).ok());
  EXPECT_EQ(StateOf(id), JobState::kPending);
  EXPECT_FALSE(core_->state().FindJob(id)->awaiting_kill);

  PastBeginTime();
  j = core_->state().FindJob(id);
  ASSERT_EQ(j->state, JobState::kRunning);
  EXPECT_EQ(j->run_seq, 2u);
  EXPECT_EQ(j->restarts, 1u);
  ASSERT_TRUE(Complete(id, 0).ok());
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
}

TEST_F(RequeueTest, NotStartedAgainUntilTheOldRunIsGone) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"));
  const std::string node = core_->state().FindJob(id)->alloc.front().node;
  ASSERT_EQ(Requeue(id).code, 0);
  // StartTime=now (as hcontrol sends it): eligible, but its node has not confirmed that the
  // old run is gone: it waits (Reason=Requeued).
  proto::UpdateJobRequest u;
  u.job_id = id;
  u.keys = {"StartTime"};
  u.values = {std::to_string(clock_.NowSeconds())};
  ASSERT_TRUE(Call<proto::StatusReply>(u).ok());
  EXPECT_EQ(core_->state().FindJob(id)->spec.begin_time, clock_.NowSeconds());
  core_->Tick();
  last_ = core_->Flush();
  EXPECT_EQ(StateOf(id), JobState::kPending);
  EXPECT_EQ(InfoOf(id).reason, "Requeued");
  EXPECT_FALSE(OldRunEnds(id, node, 1).ok());  // stale, but the run is gone
  core_->Tick();
  last_ = core_->Flush();
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

TEST_F(RequeueTest, RequeueHoldIsHeldWithSlurmsReasonUntilReleased) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"));
  ASSERT_EQ(Requeue(id, /*hold=*/true).code, 0);
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->hold, HoldKind::kAdmin);
  proto::JobInfo info = InfoOf(id);
  EXPECT_EQ(info.reason, kRequeuedHeldReason);
  EXPECT_EQ(info.priority, 0u);
  // A second requeue of the pending job is refused, as Slurm's.
  proto::JobActionResult again = Requeue(id, true);
  EXPECT_EQ(again.message, "Job is pending execution");
  ASSERT_EQ(Hold(id, false).code, 0);
  EXPECT_EQ(InfoOf(id).reason, "BeginTime");
}

TEST_F(RequeueTest, RefusalsAsSlurm) {
  RegisterAll();
  EXPECT_EQ(Requeue(999).message, "Invalid job id specified");
  const uint64_t mine = Submit(SimpleSpec("sleep 100"), kAlice);
  EXPECT_EQ(Requeue(mine, false, kBob).message, "Access/permission denied");
  proto::JobSpec no = SimpleSpec("sleep 100");
  no.requeue = false;
  const uint64_t noreq = Submit(no);
  ASSERT_EQ(StateOf(noreq), JobState::kRunning);
  EXPECT_EQ(Requeue(noreq).message, "Requested operation is presently disabled");
  proto::JobSpec held = SimpleSpec();
  held.hold = true;
  const uint64_t pending = Submit(held);
  EXPECT_EQ(Requeue(pending).message, "Job is pending execution");
  proto::JobSpec alloc;
  alloc.interactive = true;
  alloc.work_dir = "/tmp";
  const uint64_t interactive = Submit(alloc);
  ASSERT_EQ(StateOf(interactive), JobState::kRunning);
  EXPECT_EQ(Requeue(interactive).message, "Only batch jobs are accepted or processed");
  EXPECT_EQ(core_->state().FindJob(mine)->restarts, 0u);
}

TEST_F(RequeueTest, JobRequeueZeroRefusesEveryJob) {
  cfg_.job_requeue = false;
  Restart();
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"));
  EXPECT_EQ(Requeue(id).message, "Requested operation is presently disabled");
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

TEST_F(RequeueTest, FinishedBatchJobRunsAgainWithItsScript) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("exit 3"));
  ASSERT_TRUE(Complete(id, 3 << 8).ok());
  ASSERT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_TRUE(blobs_->Exists(id));  // kept while the job is: it may be requeued
  ASSERT_EQ(Requeue(id).code, 0);
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->restarts, 1u);
  EXPECT_FALSE(j->awaiting_kill);  // nothing of it runs
  EXPECT_EQ(j->wait_status, 0);
  PastBeginTime();
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  // The launch carries the script again.
  auto launches = SentOfType(proto::MsgType::kLaunchBatchRequest);
  ASSERT_FALSE(launches.empty());
  auto f = proto::DecodeFrame(launches.back().bytes.data(), launches.back().bytes.size());
  auto launch = proto::DecodeBody<proto::LaunchBatchRequest>(f->body);
  ASSERT_TRUE(launch.ok());
  EXPECT_EQ(launch->job_id, id);
  EXPECT_EQ(launch->run_seq, 2u);
  EXPECT_EQ(launch->spec.script, "#!/bin/sh\nexit 3\n");
}

TEST_F(RequeueTest, SurvivesARestartAndTheOldRunIsStillWaitedFor) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"));
  const std::string node = core_->state().FindJob(id)->alloc.front().node;
  const uint64_t token = 77;
  ASSERT_EQ(Requeue(id, true, 0, token).code, 0);
  Restart();
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->restarts, 1u);
  EXPECT_EQ(j->hold, HoldKind::kAdmin);
  EXPECT_EQ(InfoOf(id).reason, kRequeuedHeldReason);
  EXPECT_EQ(j->kill_wait_node, node);
  EXPECT_TRUE(j->awaiting_kill);
  RegisterAll(/*with_runs=*/false);  // its node without the old run: that run is gone
  EXPECT_FALSE(core_->state().FindJob(id)->awaiting_kill);
  // The same request sent again (its answer was lost) is answered as the first, once.
  EXPECT_EQ(Requeue(id, true, 0, token).code, 0);
  EXPECT_EQ(core_->state().FindJob(id)->restarts, 1u);
}

TEST_F(RequeueTest, RunningJobMayBeHeldAndComesBackHeldWhenRequeued) {
  RegisterAll();
  const uint64_t id = Submit(SimpleSpec("sleep 100"), kAlice);
  ASSERT_EQ(Hold(id, true, kAlice).code, 0);
  EXPECT_EQ(StateOf(id), JobState::kRunning);  // it runs on
  proto::JobInfo info = InfoOf(id);
  EXPECT_EQ(info.reason, "JobHeldUser");
  EXPECT_EQ(info.priority, 0u);
  ASSERT_EQ(Hold(id, false, kAlice).code, 0);  // released while running
  EXPECT_EQ(InfoOf(id).reason, "None");
  ASSERT_EQ(Hold(id, true).code, 0);  // root: an admin hold
  ASSERT_EQ(Requeue(id).code, 0);
  EXPECT_EQ(InfoOf(id).reason, "JobHeldAdmin");
  // A finished job is refused, as Slurm's.
  const uint64_t done = Submit(SimpleSpec());
  ASSERT_TRUE(Complete(done, 0).ok());
  EXPECT_EQ(Hold(done, true).message, "Job has already finished");
  EXPECT_EQ(Hold(done, false).message, "Job has already finished");
}

TEST_F(RequeueTest, UholdByAnAdminIsAUserHoldItsOwnerMayRelease) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.hold = true;  // pending, so that it stays pending
  const uint64_t id = Submit(s, kAlice);
  ASSERT_EQ(Hold(id, true, 0, /*user_hold=*/true).code, 0);
  EXPECT_EQ(core_->state().FindJob(id)->hold, HoldKind::kUser);
  EXPECT_EQ(InfoOf(id).reason, "JobHeldUser");
  EXPECT_EQ(Hold(id, false, kAlice).code, 0);
}

// ---- what senders and journals before this change wrote ----

// JobUpdated version 2 (before StartTime=), HoldJobsRequest version 1 (before uhold),
// UpdateJobRequest version 0 (before task ids): their fields, as they were serialized.
struct JobUpdatedV2 {
  uint64_t job_id = 0;
  std::string name, partition;
  int64_t time_limit_s = -1;
  int32_t nice = 0;
  uint32_t priority = 0, min_nodes = 0, max_nodes = 0, num_tasks = 0;
  std::string nodelist, exclude;
  std::vector<std::string> constraints;
  int64_t array_throttle = -1;
  uint32_t admin_priority = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& name& partition& time_limit_s& nice& priority& min_nodes& max_nodes& num_tasks;
    ar& nodelist& exclude& constraints& array_throttle& admin_priority;
  }
};
struct HoldV1 {
  proto::JobFilter filter;
  bool hold = true;
  uint64_t token = 0;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& filter& hold& token;
  }
};
struct UpdateV0 {
  uint64_t job_id = 0;
  std::vector<std::string> keys, values;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& keys& values;
  }
};

}  // namespace
}  // namespace herd::ctld
BOOST_CLASS_VERSION(herd::ctld::JobUpdatedV2, 2)
BOOST_CLASS_VERSION(herd::ctld::HoldV1, 1)
namespace herd::ctld {
namespace {

TEST(RequeueVersions, JobUpdatedBeforeStartTimeLeavesTheBeginTime) {
  JobUpdatedV2 old;
  old.job_id = 12;
  old.name = "renamed";
  old.nice = 5;
  auto e = proto::DecodeBodyAs<JobUpdated>(proto::EncodeBody(old), "JobUpdated");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->name, "renamed");
  EXPECT_EQ(e->nice, 5);
  EXPECT_EQ(e->begin_time, -1);
  Job j;
  j.spec.begin_time = 1000;
  ApplyJobUpdate(*e, &j);
  EXPECT_EQ(j.spec.begin_time, 1000);
}

TEST(RequeueVersions, HoldAndUpdateOfOlderClientsDecode) {
  HoldV1 hold;
  hold.filter.job_ids = {7};
  hold.token = 9;
  auto h = proto::DecodeBody<proto::HoldJobsRequest>(proto::EncodeBody(hold));
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->filter.job_ids, (std::vector<uint64_t>{7}));
  EXPECT_EQ(h->token, 9u);
  EXPECT_FALSE(h->user_hold);
  UpdateV0 update;
  update.job_id = 5;
  update.keys = {"TimeLimit"};
  update.values = {"10"};
  auto u = proto::DecodeBody<proto::UpdateJobRequest>(proto::EncodeBody(update));
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->job_id, 5u);
  EXPECT_EQ(u->values, (std::vector<std::string>{"10"}));
  EXPECT_EQ(u->array_task_id, proto::kNoArrayTask);
}

TEST(RequeueVersions, TheRequeueEventReplays) {
  JobRequeueAsked e;
  e.job_id = 4;
  e.hold = HoldKind::kUser;
  e.time = 100;
  e.token = 8;
  e.wait_node = "n2";
  e.wait_run = 3;
  auto back = proto::DecodeBodyAs<JobRequeueAsked>(proto::EncodeBody(e), "JobRequeueAsked");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->hold, HoldKind::kUser);
  EXPECT_EQ(back->time, 100);
  EXPECT_EQ(back->token, 8u);
  EXPECT_EQ(back->wait_node, "n2");
  EXPECT_EQ(back->wait_run, 3u);
}

}  // namespace
}  // namespace herd::ctld
