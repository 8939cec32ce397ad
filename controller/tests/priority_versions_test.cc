// herd — the records priority/multifactor added fields to (Job 8, JobUpdated 2, the
// checkpoint 3, PartitionRecord 2) still read from the bytes their previous versions
// wrote: Job 7 and JobUpdated 1 (arrays), the checkpoint 2 (associations) with its
// PartitionRecord 1.
#include <gtest/gtest.h>

#include <string>

#include "common/proto/codec.h"
#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FromHex;

// Job version 7: job 21 of dave (uid 1001), account physics, priority 9, an array of
// tasks 0-9 throttled to 2.
const char kJobV7[] =
    "00070000001500000000000000e903000000000000040000000000000064617665000400000001000000"
    "0000000074000000000000000004000000000000002f746d700000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000feffffffffffffff000000000000000000000000"
    "01000000000000000000000000000100ffff070000000000000070687973696373000000000000000000"
    "0000000000000000000000000000000000000000000000ff000000000000000005000000000000006465"
    "627567ffffffffffffffff00000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "090000000000000000000000000000000003000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000001500000000000000feffffff"
    "0200000000000000000100000000000000000000000000000000000000000900000001000000";

TEST(PriorityRecordVersions, JobVersion7ReadsWithAComputedPriority) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV7), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 21u);
  EXPECT_EQ(j->user, "dave");
  EXPECT_EQ(j->spec.account, "physics");
  EXPECT_EQ(j->priority, 9u);
  EXPECT_EQ(j->array_throttle, 2u);
  EXPECT_EQ(j->array_pending, (std::vector<proto::ArrayRange>{{0, 9, 1}}));
  EXPECT_EQ(j->admin_priority, 0u) << "no priority set by an admin";
  Job now = *j;
  now.admin_priority = 777;
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->admin_priority, 777u);
  EXPECT_EQ(back->array_throttle, 2u);
}

// JobUpdated version 1: job 21 renamed "sweep", nice 3, throttle 4.
const char kJobUpdatedV1[] =
    "000100000015000000000000000500000000000000737765657005000000000000006465627567ffffff"
    "ffffffffff03000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000400000000000000";

TEST(PriorityRecordVersions, JobUpdatedVersion1LeavesThePriorityComputed) {
  auto e = proto::DecodeBodyAs<JobUpdated>(FromHex(kJobUpdatedV1), "JobUpdated");
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(e->name, "sweep");
  EXPECT_EQ(e->nice, 3);
  EXPECT_EQ(e->array_throttle, 4);
  EXPECT_EQ(e->admin_priority, 0u);
  Job j;
  j.array_job_id = 21;
  ApplyJobUpdate(*e, &j);
  EXPECT_EQ(j.array_throttle, 4u);
  EXPECT_EQ(j.admin_priority, 0u);
}

// The checkpoint version 2 of TestConfig(1, 2) with the account physics (Fairshare=30)
// defined: no fair-share usage yet.
const char kSnapshotV2[] =
    "000200000001000000000000000000000000000000000000000000000000000000000001000000000000"
    "0001000000000100000002000000000000006e3100000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000200000000000000000000"
    "000000000000050000000000000064656275670001000000050000000000000064656275670200000000"
    "0000005550000000000001000000000000000000000002000000000000006e3101ffffffffffffffffff"
    "ffffffffffffff0000000000000000000100000000050000000000000073686f72740500000000000000"
    "73686f72740200000000000000555001000000000000000000000002000000000000006e310058020000"
    "00000000ffffffffffffffff000000000000000000010000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000020000000000"
    "000000000000000000000007000000000000007068797369637300000000000700000000000000706879"
    "736963730400000000000000726f6f74000000000000000000000000000000001e0000000000000000ff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff000000"
    "00000000000000000000000000000000000000000000000000000400000000000000726f6f7404000000"
    "00000000726f6f740000000000000000140000000000000064656661756c7420726f6f74206163636f75"
    "6e740400000000000000726f6f7401000000ffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffff0000000000000000000000000000000000000000000000000000"
    "00000001000000000000000000000000000000000400000000000000726f6f7400000000000400000000"
    "000000726f6f740400000000000000726f6f740000000000010000000000000000000000000000000004"
    "00000000000000726f6f74000000000001000000ffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffff000000000000000000000000000000000000000000000000"
    "0d0000000000000041646d696e6973747261746f72000000000001000000000000000000000000000000"
    "0006000000000000006e6f726d616c00000000000100000006000000000000006e6f726d616c12000000"
    "000000004e6f726d616c20514f532064656661756c7400000000ffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffff000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000f03f";

TEST(PriorityRecordVersions, CheckpointVersion2ReadsWithoutUsage) {
  ClusterConfig cfg = testing::TestConfig(1, 2);
  ClusterState s(cfg);
  ASSERT_TRUE(s.Restore(FromHex(kSnapshotV2)).ok());
  EXPECT_EQ(s.assoc().Shares("physics"), 30u);
  EXPECT_EQ(s.assoc().Parent("physics"), "root");
  EXPECT_TRUE(s.usage().entries().empty());
  // Its partitions are PartitionRecord version 1: PriorityJobFactor as herd.conf's.
  EXPECT_EQ(s.FindPartition("debug")->priority_job_factor, 1u);
  // Written again at version 3, usage and associations both come back.
  ClusterState again(cfg);
  ASSERT_TRUE(again.Restore(s.Snapshot()).ok());
  EXPECT_EQ(again.assoc().Shares("physics"), 30u);
}

}  // namespace
}  // namespace herd::ctld
