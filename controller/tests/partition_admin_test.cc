// herd — partitions changed at runtime: create/update/delete through the controller core
// with their refusals, the rule by which runtime changes and herd.conf meet at a restart,
// a checkpoint written before partitions could change at runtime, and the audit trail's
// records and bounds.
#include <gtest/gtest.h>

#include <string>

#include "common/config/config.h"
#include "controller/tests/partition_fixture.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FromHex;

using testing::SimpleSpec;

TEST_F(PartitionAdminTest, CreateUpdateDeleteWithRefusals) {
  RegisterAll();
  EXPECT_EQ(Create("gpu", {{"MaxTime", "30"}}).code(), Code::kInvalidArgument);  // no Nodes
  EXPECT_EQ(Create("gpu", {{"Nodes", "n[3-9]"}}).code(), Code::kInvalidArgument);
  EXPECT_EQ(Create("gpu", {{"Nodes", "n[3-4]"}, {"Colour", "red"}}).code(), Code::kInvalidArgument);
  EXPECT_EQ(Create("gpu", {{"Nodes", "n[3-4]"}, {"MaxTime", "5"}, {"DefaultTime", "9"}}).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Create("debug", {{"Nodes", "n1"}}).code(), Code::kAlreadyExists);
  EXPECT_EQ(Change(proto::PartitionOp::kCreate, "gpu", {{"Nodes", "n[3-4]"}}, 1000).code(),
            Code::kPermissionDenied);
  ASSERT_TRUE(Create("gpu", {{"Nodes", "n[3-4]"}, {"MaxTime", "30"}, {"MinNodes", "1"}}).ok());
  ASSERT_NE(Part("gpu"), nullptr);
  EXPECT_EQ(Part("gpu")->max_time_s, 1800);
  auto job = TrySubmit("gpu", 20 * 60);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(StateOf(job->job_id), JobState::kRunning);
  EXPECT_EQ(core_->state().FindJob(job->job_id)->alloc.front().node, "n3");
  // Shrunk below what the running job uses: allowed, for new placements only.
  ASSERT_TRUE(Update("gpu", {{"Nodes", "n4"}, {"MaxTime", "10"}}).ok());
  EXPECT_EQ(StateOf(job->job_id), JobState::kRunning);
  EXPECT_EQ(TrySubmit("gpu", 20 * 60).error().code(), Code::kInvalidArgument);
  Status busy = Delete("gpu");
  EXPECT_EQ(busy.code(), Code::kFailedPrecondition);
  EXPECT_NE(busy.message().find(std::to_string(job->job_id)), std::string::npos) << busy.message();
  ASSERT_TRUE(Complete(job->job_id, 0).ok());
  ASSERT_TRUE(Delete("gpu").ok());
  EXPECT_EQ(Part("gpu"), nullptr);
  EXPECT_EQ(Delete("gpu").code(), Code::kNotFound);
  EXPECT_EQ(TrySubmit("gpu").error().code(), Code::kInvalidArgument);
  // Default moves to the partition made the default.
  ASSERT_TRUE(Update("short", {{"Default", "YES"}}).ok());
  EXPECT_EQ(core_->state().DefaultPartition()->name, "short");
  EXPECT_FALSE(Part("debug")->is_default);
}

TEST_F(PartitionAdminTest, EveryChangeIsAuditedWithWhoAndWhat) {
  ASSERT_TRUE(Create("gpu", {{"Nodes", "n[3-4]"}}).ok());
  ASSERT_TRUE(Update("gpu", {{"MaxTime", "1:00:00"}}).ok());
  ASSERT_TRUE(Delete("gpu").ok());
  proto::UpdateNodeRequest drain;
  drain.names = {"n2"};
  drain.state = "DRAIN";
  drain.reason = "fan";
  ASSERT_TRUE(Call<proto::StatusReply>(drain).ok());
  const uint64_t id = Submit(SimpleSpec(), 1000);
  proto::HoldJobsRequest hold;
  hold.filter.job_ids = {id};
  hold.hold = true;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(hold).ok()));
  auto all = Audit();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].action, "create");
  EXPECT_EQ(all[0].entity, "partition=gpu");
  EXPECT_TRUE(all[0].old_value.empty());
  EXPECT_NE(all[0].new_value.find("Nodes=n[3-4]"), std::string::npos);
  EXPECT_EQ(all[1].action, "update");
  EXPECT_NE(all[1].old_value.find("MaxTime=UNLIMITED"), std::string::npos);
  EXPECT_NE(all[1].new_value.find("MaxTime=1:00:00"), std::string::npos);
  EXPECT_EQ(all[2].action, "delete");
  EXPECT_EQ(all[3].entity, "node=n2");
  EXPECT_EQ(all[3].new_value, "State=DRAIN Reason=fan");
  EXPECT_EQ(all[4].entity, "job=" + std::to_string(id));
  EXPECT_EQ(all[4].new_value, "Hold=admin");
  EXPECT_EQ(all[4].uid, 0u);
  EXPECT_EQ(all[4].from, "a client");
  EXPECT_EQ(Audit("node").size(), 1u);
  EXPECT_EQ(Audit("partition=gpu").size(), 3u);
  // Its own job held by its owner is no admin change.
  proto::HoldJobsRequest own = hold;
  own.hold = false;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(own).ok()));  // root releases: audited
  const size_t before = Audit().size();
  own.hold = true;
  ASSERT_TRUE((Call<proto::CancelJobsReply>(own, 1000).ok()));
  EXPECT_EQ(Audit().size(), before);
  // Survives a restart (journal replay), and a checkpoint.
  Restart();
  EXPECT_EQ(Audit().size(), before);
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());
  Restart();
  EXPECT_EQ(Audit().size(), before);
  EXPECT_EQ(Part("gpu"), nullptr);
}

TEST_F(PartitionAdminTest, AuditIsBoundedByCountAndAge) {
  cfg_.audit_max_records = 3;
  cfg_.audit_max_age_s = 100;
  ClusterState s(cfg_);
  for (int64_t t : {10, 20, 30, 40}) {
    AuditRecorded e;
    e.entry.time = t;
    ASSERT_TRUE(s.Apply(e).ok());
  }
  ASSERT_EQ(s.audit().size(), 3u);
  EXPECT_EQ(s.audit().front().seq, 2u);
  AuditRecorded late;
  late.entry.time = 135;  // 20 and 30 are older than 100 s before it
  ASSERT_TRUE(s.Apply(late).ok());
  ASSERT_EQ(s.audit().size(), 2u);
  EXPECT_EQ(s.audit().front().time, 40);
  EXPECT_EQ(s.audit().back().seq, 5u);
}

// doc/admin.md: runtime changes win over herd.conf at a restart, every difference is
// reported, and herd.conf owns a partition again once it says the same.
TEST_F(PartitionAdminTest, RuntimeChangesWinOverHerdConfAndAreReported) {
  ASSERT_TRUE(Update("short", {{"MaxTime", "20"}}).ok());
  ASSERT_TRUE(Create("gpu", {{"Nodes", "n[3-4]"}}).ok());
  ASSERT_TRUE(Delete("debug").ok());
  ASSERT_TRUE(Update("short", {{"Default", "YES"}}).ok());
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());
  // herd.conf edited meanwhile: short's MaxTime (changed at runtime too), a new
  // partition "new" (never touched at runtime).
  std::string text =
      "ControllerHost=ctl1(127.0.0.1:7000)\nHeartbeatInterval=1\nNodeTimeout=5\n"
      "NodeName=n[1-4] NodeAddr=127.0.0.1 Port=7100-7103 CPUs=4 RealMemory=2000\n"
      "PartitionName=debug Nodes=ALL Default=YES\nPartitionName=short Nodes=n1 MaxTime=15\n"
      "PartitionName=new Nodes=n2\n";
  auto edited = ParseConfig(text, "edited.conf");
  ASSERT_TRUE(edited.ok()) << edited.error().message();
  cfg_ = *edited;
  Restart();
  const ClusterState& s = core_->state();
  EXPECT_EQ(s.FindPartition("short")->max_time_s, 20 * 60);  // runtime kept
  EXPECT_TRUE(s.FindPartition("short")->is_default);
  EXPECT_NE(s.FindPartition("gpu"), nullptr);
  EXPECT_EQ(s.FindPartition("debug"), nullptr);  // stays deleted
  EXPECT_NE(s.FindPartition("new"), nullptr);    // herd.conf's own change
  auto drift = s.PartitionDrift();
  ASSERT_EQ(drift.size(), 3u);
  EXPECT_NE(drift[0].find("partition gpu was created at runtime"), std::string::npos);
  EXPECT_NE(drift[1].find("partition short was changed at runtime"), std::string::npos);
  EXPECT_NE(drift[2].find("partition debug was deleted at runtime"), std::string::npos);
  // The merged herd.conf reproduces the cluster: no difference left after it.
  std::map<std::string, std::string> lines;
  for (const auto& [name, p] : s.partitions()) lines[name] = FormatPartitionLine(p.def);
  auto merged = ParseConfig(MergePartitionLines(text, lines), "merged.conf");
  ASSERT_TRUE(merged.ok()) << merged.error().message();
  EXPECT_EQ(merged->FindPartition("debug"), nullptr);
  cfg_ = *merged;
  Restart();
  EXPECT_TRUE(core_->state().PartitionDrift().empty());
  EXPECT_EQ(core_->state().FindPartition("short")->max_time_s, 20 * 60);
  for (const auto& [name, p] : core_->state().partitions()) EXPECT_FALSE(p.runtime) << name;
}

// A checkpoint of the controller before runtime partitions (PartitionRecord 0, snapshot
// 0), written by it: n[1-2], debug (default, MaxTime=60) and short (n1, MaxTime=10), short
// set DRAIN by hcontrol.
const char kSnapshotV0[] =
    "000000000001000000000000000000000000000000000000000000000000000000000002000000000000"
    "0001000000000100000002000000000000006e3100000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000002000000000000006e32000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "020000000000000000000000000000000005000000000000006465627567000000000005000000000000"
    "00646562756702000000000000005550050000000000000073686f7274050000000000000073686f7274"
    "0500000000000000445241494e";

TEST(PartitionRecordVersions, CheckpointBeforeRuntimePartitionsReads) {
  auto cfg = ParseConfig(
      "ControllerHost=c1\nNodeName=n[1-2] CPUs=2\n"
      "PartitionName=debug Nodes=ALL Default=YES MaxTime=60\nPartitionName=short Nodes=n1 "
      "MaxTime=10\n",
      "v0.conf");
  ASSERT_TRUE(cfg.ok());
  ClusterState s(*cfg);
  Status restored = s.Restore(FromHex(kSnapshotV0));
  ASSERT_TRUE(restored.ok()) << restored.message();
  ASSERT_NE(s.FindPartition("short"), nullptr);
  EXPECT_EQ(s.PartitionState("short"), "DRAIN");         // the runtime state kept
  EXPECT_EQ(s.FindPartition("short")->max_time_s, 600);  // the rest from herd.conf
  EXPECT_EQ(s.FindPartition("short")->nodes, std::vector<std::string>{"n1"});
  EXPECT_EQ(s.PartitionState("debug"), "UP");
  EXPECT_TRUE(s.partitions().at("short").runtime);
  EXPECT_FALSE(s.partitions().at("debug").runtime);
  EXPECT_TRUE(s.audit().empty());
  // Written again at the new version, it reads back the same.
  ClusterState again(*cfg);
  ASSERT_TRUE(again.Restore(s.Snapshot()).ok());
  EXPECT_EQ(again.PartitionState("short"), "DRAIN");
  EXPECT_EQ(again.PartitionDrift(), s.PartitionDrift());
}

}  // namespace
}  // namespace herd::ctld
