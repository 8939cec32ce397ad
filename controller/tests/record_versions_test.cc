// herd — the records accounting, dependencies and arrays added fields to (Job 7,
// StepRecord 3, SpecRecord 4, JobSpec 4, JobStarted 1, JobUpdated 1,
// JobEnded 2, StepNodeEnded 1) still read from the bytes of their earlier versions, and the
// usage the nodes report reaches the job's record.
#include <gtest/gtest.h>

#include <string>

#include "common/proto/codec.h"
#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FromHex;

// Job version 5 (SpecRecord 1, StepRecord 2), as the controller before accounting's usage
// wrote it: job 7 of alice, COMPLETED on n1 (2 cpus), priority 5, one restart, step 0 "s".
const char kJobV5[] =
    "00050000000700000000000000e8030000640000000500000000000000616c6963650001000000010000"
    "00000000006a000000000000000002000000000000002f77000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000feffffffffffffff01000000000000000000000001"
    "000000000000000000000000000100ffff05000000000000006465627567ffffffffffffffff04000000"
    "00000000000000000000000000000000010000000a000000000000000b000000000000000c0000000000"
    "0000000000000000000000010000000000000000000000000000000002000000000000006e3102000000"
    "000000000000000001000000640000000000000001000000000000000500000000000000000100000000"
    "000000020000000002000000000000000100000000000000730400000000000000000100000000000000"
    "00000000000000000002000000000000006e310100000000000000000000000100000000000000000000"
    "00000000000000000001000000000b000000000000000c00000000000000000000000100000000000000"
    "0000000002000000000000006e3100000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

TEST(RecordVersions, JobVersion5Reads) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV5), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 7u);
  EXPECT_EQ(j->user, "alice");
  EXPECT_EQ(j->spec.work_dir, "/w");
  EXPECT_EQ(j->state, JobState::kCompleted);
  EXPECT_EQ(j->priority, 5u);
  EXPECT_EQ(j->restarts, 1u);
  ASSERT_EQ(j->alloc.size(), 1u);
  ASSERT_EQ(j->steps.size(), 1u);
  EXPECT_EQ(j->steps[0].name, "s");
  EXPECT_EQ(j->steps[0].nodes_done, std::vector<std::string>{"n1"});
  // The new fields are empty: nothing was measured or given.
  EXPECT_TRUE(j->usage.empty());
  EXPECT_TRUE(j->steps[0].usage.empty());
  EXPECT_TRUE(j->spec.account.empty());
  EXPECT_TRUE(j->spec.submit_line.empty());
  // Written again at the new version, the new fields come back.
  Job now = *j;
  now.spec.account = "physics";
  now.spec.qos = "normal";
  now.spec.submit_line = "hbatch -A physics x.sh";
  now.usage = {NodeUsage{"n1", {true, 10, 20, 4096, 0}}};
  now.steps[0].usage = {NodeUsage{"n1", {true, 1, 2, 8192, 1}}};
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->spec.account, "physics");
  EXPECT_EQ(back->spec.qos, "normal");
  EXPECT_EQ(back->spec.submit_line, "hbatch -A physics x.sh");
  ASSERT_EQ(back->usage.size(), 1u);
  EXPECT_EQ(back->usage[0].usage.cpu_system_us, 20u);
  ASSERT_EQ(back->steps[0].usage.size(), 1u);
  EXPECT_EQ(back->steps[0].usage[0].usage.mem_peak_bytes, 8192u);
}

// Job version 6 with SpecRecord version 2, and JobSpec version 2, as the controller and
// the commands before dependencies wrote them: job 9 of bob, "chain", pending, -A physics.
const char kJobV6Spec2[] =
    "00060000000900000000000000e8030000000000000300000000000000626f6200020000000500000000"
    "000000636861696e000000000000000002000000000000002f7700000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000feffffffffffffff0000000000000000000000"
    "000100000000000000000000000000010012000700000000000000706879736963730000000000000000"
    "000000000000000005000000000000006465627567ffffffffffffffff00000000000000000000000000"
    "000000000000000000000064000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000003000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000";
const char kJobSpecV2[] =
    "00020000000500000000000000636861696e000000000000000000000000000000000000000001000000"
    "0000000000000000000000000000000000000000feffffffffffffff02000000000000002f7700000000"
    "00000000000000000000000000000000000000000a0000000000000023212f62696e2f73680a00000000"
    "000000000000000000000000000000000000000000000000000000010000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000120000000700000000000000706879"
    "7369637300000000000000000000000000000000";

TEST(RecordVersions, RecordsBeforeDependenciesRead) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV6Spec2), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 9u);
  EXPECT_EQ(j->spec.name, "chain");
  EXPECT_EQ(j->spec.account, "physics");
  EXPECT_EQ(j->spec.umask, 022);
  EXPECT_TRUE(j->spec.dependency.empty());
  EXPECT_EQ(j->spec.begin_time, 0);
  EXPECT_EQ(j->spec.kill_on_invalid_dep, -1);
  Job now = *j;
  now.spec.dependency = "afterok:8";
  now.spec.begin_time = 1234;
  now.spec.kill_on_invalid_dep = 1;
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->spec.dependency, "afterok:8");
  EXPECT_EQ(back->spec.begin_time, 1234);
  EXPECT_EQ(back->spec.kill_on_invalid_dep, 1);
  auto spec = proto::DecodeBodyAs<proto::JobSpec>(FromHex(kJobSpecV2), "JobSpec");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->script, "#!/bin/sh\n");
  EXPECT_TRUE(spec->dependency.empty());
  EXPECT_EQ(spec->kill_on_invalid_dep, -1);
}

// Job version 6 with SpecRecord version 3, JobStarted version 0 and JobSpec version 3, as
// the controller and the commands before arrays wrote them: job 12 of carol, "sweep",
// pending after job 3; its start on n1.
const char kJobV6Spec3[] =
    "00060000000c00000000000000e80300000000000005000000000000006361726f6c0003000000050000"
    "00000000007377656570000000000000000002000000000000002f770000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000feffffffffffffff000000000000000000"
    "000000010000000000000000000000000001001200000000000000000000000000000000000000000000"
    "000000090000000000000061667465726f6b3a330000000000000000ff05000000000000006465627567"
    "ffffffffffffffff00000000000000000000000000000000000000000000000064000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000070000"
    "000000000000000000000000000003000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000";
const char kJobStartedV0[] =
    "00000000000c0000000000000001000000c8000000000000000000000000010000000000000000000000"
    "000000000002000000000000006e31020000000000000000000000010000006400000000000000010000"
    "00";
const char kJobSpecV3[] =
    "000300000005000000000000007377656570000000000000000000000000000000000000000001000000"
    "0000000000000000000000000000000000000000feffffffffffffff02000000000000002f7700000000"
    "00000000000000000000000000000000000000000a0000000000000023212f62696e2f73680a00000000"
    "000000000000000000000000000000000000000000000000000000010000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000120000000000000000000000000000"
    "00000000000000000000000000090000000000000061667465726f6b3a330000000000000000ffffffff";

TEST(RecordVersions, RecordsBeforeArraysRead) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV6Spec3), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 12u);
  EXPECT_EQ(j->user, "carol");
  EXPECT_EQ(j->spec.name, "sweep");
  EXPECT_EQ(j->spec.dependency, "afterok:3");
  EXPECT_EQ(j->array_job_id, 0u) << "no array";
  EXPECT_EQ(j->array_task_id, proto::kNoArrayTask);
  EXPECT_TRUE(j->array_pending.empty());
  EXPECT_TRUE(j->spec.array.empty());
  Job now = *j;
  now.array_job_id = 12;
  now.array_throttle = 4;
  now.array_pending = {{0, 99, 3}};
  now.spec.array = "0-99:3%4";
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->array_job_id, 12u);
  EXPECT_EQ(back->array_throttle, 4u);
  EXPECT_EQ(back->array_pending, (std::vector<proto::ArrayRange>{{0, 99, 3}}));
  EXPECT_EQ(back->spec.array, "0-99:3%4");

  auto s = proto::DecodeBodyAs<JobStarted>(FromHex(kJobStartedV0), "JobStarted");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->job_id, 12u);
  EXPECT_EQ(s->start_time, 200);
  ASSERT_EQ(s->alloc.size(), 1u);
  EXPECT_EQ(s->task_job_id, 0u) << "a whole job starts";
  EXPECT_EQ(s->started_id(), 12u);

  auto spec = proto::DecodeBodyAs<proto::JobSpec>(FromHex(kJobSpecV3), "JobSpec");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->dependency, "afterok:3");
  EXPECT_TRUE(spec->array.empty());
}

// JobUpdated version 0 (before arrays): job 12 renamed, nice 5; it leaves any throttle as
// it was.
const char kJobUpdatedV0[] =
    "00000000000c00000000000000070000000000000072656e616d65640500000000000000646562756758"
    "020000000000000500000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000";

TEST(RecordVersions, JobUpdatedBeforeArraysRead) {
  auto e = proto::DecodeBodyAs<JobUpdated>(FromHex(kJobUpdatedV0), "JobUpdated");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->name, "renamed");
  EXPECT_EQ(e->nice, 5);
  EXPECT_EQ(e->array_throttle, -1);
  Job j;
  j.array_job_id = 1;
  j.array_throttle = 3;
  ApplyJobUpdate(*e, &j);
  EXPECT_EQ(j.array_throttle, 3u);
}

// JobEnded version 1 and StepNodeEnded version 0 (journal records of the controller
// before): they replay, with no usage.
const char kJobEndedV1[] =
    "0001000000070000000000000004000000000000000c0000000000000000000000000000000300000000"
    "000000";
const char kStepNodeEndedV0[] =
    "000000000007000000000000000000000002000000000000006e31000100000c0000000000000000";

TEST(RecordVersions, EndEventsOfEarlierVersionsRead) {
  auto e = proto::DecodeBodyAs<JobEnded>(FromHex(kJobEndedV1), "JobEnded");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->job_id, 7u);
  EXPECT_EQ(e->end_time, 12);
  EXPECT_EQ(e->token, 3u);
  EXPECT_FALSE(e->usage.measured);
  auto s = proto::DecodeBodyAs<StepNodeEnded>(FromHex(kStepNodeEndedV0), "StepNodeEnded");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->node, "n1");
  EXPECT_EQ(s->wait_status, 256);
  EXPECT_FALSE(s->usage.measured);
}

// What the nodes measured is kept with the step and the batch script until the record
// is stored; a new run starts without the old run's figures.
TEST(RecordVersions, UsageReachesTheJobRecord) {
  ClusterConfig cfg = testing::TestConfig();
  ClusterState s(cfg);
  Job j;
  j.id = 1;
  j.user = "root";
  j.partition = "debug";
  j.spec = testing::SimpleSpec();
  ASSERT_TRUE(s.Apply(JobSubmitted{j, "#!/bin/sh\n", {}, {}}).ok());
  NodeAlloc a;
  a.node = "n2";
  a.cpus = {0, 1};
  ASSERT_TRUE(s.Apply(JobStarted{1, 1, 100, {a}}).ok());
  StepStarted st;
  st.job_id = 1;
  st.step.step_id = 0;
  st.step.layout = {proto::StepNode{"n2", {0, 1}, {0, 1}, 0}};
  ASSERT_TRUE(s.Apply(st).ok());
  StepNodeEnded sn;
  sn.job_id = 1;
  sn.step_id = 0;
  sn.node = "n2";
  sn.time = 105;
  sn.usage = {true, 1500000, 250000, 64 << 20, 0};
  ASSERT_TRUE(s.Apply(sn).ok());
  JobEnded e;
  e.job_id = 1;
  e.end_time = 110;
  e.usage = {true, 3000000, 500000, 128 << 20, 0};
  ASSERT_TRUE(s.Apply(e).ok());
  const Job* got = s.FindJob(1);
  ASSERT_EQ(got->usage.size(), 1u);
  EXPECT_EQ(got->usage[0].node, "n2");
  EXPECT_EQ(got->usage[0].usage.cpu_user_us, 3000000u);
  ASSERT_EQ(got->steps[0].usage.size(), 1u);
  EXPECT_EQ(got->steps[0].usage[0].usage.mem_peak_bytes, 64u << 20);
  ClusterState r(cfg);
  ASSERT_TRUE(r.Restore(s.Snapshot()).ok());
  EXPECT_EQ(proto::EncodeBody(*r.FindJob(1)), proto::EncodeBody(*got)) << "checkpointed";
}

}  // namespace
}  // namespace herd::ctld
