// herd — ClusterState: events, resource accounting, checkpoint round trip.
#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FromHex;

using testing::SimpleSpec;
using testing::TestConfig;

Job MakeJob(uint64_t id) {
  Job j;
  j.id = id;
  j.user = "root";
  j.partition = "debug";
  j.spec = SimpleSpec();
  return j;
}

TEST(ClusterState, SubmitStartEndAccountsCpus) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(1), "#!/bin/sh\ntrue\n", {}, {"K=V"}}).ok());
  EXPECT_EQ(s.next_job_id(), 2u);
  NodeAlloc a;
  a.node = "n2";
  a.cpus = {0, 1};
  a.mem_mb = 100;
  a.tasks = 2;
  ASSERT_TRUE(s.Apply(JobStarted{1, 1, 100, {a}}).ok());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n2")), 2u);
  EXPECT_EQ(s.FindNode("n2")->mem_used_mb, 100u);
  EXPECT_FALSE(s.Apply(JobStarted{1, 2, 100, {a}}).ok()) << "a running job cannot start again";
  JobEnded e;
  e.job_id = 1;
  e.state = JobState::kCompleted;
  ASSERT_TRUE(s.Apply(e).ok());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n2")), 4u);
  EXPECT_FALSE(s.Apply(e).ok()) << "ended twice";
}

TEST(ClusterState, RequeueReleasesAndCountsRestart) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(5), {}, {}, {}}).ok());
  NodeAlloc a{"n1", {0}, 0, 1};
  ASSERT_TRUE(s.Apply(JobStarted{5, 1, 1, {a}}).ok());
  ASSERT_TRUE(s.Apply(JobRequeued{5, "NodeFail", "n1", 1}).ok());
  EXPECT_EQ(s.FindJob(5)->state, JobState::kPending);
  EXPECT_EQ(s.FindJob(5)->restarts, 1u);
  EXPECT_EQ(std::string(s.FindJob(5)->kill_wait_node), "n1");  // persisted: survives recovery
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n1")), 4u);
}

TEST(ClusterState, CountsLiveJobsPerUserThroughEndAndRestore) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  Job a = MakeJob(1), b = MakeJob(2), c = MakeJob(3);
  a.uid = b.uid = 1000;
  c.uid = 1001;
  for (const Job& j : {a, b, c}) ASSERT_TRUE(s.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  ASSERT_TRUE(s.Apply(JobStarted{2, 1, 1, {NodeAlloc{"n1", {0}, 0, 1}}}).ok());
  EXPECT_EQ(s.live_jobs(), 3u);
  EXPECT_EQ(s.LiveJobsOf(1000), 2u);
  EXPECT_EQ(s.LiveJobsOf(1001), 1u);
  JobEnded e;
  e.job_id = 2;
  e.state = JobState::kCompleted;
  ASSERT_TRUE(s.Apply(e).ok());
  EXPECT_FALSE(s.Apply(e).ok());
  EXPECT_EQ(s.live_jobs(), 2u);
  EXPECT_EQ(s.LiveJobsOf(1000), 1u);
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_EQ(r.live_jobs(), 2u);
  EXPECT_EQ(r.LiveJobsOf(1000), 1u);
  EXPECT_EQ(r.LiveJobsOf(1001), 1u);
  EXPECT_EQ(r.LiveJobsOf(7), 0u);
}

TEST(ClusterState, SnapshotRoundTrip) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(1), {}, {}, {}}).ok());
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(2), {}, {}, {}}).ok());
  ASSERT_TRUE(s.Apply(JobStarted{2, 1, 1, {NodeAlloc{"n3", {0, 1, 2}, 10, 3}}}).ok());
  ASSERT_TRUE(s.Apply(NodeUpdated{"n4", false, false, true, "maint", 7, 0}).ok());
  ASSERT_TRUE(s.Apply(PartitionUpdated{"short", "DOWN"}).ok());
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_EQ(r.jobs().size(), 2u);
  EXPECT_EQ(r.next_job_id(), 3u);
  EXPECT_EQ(r.FindJob(2)->state, JobState::kRunning);
  EXPECT_EQ(r.FreeCpus(*r.FindNode("n3")), 1u);
  EXPECT_TRUE(r.FindNode("n4")->drain);
  EXPECT_EQ(r.FindNode("n4")->reason, "maint");
  EXPECT_EQ(r.PartitionState("short"), "DOWN");
  EXPECT_FALSE(r.Restore("garbage").ok());
}

TEST(ClusterState, SnapshotKeepsTheJobRecord) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  Job j = MakeJob(7);
  j.spec.work_dir = "/home/alice/a/rather/long/working/directory";
  j.spec.stdout_pattern = "out-%j.txt";
  j.spec.constraints = {"ib"};
  j.reason = "requeued once";
  j.submit_time = 42;
  ASSERT_TRUE(s.Apply(JobSubmitted{j, "#!/bin/sh\n", {"arg"}, {"K=V"}}).ok());
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  const Job* got = r.FindJob(7);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(proto::EncodeBody(*got), proto::EncodeBody(j));
  EXPECT_EQ(got->spec.work_dir, "/home/alice/a/rather/long/working/directory");
  EXPECT_EQ(&got->spec.work_dir.str(), &j.spec.work_dir.str()) << "restored strings are pooled";
}

// A checkpoint written before launch confirmations were journaled (Job version 3,
// StepRecord version 1): job 7 running on n2 with step 0. It loads; nothing is confirmed.
TEST(ClusterState, CheckpointOfJobVersion3Loads) {
  const std::string v3 = FromHex(
      "0000000000080000000000000000000000000100000000000000000000000000000000070000000000000000"
      "03000000070000000000000000000000000000000400000000000000726f6f74000000000001000000000000"
      "0074000000000000000004000000000000002f746d7000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "000000000000000000000000000000feffffffffffffff000000000000000000000000010000000000000000"
      "0000000000010005000000000000006465627567ffffffffffffffff01000000000000000000000000000000"
      "0100000000000000000000000000000064000000000000000000000000000000000000000000000000010000"
      "000000000000000000000000000002000000000000006e32020000000000000000000000010000000a000000"
      "0000000002000000000000000000000000000000000100000000000000010000000001000000000000000800"
      "000000000000686f73746e616d65010000000000000000000000000000000000000000020000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0400000000000000626f64790100000000000000000000000000000000000000000000000000000000000000"
      "0000000000040000000000000000000000000000000002000000000000006e31000000000000000000000000"
      "0000000000000002000000000000006e32000000000000000000000000000000000000000200000000000000"
      "6e330000000000000000000000000000000000000002000000000000006e3400000000000000000000000000"
      "0000000000000000000000010000000000000000000000000000000005000000000000006465627567000000"
      "00000500000000000000646562756702000000000000005550");
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Restore(v3).ok());
  const Job* j = s.FindJob(7);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->state, JobState::kRunning);
  EXPECT_FALSE(j->launch_confirmed);
  EXPECT_FALSE(j->acct_stored);  // Job version 5: not stored, sent to accounting again
  ASSERT_EQ(j->steps.size(), 1u);
  EXPECT_EQ(j->steps[0].launch_body, "body");
  EXPECT_TRUE(j->steps[0].confirmed.empty());
  EXPECT_EQ(s.FreeCpus(*s.FindNode("n2")), 2u);
  ASSERT_TRUE(s.Apply(LaunchConfirmed{7, 1, proto::kBatchStep, "n2"}).ok());
  ASSERT_TRUE(s.Apply(LaunchConfirmed{7, 1, 0, "n2"}).ok());
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_TRUE(r.FindJob(7)->launch_confirmed);
  EXPECT_EQ(r.FindJob(7)->steps[0].confirmed, std::vector<std::string>{"n2"});
}

TEST(ClusterState, LaunchConfirmedOnlyForTheCurrentRunOnItsNodes) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(3), {}, {}, {}}).ok());
  EXPECT_FALSE(s.Apply(LaunchConfirmed{3, 1, proto::kBatchStep, "n1"}).ok()) << "pending";
  ASSERT_TRUE(s.Apply(JobStarted{3, 1, 1, {NodeAlloc{"n1", {0}, 0, 1}}}).ok());
  EXPECT_FALSE(s.Apply(LaunchConfirmed{3, 2, proto::kBatchStep, "n1"}).ok()) << "another run";
  EXPECT_FALSE(s.Apply(LaunchConfirmed{3, 1, proto::kBatchStep, "n2"}).ok()) << "not its host";
  ASSERT_TRUE(s.ApplyRecord(static_cast<uint16_t>(EventType::kLaunchConfirmed),
                            proto::EncodeBody(LaunchConfirmed{3, 1, proto::kBatchStep, "n1"}))
                  .ok());
  EXPECT_TRUE(s.FindJob(3)->launch_confirmed);
  ASSERT_TRUE(s.Apply(JobRequeued{3, "NodeFail", "", 0}).ok());
  EXPECT_FALSE(s.FindJob(3)->launch_confirmed) << "a new run needs its own confirmation";
}

TEST(ClusterState, AcctStoredMarksFinishedJobsOnly) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(1), {}, {}, {}}).ok());
  ASSERT_TRUE(s.Apply(JobSubmitted{MakeJob(2), {}, {}, {}}).ok());
  ASSERT_TRUE(s.Apply(JobStarted{1, 1, 1, {NodeAlloc{"n1", {0}, 0, 1}}}).ok());
  ASSERT_TRUE(s.Apply(JobEnded{1, JobState::kCompleted, 0, 2, "", 0, {}}).ok());
  // Job 2 is pending (its row may change again); 99 is unknown (no error: forgotten).
  ASSERT_TRUE(s.ApplyRecord(static_cast<uint16_t>(EventType::kAcctStored),
                            proto::EncodeBody(AcctStored{{1, 2, 99}, {}}))
                  .ok());
  EXPECT_TRUE(s.FindJob(1)->acct_stored);
  EXPECT_FALSE(s.FindJob(2)->acct_stored);
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_TRUE(r.FindJob(1)->acct_stored);
  EXPECT_FALSE(r.FindJob(2)->acct_stored);
}

TEST(ClusterState, ApplyRecordRejectsUnknownType) {
  ClusterConfig cfg = TestConfig();
  ClusterState s(cfg);
  EXPECT_EQ(s.ApplyRecord(999, "").code(), Code::kDataLoss);
  EXPECT_FALSE(s.ApplyRecord(static_cast<uint16_t>(EventType::kJobEnded), "\x01\x02").ok());
}

}  // namespace
}  // namespace herd::ctld
