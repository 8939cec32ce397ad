// herd — what one user can make the controller store (script and environment sizes, jobs
// per user, the state disk's reserve) and the controller on a journal that cannot be
// written: it refuses changes with the cause, answers queries, holds what was not made
// durable, and goes on by itself once the disk takes writes again.
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/resource.h>

#include <optional>

#include "controller/store/file_state_store.h"
#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;
using testing::SimpleSpec;

constexpr uint32_t kUser = 4242;

class LimitsTest : public CoreTest {
 protected:
  // One request and one flush; the request's reply if that flush gave it out.
  std::optional<proto::Frame> Send(const proto::Frame& req, uint32_t uid) {
    proto::Frame f = req;
    f.request_id = ++rid_;
    f.auth = "uid:" + std::to_string(uid);
    core_->HandleRequest("peer", proto::EncodeFrame(f));
    last_ = core_->Flush();
    return ReplyTo(rid_);
  }
  std::optional<proto::Frame> ReplyTo(uint64_t request_id) const {
    for (const Reply& r : last_.replies) {
      auto f = proto::DecodeFrame(r.bytes.data(), r.bytes.size());
      if (f.ok() && f->request_id == request_id) return *f;
    }
    return std::nullopt;
  }
  Status SubmitStatus(proto::JobSpec spec, uint32_t uid) {
    proto::SubmitJobRequest r;
    r.spec = std::move(spec);
    auto f = Send(proto::MakeFrame(r, 0), uid);
    if (!f) return Internal("no reply");
    return proto::ReplyStatus(*f);
  }
  static proto::JobSpec Held() {
    proto::JobSpec s = SimpleSpec();
    s.hold = true;
    return s;
  }
};

TEST_F(LimitsTest, ScriptAndEnvironmentSizes) {
  RegisterAll();
  cfg_.max_script_size = 4096;
  cfg_.max_env_size = 2048;
  const size_t records = store_.committed();
  proto::JobSpec big = SimpleSpec(std::string(5000, 'x'));
  Status st = SubmitStatus(big, kUser);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("Batch script is too large"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("MaxScriptSize) is 4096"));
  proto::JobSpec env = SimpleSpec();
  env.env = {"A=" + std::string(1500, 'a'), "B=" + std::string(600, 'b')};
  st = SubmitStatus(env, kUser);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("Job environment is too large: 2106 bytes"));
  EXPECT_TRUE(core_->state().jobs().empty());
  EXPECT_EQ(store_.committed(), records) << "nothing of a refused job is recorded";
  EXPECT_EQ(blobs_->blob_count(), 0u);
  // At the limit is accepted.
  env.env = {"A=" + std::string(2045, 'a')};
  EXPECT_TRUE(SubmitStatus(env, kUser).ok());
}

TEST_F(LimitsTest, PendingJobsPerUser) {
  cfg_.max_submit_jobs_per_user = 2;
  EXPECT_TRUE(SubmitStatus(Held(), kUser).ok());
  EXPECT_TRUE(SubmitStatus(Held(), kUser).ok());
  Status st = SubmitStatus(Held(), kUser);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("has 2 jobs pending or running"));
  EXPECT_THAT(st.message(), ::testing::HasSubstr("MaxSubmitJobsPerUser is 2"));
  EXPECT_TRUE(SubmitStatus(Held(), kUser + 1).ok()) << "another user has a limit of their own";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(SubmitStatus(Held(), 0).ok()) << "root is not limited";
  // An ended job no longer counts.
  proto::CancelJobsRequest c;
  c.filter.job_ids = {1};
  ASSERT_TRUE(Send(proto::MakeFrame(c, 0), kUser).has_value());
  EXPECT_EQ(StateOf(1), JobState::kCancelled);
  EXPECT_TRUE(SubmitStatus(Held(), kUser).ok());
  cfg_.max_submit_jobs_per_user = 0;  // no limit
  EXPECT_TRUE(SubmitStatus(Held(), kUser).ok());
}

TEST_F(LimitsTest, StateDiskReserveStopsSubmissionsOnly) {
  RegisterAll();
  uint64_t running = Submit(SimpleSpec());
  ASSERT_EQ(StateOf(running), JobState::kRunning);
  cfg_.state_dir_reserve = 256u << 20;
  store_.set_available(100u << 20);
  clock_.Advance(1000);
  (void)core_->Flush();  // looks at the disk
  Status st = SubmitStatus(SimpleSpec(), kUser);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_THAT(st.message(),
              ::testing::HasSubstr("has 100 MB free, below StateDirReserve (256 MB)"));
  // Ending a job is still recorded.
  ASSERT_TRUE(Complete(running, 0).ok());
  EXPECT_EQ(StateOf(running), JobState::kCompleted);
  // Room for one small job: what it takes counts until the disk is looked at again.
  store_.set_available((256u << 20) + 20000);
  clock_.Advance(1000);
  (void)core_->Flush();
  EXPECT_TRUE(SubmitStatus(SimpleSpec(std::string(4000, 'x')), kUser).ok());
  EXPECT_EQ(SubmitStatus(SimpleSpec(std::string(4000, 'x')), kUser).code(),
            Code::kResourceExhausted);
  store_.set_available(1u << 30);
  clock_.Advance(1000);
  (void)core_->Flush();
  EXPECT_TRUE(SubmitStatus(SimpleSpec(), kUser).ok());
}

TEST_F(LimitsTest, FailingJournalRefusesChangesAnswersQueriesAndRecovers) {
  RegisterAll();
  const uint64_t running = Submit(SimpleSpec());
  ASSERT_EQ(StateOf(running), JobState::kRunning);
  store_.FailCommits(ResourceExhausted("journal write failed: No space left on device"));

  // The submission whose commit fails is not answered (yet).
  proto::SubmitJobRequest sub;
  sub.spec = Held();
  sub.token = 77;
  EXPECT_FALSE(Send(proto::MakeFrame(sub, 0), kUser).has_value());
  const uint64_t unanswered = rid_;
  EXPECT_FALSE(last_.status.ok());
  EXPECT_EQ(core_->store_error().code(), Code::kResourceExhausted);
  EXPECT_TRUE(core_->writable()) << "the controller stays active";

  // Changes are refused with the cause.
  Status st = SubmitStatus(SimpleSpec(), kUser);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_THAT(st.message(), ::testing::HasSubstr("No space left on device"));
  proto::CancelJobsRequest cancel;
  cancel.filter.job_ids = {running};
  auto c = Send(proto::MakeFrame(cancel, 0), 0);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(proto::ReplyStatus(*c).code(), Code::kUnavailable);
  EXPECT_EQ(StateOf(running), JobState::kRunning);

  // Queries and pings are answered.
  proto::QueryJobsRequest q;
  auto qr = Send(proto::MakeFrame(q, 0), kUser);
  ASSERT_TRUE(qr.has_value());
  EXPECT_EQ(qr->type, MsgType::kQueryJobsReply);
  auto ping = Send(proto::MakeFrame(proto::PingRequest{}, 0), kUser);
  ASSERT_TRUE(ping.has_value());
  EXPECT_TRUE(proto::ReplyStatus(*ping).ok());

  // A completion is not acknowledged: the node daemon sends it again later.
  const Job* j = core_->state().FindJob(running);
  proto::StepCompleteRequest done;
  done.node = j->alloc.front().node;
  done.step = {running, proto::kBatchStep, j->run_seq, true, 0};
  EXPECT_FALSE(Send(proto::MakeFrame(done, 0), 0).has_value());
  EXPECT_EQ(StateOf(running), JobState::kRunning);
  // No timer acts meanwhile, and the journal is retried at every flush.
  clock_.Advance(60000);
  core_->Tick();
  last_ = core_->Flush();
  EXPECT_FALSE(last_.status.ok());
  EXPECT_TRUE(core_->MaybeCheckpoint(false).ok()) << "no checkpoint while the journal fails";

  // Space is back: the waiting reply goes out, changes are accepted again.
  store_.Heal();
  last_ = core_->Flush();
  EXPECT_TRUE(last_.status.ok());
  EXPECT_TRUE(core_->store_error().ok());
  auto late = ReplyTo(unanswered);
  ASSERT_TRUE(late.has_value()) << "the held reply is sent once its record is durable";
  auto rep = proto::DecodeBody<proto::SubmitJobReply>(late->body);
  ASSERT_TRUE(rep.ok());
  const uint64_t held_job = rep->job_id;
  auto again = Send(proto::MakeFrame(done, 0), 0);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(proto::ReplyStatus(*again).ok());
  EXPECT_EQ(StateOf(running), JobState::kCompleted);
  EXPECT_TRUE(SubmitStatus(SimpleSpec(), kUser).ok());

  // All of it is durable.
  Restart();
  ASSERT_NE(core_->state().FindJob(held_job), nullptr);
  EXPECT_EQ(StateOf(running), JobState::kCompleted);
}

// A refusal handled in the same batch as a record that then cannot be written is sent at
// once: it promises nothing durable (a submission refused for its size must not wait for
// a node's record to become writable again).
TEST_F(LimitsTest, RefusalInAFailingBatchIsAnsweredAtOnce) {
  RegisterAll();
  store_.FailCommits(ResourceExhausted("journal write failed: No space left on device"));
  proto::SubmitJobRequest ok;
  ok.spec = Held();
  proto::Frame a = proto::MakeFrame(ok, 0);
  a.request_id = ++rid_;
  a.auth = "uid:" + std::to_string(kUser);
  const uint64_t recorded = rid_;
  proto::SubmitJobRequest big;
  big.spec = Held();
  cfg_.max_script_size = 4096;
  big.spec.script = "#!/bin/sh\n" + std::string(cfg_.max_script_size, '#');
  proto::Frame b = proto::MakeFrame(big, 0);
  b.request_id = ++rid_;
  b.auth = "uid:" + std::to_string(kUser);
  core_->HandleRequest("peer", proto::EncodeFrame(a));
  core_->HandleRequest("peer", proto::EncodeFrame(b));
  last_ = core_->Flush();
  EXPECT_FALSE(last_.status.ok());
  EXPECT_FALSE(ReplyTo(recorded).has_value()) << "its record is not durable";
  auto refused = ReplyTo(rid_);
  ASSERT_TRUE(refused.has_value()) << "the refusal waited for the failing journal";
  EXPECT_THAT(proto::ReplyStatus(*refused).message(), ::testing::HasSubstr("MaxScriptSize"));
  store_.Heal();
  last_ = core_->Flush();
  EXPECT_TRUE(ReplyTo(recorded).has_value());
}

TEST_F(LimitsTest, CrashWhileTheJournalFailsLosesOnlyWhatWasNotAnswered) {
  RegisterAll();
  const uint64_t acknowledged = Submit(Held());
  store_.FailCommits(ResourceExhausted("journal write failed: No space left on device"));
  proto::SubmitJobRequest sub;
  sub.spec = Held();
  sub.token = 5;
  EXPECT_FALSE(Send(proto::MakeFrame(sub, 0), kUser));
  EXPECT_EQ(core_->state().jobs().size(), 2u);
  store_.Crash();
  store_.Heal();
  Restart();
  EXPECT_NE(core_->state().FindJob(acknowledged), nullptr);
  EXPECT_EQ(core_->state().jobs().size(), 1u) << "the unanswered submission is gone";
  EXPECT_TRUE(SubmitStatus(Held(), kUser).ok());
}

// A voter that cannot save (a full state disk): the controller is not elected, and says why.
class FullVoteStore : public ha::VoteStore {
 public:
  Result<ha::VoteState> Load() override { return ha::VoteState{}; }
  Status Save(const ha::VoteState&) override {
    return ResourceExhausted("cannot write /state/vote.new: No space left on device");
  }
};

TEST_F(LimitsTest, NotElectedOnAFullDiskSaysWhy) {
  FullVoteStore votes;
  ControllerCore core(cfg_, clock_, store_, *blobs_, auth_, "tcp://c:1", &votes);
  ASSERT_TRUE(core.Recover().ok());
  clock_.Advance(5000);
  core.Tick();
  EXPECT_FALSE(core.writable());
  proto::SubmitJobRequest sub;
  sub.spec = SimpleSpec();
  core.HandleRequest("p", testing::RequestBytes(sub, 0, 9));
  FlushResult out = core.Flush();
  ASSERT_EQ(out.replies.size(), 1u);
  auto f = proto::DecodeFrame(out.replies[0].bytes.data(), out.replies[0].bytes.size());
  ASSERT_EQ(f->type, MsgType::kNotActiveReply);
  auto na = proto::DecodeBody<proto::NotActiveReply>(f->body);
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->reason,
            "cannot save its vote: cannot write /state/vote.new: No space left on device");
}

// The file store: a commit that fails part way leaves the journal as it was and keeps the
// records for the next commit (a file size limit stands in for a full disk).
TEST(FileStateStoreFailure, FailedCommitLeavesTheJournalWhole) {
  char tmpl[] = "/tmp/herd-limits-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    auto store = FileStateStore::Open(dir);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Load().ok());
    (*store)->Append(1, std::string(100, 'a'));
    ASSERT_TRUE((*store)->Commit().ok());
    struct rlimit old;
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 1000;  // the next record is cut part way
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    (*store)->Append(2, std::string(3000, 'b'));
    Status st = (*store)->Commit();
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE((*store)->HasPending());
    ASSERT_TRUE((*store)->Commit().ok()) << "the same records, written whole";
    (*store)->Append(3, "c");
    ASSERT_TRUE((*store)->Commit().ok());
  }
  auto store = FileStateStore::Open(dir);
  ASSERT_TRUE(store.ok());
  auto rec = (*store)->Load();
  ASSERT_TRUE(rec.ok()) << rec.error().message();
  EXPECT_FALSE(rec->torn_tail);
  ASSERT_EQ(rec->records.size(), 3u);
  EXPECT_EQ(rec->records[1].body, std::string(3000, 'b'));
  EXPECT_EQ(rec->records[2].seq, 3u);
  (void)RemoveTree(dir);
}

}  // namespace
}  // namespace herd::ctld
