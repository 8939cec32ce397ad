// herd — placement at core granularity with memory.
#include "controller/sched/placement.h"

#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;
using testing::TestConfig;

class PlacementTest : public ::testing::Test {
 protected:
  PlacementTest() : cfg_(TestConfig()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
  }
  Job MakeJob(uint64_t id) {
    Job j;
    j.id = id;
    j.partition = "debug";
    j.spec = SimpleSpec();
    return j;
  }
  void Start(const Job& j, std::vector<NodeAlloc> alloc) {
    ASSERT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
    ASSERT_TRUE(state_.Apply(JobStarted{j.id, 1, 0, std::move(alloc)}).ok());
  }
  ClusterConfig cfg_;
  ClusterState state_;
};

TEST_F(PlacementTest, OneTaskTakesOneCore) {
  auto r = PlaceJob(state_, MakeJob(1), PlaceMode::kNow);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].node, "n1");
  EXPECT_EQ((*r)[0].cpus, std::vector<uint32_t>{0});
}

// Slurm's block layout: a task on each node, then the first nodes filled (Slurm 22.05 on
// 4-cpu nodes: -N2 -n4 gives SLURM_TASKS_PER_NODE=3,1, -N3 -n7 4,2,1, -N2 -n3 2,1).
TEST_F(PlacementTest, TasksFillTheFirstNodesAfterOneEach) {
  auto layout = [this](uint32_t nodes, uint32_t tasks) {
    Job j = MakeJob(1);
    j.spec.min_nodes = nodes;
    j.spec.num_tasks = tasks;
    auto r = PlaceJob(state_, j, PlaceMode::kNow);
    std::vector<uint32_t> out;
    if (!r.ok()) return out;
    for (const NodeAlloc& a : *r) {
      out.push_back(a.tasks);
      EXPECT_EQ(a.cpus.size(), a.tasks) << "a cpu per task, as SLURM_JOB_CPUS_PER_NODE";
    }
    return out;
  };
  EXPECT_EQ(layout(2, 4), (std::vector<uint32_t>{3, 1}));
  EXPECT_EQ(layout(2, 6), (std::vector<uint32_t>{4, 2}));
  EXPECT_EQ(layout(2, 3), (std::vector<uint32_t>{2, 1}));
  EXPECT_EQ(layout(3, 7), (std::vector<uint32_t>{4, 2, 1}));
  EXPECT_EQ(layout(3, 5), (std::vector<uint32_t>{3, 1, 1}));
  EXPECT_EQ(layout(2, 8), (std::vector<uint32_t>{4, 4}));
}

TEST_F(PlacementTest, NoNodeCountFillsFewestNodes) {
  Job j = MakeJob(1);
  j.spec.num_tasks = 6;
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u) << "as few nodes as fit";
  EXPECT_EQ((*r)[0].cpus.size() + (*r)[1].cpus.size(), 6u);
}

TEST_F(PlacementTest, UsedCoresAreSkipped) {
  Start(MakeJob(9), {NodeAlloc{"n1", {0, 1, 2}, 0, 3}});
  Job j = MakeJob(1);
  j.spec.cpus_per_task = 2;
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n2") << "n1 has one free core only";
  Job k = MakeJob(2);
  auto r2 = PlaceJob(state_, k, PlaceMode::kNow);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ((*r2)[0].node, "n1");
  EXPECT_EQ((*r2)[0].cpus, std::vector<uint32_t>{3});
}

TEST_F(PlacementTest, MemoryLimitsPlacement) {
  Job j = MakeJob(1);
  j.spec.mem_per_node_mb = 1500;
  Start(MakeJob(9), {NodeAlloc{"n1", {0}, 1000, 1}});
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n2");
  EXPECT_EQ((*r)[0].mem_mb, 1500u);
  j.spec.mem_per_node_mb = 2001;
  EXPECT_EQ(PlaceJob(state_, j, PlaceMode::kEver).error().code(), Code::kFailedPrecondition);
}

TEST_F(PlacementTest, ImpossibleRequestsNeverFit) {
  Job j = MakeJob(1);
  j.spec.min_nodes = 5;
  EXPECT_EQ(PlaceJob(state_, j, PlaceMode::kEver).error().code(), Code::kFailedPrecondition);
  j.spec.min_nodes = 1;
  j.spec.cpus_per_task = 5;
  EXPECT_EQ(PlaceJob(state_, j, PlaceMode::kEver).error().code(), Code::kFailedPrecondition);
  j.spec.cpus_per_task = 1;
  j.spec.num_tasks = 17;
  EXPECT_EQ(PlaceJob(state_, j, PlaceMode::kEver).error().code(), Code::kFailedPrecondition);
}

TEST_F(PlacementTest, BusyClusterIsNotNow) {
  Job j = MakeJob(1);
  j.spec.num_tasks = 16;
  ASSERT_TRUE(PlaceJob(state_, j, PlaceMode::kNow).ok());
  Start(MakeJob(9), {NodeAlloc{"n4", {0}, 0, 1}});
  EXPECT_EQ(PlaceJob(state_, j, PlaceMode::kNow).error().code(), Code::kResourceExhausted);
  EXPECT_TRUE(PlaceJob(state_, j, PlaceMode::kEver).ok());
}

TEST_F(PlacementTest, ExclusiveTakesWholeIdleNode) {
  Start(MakeJob(9), {NodeAlloc{"n1", {0}, 0, 1}});
  Job j = MakeJob(1);
  j.spec.exclusive = true;
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n2");
  EXPECT_EQ((*r)[0].cpus.size(), 4u);
}

TEST_F(PlacementTest, BoundedNodeCountPrefersRoomyNodes) {
  Start(MakeJob(9), {NodeAlloc{"n1", {0, 1, 2}, 0, 3}});
  Job j = MakeJob(1);
  j.spec.min_nodes = 2;
  j.spec.num_tasks = 8;
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok()) << "n2-n4 are idle: " << r.error().message();
  EXPECT_EQ((*r)[0].node, "n2");
  EXPECT_EQ((*r)[1].node, "n3");
}

TEST_F(PlacementTest, NodelistAndExclude) {
  Job j = MakeJob(1);
  j.spec.nodelist = "n3";
  auto r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n3");
  j.spec.nodelist.clear();
  j.spec.exclude = "n[1-3]";
  r = PlaceJob(state_, j, PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n4");
  j.spec.nodelist = "n9";
  EXPECT_FALSE(PlaceJob(state_, j, PlaceMode::kEver).ok());
}

TEST_F(PlacementTest, DrainedAndUnregisteredNodesAreSkipped) {
  state_.nodes()[0].drain = true;
  state_.nodes()[1].registered = false;
  auto r = PlaceJob(state_, MakeJob(1), PlaceMode::kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].node, "n3");
}

}  // namespace
}  // namespace herd::ctld
