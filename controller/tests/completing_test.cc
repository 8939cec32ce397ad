// herd — jobs COMPLETING while their nodes' Epilogs run (controller/completing.h): the
// records, the resources they keep, the reports, a recovery and a node that goes DOWN.
#include <set>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::FromHex;
using testing::SimpleSpec;
using testing::TestConfig;

// Job version 7, as the controller before COMPLETING wrote it: job 12 of carol, "ep",
// COMPLETED on n1 (cpus 0-1) and n2 (cpu 0), run 1.
const char kJobV7[] =
    "00070000000c00000000000000e8030000e803000005000000000000006361726f6c0004000000020000"
    "000000000065700000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000feffffffffffffff0000000000000000000000000100"
    "0000000000000000000000000100ffff0000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000ff000000000000000005000000000000006465627567ffffffffffff"
    "ffff04000000000000000000000000000000010000000000000000000000000000006400000000000000"
    "a00000000000000000000000000000000002000000000000000000000000000000000200000000000000"
    "6e310200000000000000000000000100000000000000000000000000000002000000000000006e320100"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000300000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000feffffff00000000000000000000000000000000"
    "0000000000";

TEST(CompletingRecords, JobVersion7ReadsWithNothingCompleting) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV7), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 12u);
  EXPECT_EQ(j->user, "carol");
  EXPECT_EQ(j->state, JobState::kCompleted);
  ASSERT_EQ(j->alloc.size(), 2u);
  EXPECT_EQ(j->alloc[1].node, "n2");
  EXPECT_TRUE(j->completing.empty());
  EXPECT_EQ(ShownState(*j), JobState::kCompleted);
  Job now = *j;
  now.completing = {"n2"};
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->completing, std::vector<std::string>{"n2"});
  EXPECT_EQ(ShownState(*back), JobState::kCompleting);
}

// The resources a completing job keeps are held through a checkpoint and freed by the
// last node's report; a report for another run or node is refused.
TEST(CompletingRecords, ResourcesHeldUntilTheLastNodeAndThroughACheckpoint) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  Job job;
  job.id = 3;
  job.user = "root";
  job.partition = "debug";
  job.spec = SimpleSpec();
  ASSERT_TRUE(s.Apply(JobSubmitted{job, "#!/bin/sh\n", {}, {}}).ok());
  NodeAlloc a{"n1", {0, 1}, 100, 1}, b{"n2", {0}, 100, 1};
  ASSERT_TRUE(s.Apply(JobStarted{3, 1, 10, {a, b}}).ok());
  JobEnded e;
  e.job_id = 3;
  ASSERT_TRUE(s.Apply(e).ok());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n1")), 4u);
  EXPECT_FALSE(s.Apply(JobCompleting{3, 2, {"n1", "n2"}}).ok()) << "another run";
  ASSERT_TRUE(s.Apply(JobCompleting{3, 1, {"n1", "n2"}}).ok());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n1")), 2u);
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n2")), 3u);
  EXPECT_EQ(s.completing(), std::set<uint64_t>{3});
  EXPECT_FALSE(s.Apply(EpilogNodeDone{3, 1, "n3", false}).ok()) << "not one of its nodes";
  ASSERT_TRUE(s.Apply(EpilogNodeDone{3, 1, "n1", false}).ok());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n1")), 2u) << "held until every node is done";

  ClusterState restored(cfg);
  ASSERT_TRUE(restored.Restore(s.Snapshot()).ok());
  EXPECT_EQ(restored.FindJob(3)->completing, std::vector<std::string>{"n2"});
  EXPECT_EQ(restored.FreeCpus(*restored.FindNode("n2")), 3u);
  EXPECT_EQ(restored.FindNode("n1")->mem_used_mb, 100u);
  ASSERT_TRUE(restored.Apply(EpilogNodeDone{3, 1, "n2", true}).ok());
  EXPECT_TRUE(restored.completing().empty());
  EXPECT_EQ(restored.FreeCpus(*restored.FindNode("n1")), 4u);
  EXPECT_EQ(restored.FreeCpus(*restored.FindNode("n2")), 4u);
  EXPECT_EQ(restored.FindNode("n2")->mem_used_mb, 0u);
  EXPECT_EQ(restored.FindJob(3)->state, JobState::kCompleted);
}

class CompletingCoreTest : public CoreTest {
 protected:
  CompletingCoreTest() {
    cfg_.hooks.epilog = "/bin/true";
    Restart();
    RegisterAll();
  }
  // A two-node batch job that ended: its batch host ran its Epilog, the other is owed.
  uint64_t EndedTwoNodeJob() {
    proto::JobSpec spec = SimpleSpec();
    spec.min_nodes = 2;
    const uint64_t id = Submit(spec);
    EXPECT_EQ(StateOf(id), JobState::kRunning);
    EXPECT_TRUE(Complete(id, 0).ok());
    return id;
  }
  Status ReportEpilog(uint64_t id, const std::string& node, uint32_t run = 1, uint32_t uid = 0) {
    proto::EpilogCompleteRequest r;
    r.node = node;
    r.job_id = id;
    r.run_seq = run;
    return Call<proto::StatusReply>(r, uid).status();
  }
  std::string Second(uint64_t id) { return core_->state().FindJob(id)->alloc[1].node; }
  uint32_t FreeOn(const std::string& node) {
    return core_->state().FreeCpus(*core_->state().FindNode(node));
  }
};

TEST_F(CompletingCoreTest, StaysCompletingWithItsResourcesUntilTheEpilogReports) {
  const uint64_t id = EndedTwoNodeJob();
  const std::string second = Second(id);
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kCompleted) << "ended: accounting has its end";
  EXPECT_EQ(j->completing, std::vector<std::string>{second}) << "the batch host ran its own";
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleting);
  EXPECT_EQ(TerminatedOn(id).size(), 2u);
  // The terminate says the job ended, for the Epilog of a node where nothing of it ran.
  const std::vector<OutMsg> sent = SentOfType(proto::MsgType::kTerminateJobRequest);
  ASSERT_FALSE(sent.empty());
  auto f = proto::DecodeFrame(sent.back().bytes.data(), sent.back().bytes.size());
  ASSERT_TRUE(f.ok());
  auto t = proto::DecodeBody<proto::TerminateJobRequest>(f->body);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->ended);
  EXPECT_EQ(t->user, "root");
  EXPECT_EQ(t->nodelist, "n[1-2]");
  EXPECT_LT(FreeOn(second), 4u) << "its cpus are not handed out";
  // A default hqueue (no finished jobs) still lists it, as squeue lists CG jobs.
  proto::QueryJobsRequest q;
  q.filter.states = {JobState::kCompleting};
  auto rep = Call<proto::QueryJobsReply>(q);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->jobs.size(), 1u);
  // A cancel finds it completing.
  proto::CancelJobsRequest c;
  c.filter.job_ids = {id};
  auto cancel = Call<proto::CancelJobsReply>(c);
  ASSERT_TRUE(cancel.ok());
  ASSERT_EQ(cancel->results.size(), 1u);
  EXPECT_NE(cancel->results[0].code, 0);

  EXPECT_FALSE(ReportEpilog(id, second, 1, 1000).ok()) << "only node daemons report";
  EXPECT_TRUE(ReportEpilog(id, second, 2).ok()) << "another run's: answered, ignored";
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleting);
  EXPECT_TRUE(ReportEpilog(id, second).ok());
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleted);
  EXPECT_EQ(FreeOn(second), 4u);
  EXPECT_TRUE(ReportEpilog(id, second).ok()) << "a resend";
}

TEST_F(CompletingCoreTest, ARecoveredControllerSendsTheTerminateAgain) {
  const uint64_t id = EndedTwoNodeJob();
  const std::string second = Second(id);
  Restart();
  RegisterAll();
  sent_.clear();
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleting);
  EXPECT_LT(FreeOn(second), 4u);
  RunFor(2000, {"n1", "n2", "n3", "n4"});
  EXPECT_EQ(TerminatedOn(id),
            std::set<size_t>{static_cast<size_t>(core_->state().NodeIndex(second))});
  EXPECT_TRUE(ReportEpilog(id, second).ok());
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleted);
}

TEST_F(CompletingCoreTest, ANodeThatGoesDownEndsItsPart) {
  const uint64_t id = EndedTwoNodeJob();
  const std::string second = Second(id);
  std::vector<std::string> alive;
  for (const auto& n : cfg_.nodes) {
    if (n.name != second) alive.push_back(n.name);
  }
  RunFor(8000, alive);  // past NodeTimeout
  EXPECT_TRUE(core_->state().FindNode(second)->admin_down);
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleted);
  EXPECT_TRUE(core_->state().completing().empty());
}

TEST_F(CoreTest, WithoutAnEpilogAJobEndsAtOnce) {
  RegisterAll();
  proto::JobSpec spec = SimpleSpec();
  spec.min_nodes = 2;
  const uint64_t id = Submit(spec);
  ASSERT_TRUE(Complete(id, 0).ok());
  EXPECT_TRUE(core_->state().FindJob(id)->completing.empty());
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleted);
}

}  // namespace
}  // namespace herd::ctld
