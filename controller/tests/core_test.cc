// herd — the controller core end to end, in memory: submit, schedule, launch message,
// completion, cancel permissions, node failure, recovery of acknowledged jobs.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;
using testing::SimpleSpec;

TEST_F(CoreTest, SubmitIsDurableBeforeReplyAndStartsAtOnce) {
  RegisterAll();
  size_t commits = store_.commits();
  uint64_t id = Submit(SimpleSpec());
  EXPECT_EQ(id, 1u);
  EXPECT_GT(store_.commits(), commits);
  EXPECT_EQ(StateOf(id), JobState::kRunning) << "an idle cluster starts a job in the same pass";
  ASSERT_EQ(sent_.size(), 1u);
  auto f = proto::DecodeFrame(sent_[0].bytes.data(), sent_[0].bytes.size());
  ASSERT_EQ(f->type, MsgType::kLaunchBatchRequest);
  auto launch = proto::DecodeBody<proto::LaunchBatchRequest>(f->body);
  EXPECT_EQ(launch->spec.script, "#!/bin/sh\ntrue\n") << "script comes back from the blob";
  EXPECT_EQ(launch->controller_addr, "tcp://c:1");
  ASSERT_TRUE(Complete(id, 0).ok());
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
}

// A node that saw the kernel kill processes of the batch step for its memory limit reports
// Slurm's SIG_OOM status with OUT_OF_MEMORY: the job ends so, ExitCode=0:125 as in Slurm.
TEST_F(CoreTest, OutOfMemoryEndsTheJobOutOfMemory) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("python3 -c 'x = b\"x\" * (256 << 20)'"));
  const Job* j = core_->state().FindJob(id);
  proto::StepCompleteRequest r;
  r.node = j->alloc.front().node;
  r.step = {id, proto::kBatchStep, j->run_seq, true, proto::kOomWaitStatus};
  r.message = proto::kOutOfMemory;
  r.usage = proto::StepUsage{true, 1000, 2000, 64u << 20, 1};
  ASSERT_TRUE(Call<proto::StatusReply>(r).ok());
  EXPECT_EQ(StateOf(id), JobState::kOutOfMemory);
  proto::JobInfo info = InfoOf(id);
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_EQ(info.exit_signal, 125);
  EXPECT_EQ(info.reason, "OutOfMemory");
}

// The Prolog failed on the batch host: the script never ran, the node is drained with the
// reason and the job is requeued held, as Slurm holds it, across a restart; released by
// its owner it runs again elsewhere. An Epilog that fails drains its node and leaves the
// job's end as it was.
TEST_F(CoreTest, FailedPrologRequeuesHeldAndDrainsFailedEpilogDrains) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec(), 1001);
  const Job* j = core_->state().FindJob(id);
  const std::string first = j->alloc.front().node;
  proto::StepCompleteRequest r;
  r.node = first;
  r.step = {id, proto::kBatchStep, j->run_seq, true, 1 << 8};
  r.message = proto::kPrologFailed;
  r.drain_reason = "Prolog error: exited 1: no scratch";
  ASSERT_TRUE(Call<proto::StatusReply>(r).ok());
  const NodeRecord* n = core_->state().FindNode(first);
  EXPECT_TRUE(n->drain);
  EXPECT_EQ(n->reason, "Prolog error: exited 1: no scratch");
  core_->Tick();
  EXPECT_EQ(StateOf(id), JobState::kPending);
  EXPECT_EQ(InfoOf(id).reason, "launch failed requeued held");
  EXPECT_EQ(InfoOf(id).priority, 0u);
  Restart();
  RegisterAll();
  core_->Tick();
  ASSERT_EQ(StateOf(id), JobState::kPending) << "still held after a restart";
  EXPECT_EQ(InfoOf(id).reason, "launch failed requeued held");
  proto::HoldJobsRequest release;
  release.filter.job_ids = {id};
  release.hold = false;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(release, 1001).ok())) << "its owner releases it";
  j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kRunning) << "released, it starts again";
  EXPECT_EQ(j->restarts, 1u);
  ASSERT_FALSE(j->alloc.empty());
  EXPECT_NE(j->alloc.front().node, first);
  ASSERT_TRUE(Call<proto::StatusReply>(r).status().code() == Code::kFailedPrecondition)
      << "a resend of the old run's completion is stale";

  const std::string second = j->alloc.front().node;
  r.node = second;
  r.step = {id, proto::kBatchStep, j->run_seq, true, 0};
  r.message.clear();
  r.drain_reason = "Epilog error: exited 2";
  ASSERT_TRUE(Call<proto::StatusReply>(r).ok());
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
  EXPECT_TRUE(core_->state().FindNode(second)->drain);
  EXPECT_EQ(core_->state().FindNode(second)->reason, "Epilog error: exited 2");
}

TEST_F(CoreTest, ExitCodeMakesJobFailed) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("exit 3"));
  ASSERT_TRUE(Complete(id, 3 << 8).ok());
  EXPECT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_EQ(InfoOf(id).exit_code, 3);
}

TEST_F(CoreTest, BadSubmissionsAreRefused) {
  RegisterAll();
  proto::SubmitJobRequest r;
  r.spec = SimpleSpec();
  r.spec.partition = "nope";
  EXPECT_EQ((Call<proto::SubmitJobReply>(r).error().code()), Code::kInvalidArgument);
  r.spec.partition = "";
  r.spec.min_nodes = 9;
  EXPECT_EQ((Call<proto::SubmitJobReply>(r).error().code()), Code::kFailedPrecondition);
  r.spec.min_nodes = 0;
  r.spec.partition = "short";
  r.spec.time_limit_s = 3600;
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r).ok()));
  r.spec.partition = "";
  r.spec.time_limit_s = -2;
  r.spec.script = "echo no interpreter";
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r).ok()));
  EXPECT_TRUE(core_->state().jobs().empty());
}

TEST_F(CoreTest, UnauthenticatedAndGarbageRequests) {
  core_->HandleRequest("p", "garbage");
  EXPECT_TRUE(core_->Flush().replies.empty()) << "no envelope, no reply";
  proto::Frame f = proto::MakeFrame(proto::PingRequest{}, 7);
  f.auth = "forged";
  core_->HandleRequest("p", proto::EncodeFrame(f));
  auto out = core_->Flush();
  ASSERT_EQ(out.replies.size(), 1u);
  auto rf = proto::DecodeFrame(out.replies[0].bytes.data(), out.replies[0].bytes.size());
  EXPECT_EQ(proto::ReplyStatus(*rf).code(), Code::kPermissionDenied);
  // A valid envelope with a body that does not decode.
  proto::Frame g;
  g.type = MsgType::kSubmitJobRequest;
  g.body = std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
  g.auth = "uid:0";
  core_->HandleRequest("p", proto::EncodeFrame(g));
  out = core_->Flush();
  rf = proto::DecodeFrame(out.replies[0].bytes.data(), out.replies[0].bytes.size());
  EXPECT_EQ(proto::ReplyStatus(*rf).code(), Code::kInvalidArgument);
}

TEST_F(CoreTest, UsersCancelOnlyTheirOwnJobs) {
  RegisterAll();
  uint64_t root_job = Submit(SimpleSpec("sleep 100"), 0);
  proto::CancelJobsRequest c;
  c.filter.job_ids = {root_job};
  auto rep = Call<proto::CancelJobsReply>(c, 1001);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, static_cast<int>(Code::kPermissionDenied));
  EXPECT_EQ(StateOf(root_job), JobState::kRunning);
  rep = Call<proto::CancelJobsReply>(c, 0);
  EXPECT_EQ(rep->results[0].code, 0);
  // Running: terminate goes to the node; the job ends CANCELLED when the step reports.
  EXPECT_EQ(StateOf(root_job), JobState::kRunning);
  ASSERT_TRUE(Complete(root_job, SIGTERM).ok());
  EXPECT_EQ(StateOf(root_job), JobState::kCancelled);
}

TEST_F(CoreTest, HeldJobWaitsUntilReleased) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.hold = true;
  uint64_t id = Submit(s, 1001);
  EXPECT_EQ(StateOf(id), JobState::kPending);
  proto::HoldJobsRequest h;
  h.filter.job_ids = {id};
  h.hold = false;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(h, 1001).ok()));
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

TEST_F(CoreTest, TimeLimitEndsInTimeout) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec("sleep 100");
  s.time_limit_s = 60;
  uint64_t id = Submit(s);
  clock_.Advance(61000);
  // Keep nodes alive.
  for (const auto& n : cfg_.nodes) {
    proto::HeartbeatRequest hb{n.name, 1, 1};
    ASSERT_TRUE(Call<proto::StatusReply>(hb).ok());
  }
  core_->Tick();
  auto out = core_->Flush();
  ASSERT_FALSE(out.node_messages.empty());
  auto f = proto::DecodeFrame(out.node_messages.back().bytes.data(),
                              out.node_messages.back().bytes.size());
  EXPECT_EQ(f->type, MsgType::kTerminateJobRequest);
  ASSERT_TRUE(Complete(id, SIGTERM).ok());
  EXPECT_EQ(StateOf(id), JobState::kTimeout);
}

// A silent node goes DOWN after NodeTimeout; its job is requeued only once the node's
// lease has surely run out (NodeLease + KillWait + 5 s after the last contact: 10 + 2 + 5
// s in the test configuration), when the node has stopped it itself.
TEST_F(CoreTest, SilentNodeGoesDownAndJobIsRequeuedAfterItsLease) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("sleep 100"));
  std::string node = core_->state().FindJob(id)->alloc.front().node;
  std::vector<std::string> others;
  for (const auto& n : cfg_.nodes) {
    if (n.name != node) others.push_back(n.name);
  }
  RunFor(7000, others);
  EXPECT_TRUE(core_->state().FindNode(node)->admin_down);
  EXPECT_EQ(core_->state().FindNode(node)->reason, "Not responding");
  EXPECT_EQ(StateOf(id), JobState::kRunning) << "requeued while the node may still run it";
  EXPECT_EQ(core_->state().FindJob(id)->run_seq, 1u);
  RunFor(9000, others);  // 16 s after the last contact
  EXPECT_EQ(core_->state().FindJob(id)->run_seq, 1u);
  RunFor(2000, others);  // 18 s
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->restarts, 1u);
  EXPECT_EQ(j->state, JobState::kRunning) << "requeued and started again elsewhere";
  EXPECT_NE(j->alloc.front().node, node);
  EXPECT_EQ(j->run_seq, 2u);
}

// A job requeued while its old run may live on its batch host waits for that host to
// confirm; the wait survives a restart of the controller (and so a failover).
TEST_F(CoreTest, RequeuedJobKeepsWaitingForItsOldRunAcrossRestart) {
  RegisterAll();
  proto::JobSpec spec = SimpleSpec("sleep 100");
  spec.min_nodes = 3;  // fits without its old batch host: only the wait holds it back
  uint64_t id = Submit(spec);
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  const std::string host = core_->state().FindJob(id)->alloc.front().node;
  proto::UpdateNodeRequest down;
  down.names = {core_->state().FindJob(id)->alloc.back().node};  // another of its nodes fails
  down.state = "DOWN";
  down.reason = "test";
  ASSERT_TRUE(Call<proto::StatusReply>(down).ok());
  ASSERT_EQ(StateOf(id), JobState::kPending) << core_->state().FindJob(id)->run_seq;
  proto::UpdateNodeRequest resume = down;
  resume.state = "RESUME";
  ASSERT_TRUE(Call<proto::StatusReply>(resume).ok());
  const Job* j = core_->state().FindJob(id);
  ASSERT_EQ(j->state, JobState::kPending);
  EXPECT_TRUE(j->awaiting_kill);
  Restart();
  RegisterAllExcept(host);
  (void)core_->Flush();
  j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending) << "started while the old run may still live";
  EXPECT_TRUE(j->awaiting_kill);
  // The batch host registers and does not report the old run: now it may start.
  RegisterOne(host);
  (void)core_->Flush();
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

// A cancel or release sent again with the same token (its answer was lost in a failover)
// is answered as the first was, also after a restart; another request is not.
TEST_F(CoreTest, ResentCancelAndReleaseAreAnsweredAsTheFirst) {
  RegisterAll();
  proto::JobSpec held = SimpleSpec("sleep 100");
  held.hold = true;
  uint64_t pending = Submit(held, 1001);
  proto::CancelJobsRequest c;
  c.filter.job_ids = {pending};
  c.token = 0x1111222233334444ULL;
  auto rep = Call<proto::CancelJobsReply>(c, 1001);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, 0);
  EXPECT_EQ(StateOf(pending), JobState::kCancelled);
  Restart();
  rep = Call<proto::CancelJobsReply>(c, 1001);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, 0) << rep->results[0].message;
  c.token = 0x5555;  // a second, new hcancel of the ended job
  rep = Call<proto::CancelJobsReply>(c, 1001);
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].code, static_cast<int>(Code::kFailedPrecondition));

  // A release the job started right after: the resend is not "no longer pending".
  RegisterAll();  // the nodes again, after the restart
  uint64_t released = Submit(held, 1001);
  proto::HoldJobsRequest r;
  r.filter.job_ids = {released};
  r.hold = false;
  r.token = 0x7777888899990000ULL;
  auto rel = Call<proto::CancelJobsReply>(r, 1001);
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(StateOf(released), JobState::kRunning);
  rel = Call<proto::CancelJobsReply>(r, 1001);
  ASSERT_TRUE(rel.ok());
  ASSERT_EQ(rel->results.size(), 1u);
  EXPECT_EQ(rel->results[0].code, 0) << rel->results[0].message;
  // The token is the user's: someone else's request with it is judged on its own.
  rel = Call<proto::CancelJobsReply>(r, 1002);
  ASSERT_EQ(rel->results.size(), 1u);
  EXPECT_EQ(rel->results[0].code, static_cast<int>(Code::kPermissionDenied));
  r.token = 0;  // without a token, as before: the job runs, and (as in Slurm) a running
                // job may be released, which changes nothing
  rel = Call<proto::CancelJobsReply>(r, 1001);
  ASSERT_EQ(rel->results.size(), 1u);
  EXPECT_EQ(rel->results[0].code, 0);
  EXPECT_EQ(core_->state().FindJob(rel->results[0].job_id)->hold, HoldKind::kNone);
}

// A submission sent again with the same token (its answer was lost) gets the first job;
// the token is remembered across a restart and belongs to its user only.
TEST_F(CoreTest, ResentSubmissionGetsTheSameJob) {
  proto::SubmitJobRequest req;
  req.spec = SimpleSpec();
  req.spec.hold = true;
  req.token = 0x1234567890abcdefULL;
  auto first = Call<proto::SubmitJobReply>(req, 1001);
  ASSERT_TRUE(first.ok());
  auto again = Call<proto::SubmitJobReply>(req, 1001);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->job_id, first->job_id);
  EXPECT_EQ(core_->state().jobs().size(), 1u);
  Restart();
  again = Call<proto::SubmitJobReply>(req, 1001);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->job_id, first->job_id);
  auto other_user = Call<proto::SubmitJobReply>(req, 1002);
  ASSERT_TRUE(other_user.ok());
  EXPECT_NE(other_user->job_id, first->job_id);
  again = Call<proto::SubmitJobReply>(req, 1001);  // still the first user's job
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->job_id, first->job_id);
  req.token = 0;  // no token: every request is a new job
  auto a = Call<proto::SubmitJobReply>(req, 1001);
  auto b = Call<proto::SubmitJobReply>(req, 1001);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->job_id, b->job_id);
}

TEST_F(CoreTest, AcknowledgedJobsSurviveRestart) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.hold = true;
  for (int i = 0; i < 5; ++i) Submit(s);
  store_.Crash();  // anything not committed is gone; all five were acknowledged
  Restart();
  EXPECT_EQ(core_->state().jobs().size(), 5u);
  EXPECT_EQ(core_->state().next_job_id(), 6u);
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());
  Restart();
  EXPECT_EQ(core_->state().jobs().size(), 5u);
}

// A job whose script blob is damaged on disk (and no longer in the journal) stays in the
// queue across a restart and ends FAILED with the reason when it would start.
TEST_F(CoreTest, DamagedScriptBlobEndsTheJobFailedWithTheReason) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.hold = true;
  uint64_t id = Submit(s);
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());  // the journal copy of the script goes
  core_.reset();
  blobs_.reset();
  int fd = ::open((dir_ + "/jobs/seg-000001").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "\xff\xff", 2, 30), 2);  // inside the body (after a 24-byte header)
  ::close(fd);
  blobs_ = std::make_unique<BlobStore>(dir_ + "/jobs");
  ASSERT_TRUE(blobs_->Init().ok());
  Restart();
  ASSERT_NE(core_->state().FindJob(id), nullptr);
  EXPECT_EQ(StateOf(id), JobState::kPending);
  RegisterAll();
  proto::HoldJobsRequest h;
  h.filter.job_ids = {id};
  h.hold = false;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(h).ok()));
  EXPECT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_NE(core_->state().FindJob(id)->reason.str().find("batch script unavailable"),
            std::string::npos)
      << core_->state().FindJob(id)->reason.str();
}

TEST_F(CoreTest, StaleCompletionIsRefused) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("sleep 1"));
  proto::StepCompleteRequest r;
  r.node = core_->state().FindJob(id)->alloc.front().node;
  r.step = {id, proto::kBatchStep, 99, true, 0};
  EXPECT_EQ((Call<proto::StatusReply>(r).status().code()), Code::kFailedPrecondition);
  EXPECT_EQ(Complete(id, 0, 1001).code(), Code::kPermissionDenied) << "users cannot fake it";
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

}  // namespace
}  // namespace herd::ctld

namespace herd::ctld {
namespace {

// A negative nice puts a job ahead of everyone's: root and AdminUser only. The controller
// checks it whatever the command did (a request can be built by hand).
TEST_F(CoreTest, NegativeNiceOnlyForRoot) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.hold = true;
  s.nice = -5;
  proto::SubmitJobRequest r;
  r.spec = s;
  auto refused = Call<proto::SubmitJobReply>(r, 1001);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kPermissionDenied);
  EXPECT_NE(refused.error().message().find("Invalid --nice value -5"), std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(core_->state().jobs().empty()) << "a refused submission leaves no job";

  const uint64_t root_job = Submit(s, 0);
  ASSERT_NE(root_job, 0u);
  s.nice = 5;
  const uint64_t user_job = Submit(s, 1001);
  ASSERT_NE(user_job, 0u);
  EXPECT_GT(core_->state().FindJob(root_job)->priority, core_->state().FindJob(user_job)->priority);

  s.nice = INT32_MIN;  // beyond Slurm's range, even for root
  r.spec = s;
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r, 0).ok()));
}

// The submitter's umask reaches the node with the launch; a job from a command that did
// not send one launches with -1 (the node's default), and nonsense is refused.
TEST_F(CoreTest, UmaskTravelsToTheLaunch) {
  RegisterAll();
  proto::JobSpec s = SimpleSpec();
  s.umask = 077;
  const uint64_t id = Submit(s, 1001);
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  ASSERT_EQ(sent_.size(), 1u);
  auto f = proto::DecodeFrame(sent_[0].bytes.data(), sent_[0].bytes.size());
  ASSERT_EQ(f->type, MsgType::kLaunchBatchRequest);
  auto launch = proto::DecodeBody<proto::LaunchBatchRequest>(f->body);
  ASSERT_TRUE(launch.ok());
  EXPECT_EQ(launch->spec.umask, 077);
  EXPECT_EQ(core_->state().FindJob(id)->spec.umask, 077);

  proto::JobSpec bad = SimpleSpec();
  bad.umask = 01000;
  proto::SubmitJobRequest r;
  r.spec = bad;
  EXPECT_FALSE((Call<proto::SubmitJobReply>(r, 1001).ok()));
}

}  // namespace
}  // namespace herd::ctld
