// herd — where jobs go by node Weight (lowest first, as Slurm) and --constraint feature
// expressions (&, |, [a|b], counts, parentheses), with exact placements.
#include <gtest/gtest.h>

#include "controller/sched/placement.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;
using testing::TestConfig;
using Names = std::vector<std::string>;

// n1..n6, 4 cpus each: n1,n2 rack1 ib; n3,n4 rack2 ib; n5 rack2 gpu; n6 nothing.
ClusterConfig RackConfig() {
  ClusterConfig cfg = TestConfig(6);
  cfg.nodes[0].features = cfg.nodes[1].features = {"rack1", "ib"};
  cfg.nodes[2].features = cfg.nodes[3].features = {"rack2", "ib"};
  cfg.nodes[4].features = {"rack2", "gpu"};
  return cfg;
}

class NodePlacementTest : public ::testing::Test {
 protected:
  NodePlacementTest() : cfg_(RackConfig()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
  }
  Job MakeJob(const std::string& constraint, uint32_t nodes = 1) {
    Job j;
    j.id = 1;
    j.partition = "debug";
    j.spec = SimpleSpec();
    j.spec.min_nodes = nodes;
    if (!constraint.empty()) j.spec.constraints = {constraint};
    return j;
  }
  // The nodes a job gets now, or the refusal's words.
  std::string Place(const std::string& constraint, uint32_t nodes = 1,
                    PlaceMode mode = PlaceMode::kNow) {
    auto r = PlaceJob(state_, MakeJob(constraint, nodes), mode);
    if (!r.ok()) return r.error().message();
    Names out;
    for (const NodeAlloc& a : *r) out.push_back(a.node);
    return Join(out, ",");
  }
  void SetNode(size_t i, uint32_t weight, Names active) {
    NodeUpdated e{state_.nodes()[i].name, false, false, false, "", 1, 0};
    e.admin_fields = true;
    e.overrides.has_weight = true;
    e.overrides.weight = weight;
    e.overrides.has_active = true;
    e.overrides.active_features = std::move(active);
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  void Busy(size_t i) {  // every cpu of node i taken
    auto& n = state_.nodes()[i];
    std::fill(n.cpu_used.begin(), n.cpu_used.end(), true);
    n.jobs = 1;
  }
  ClusterConfig cfg_;
  ClusterState state_;
};

TEST_F(NodePlacementTest, LowestWeightFirstThenPartitionOrder) {
  EXPECT_EQ(Place(""), "n1");
  SetNode(0, 10, cfg_.nodes[0].features);
  SetNode(3, 5, cfg_.nodes[3].features);
  SetNode(5, 5, {});
  // Weights 10,1,1,5,1,5.
  EXPECT_EQ(Place("", 3), "n2,n3,n5");
  EXPECT_EQ(Place("", 5), "n2,n3,n5,n4,n6");
  EXPECT_EQ(Place("ib", 4), "n2,n3,n4,n1");
  Busy(1);
  EXPECT_EQ(Place(""), "n3");
}

TEST_F(NodePlacementTest, AndOrParentheses) {
  EXPECT_EQ(Place("rack2&ib", 2), "n3,n4");
  EXPECT_EQ(Place("gpu|rack1", 3), "n1,n2,n5");
  EXPECT_EQ(Place("rack2&(gpu|ib)", 3), "n3,n4,n5");
  EXPECT_EQ(Place("ib&gpu|rack1", 1), "n1");
  Busy(0);
  Busy(1);
  EXPECT_EQ(Place("rack1"), "Resources") << "nodes that can have it are busy: it waits";
}

TEST_F(NodePlacementTest, MatchingOrTakesAllNodesFromOneSet) {
  // rack1 holds two nodes: three come from rack2 alone.
  EXPECT_EQ(Place("[rack1|rack2]", 2), "n1,n2");
  EXPECT_EQ(Place("[rack1|rack2]", 3), "n3,n4,n5");
  EXPECT_EQ(Place("ib&[rack1|rack2]", 3), "Resources");
  EXPECT_EQ(Place("ib&[rack1|rack2]", 3, PlaceMode::kEver)
                .rfind("Requested node configuration is not available", 0),
            0u);
  Busy(0);
  EXPECT_EQ(Place("[rack1|rack2]", 2), "n3,n4");
}

TEST_F(NodePlacementTest, Counts) {
  // Three nodes, at least one with a gpu: the gpu node comes first, then the others in
  // order.
  EXPECT_EQ(Place("gpu*1", 3), "n5,n1,n2");
  EXPECT_EQ(Place("[rack1*1&rack2*2]"), "n1,n3,n4") << "the counts set the node count";
  EXPECT_EQ(Place("[(rack2&ib)*2&gpu*1]"), "n3,n4,n5");
  EXPECT_EQ(
      Place("gpu*2", 2, PlaceMode::kEver).rfind("Requested node configuration is not available", 0),
      0u);
  Busy(4);
  EXPECT_EQ(Place("gpu*1", 2), "Resources");
}

TEST_F(NodePlacementTest, ActiveFeaturesPlaceAvailableOnesAdmit) {
  SetNode(4, 1, {"rack2"});  // gpu available, not active
  EXPECT_EQ(Place("gpu"), "Resources");
  EXPECT_EQ(Place("gpu", 1, PlaceMode::kEver), "n5");
}

TEST_F(NodePlacementTest, UnknownFeaturesAreInvalid) {
  EXPECT_EQ(Place("nosuch", 1, PlaceMode::kEver), "Invalid feature specification");
  EXPECT_EQ(Place("ib|nosuch", 1, PlaceMode::kEver), "Invalid feature specification");
  EXPECT_EQ(Place("ib&gpu", 1, PlaceMode::kEver)
                .rfind("Requested node configuration is not available", 0),
            0u);
}

TEST_F(NodePlacementTest, FailedNodesTakeNoNewWork) {
  state_.nodes()[0].fail = true;
  EXPECT_EQ(Place("rack1"), "n2");
  EXPECT_FALSE(NodeUsable(state_.nodes()[0]));
}

}  // namespace
}  // namespace herd::ctld
