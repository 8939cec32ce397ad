// herd — nodes changed at runtime: hcontrol update's keys checked against herd.conf,
// applied by NodeUpdated, kept over herd.conf by the partitions' rule, and the records of
// earlier versions (NodeRecord 1, NodeUpdated 1, NodeInfo 1, UpdateNodeRequest 0) read.
#include <gtest/gtest.h>

#include "common/proto/codec.h"
#include "controller/nodes.h"
#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FromHex;
using testing::TestConfig;
using Names = std::vector<std::string>;

ClusterConfig GresConfig() {
  ClusterConfig cfg = TestConfig();
  cfg.nodes[0].features = {"ib", "eth"};
  cfg.nodes[0].gres = "gpu:a100:4,nic:2";
  return cfg;
}

// The node's current values with `keys` applied, or the refusal.
Result<NodeUpdated> Keys(const ClusterState& s, size_t node,
                         std::vector<std::pair<std::string, std::string>> keys) {
  proto::UpdateNodeRequest req;
  for (auto& [k, v] : keys) {
    req.keys.push_back(k);
    req.values.push_back(v);
  }
  NodeUpdated e;
  e.name = s.nodes()[node].name;
  e.admin_fields = true;
  e.overrides = s.nodes()[node].overrides;
  HERD_RETURN_IF_ERROR(Nodes::ApplyNodeKeys(req, s.config().nodes[node], &e));
  return e;
}

TEST(NodeAdmin, KeysAreCheckedAgainstTheNode) {
  ClusterConfig cfg = GresConfig();
  ClusterState s(cfg);
  auto w = Keys(s, 0, {{"Weight", "abc"}});
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().message(), "Weight value (abc) is not a valid number");
  auto act = Keys(s, 0, {{"ActiveFeatures", "ib,gpu"}});
  ASSERT_FALSE(act.ok());
  EXPECT_EQ(act.error().message(), "Active features not subset of available features");
  // Gres: fewer than herd.conf gives, of the kinds it gives.
  EXPECT_TRUE(Keys(s, 0, {{"Gres", "gpu:a100:2"}}).ok());
  EXPECT_TRUE(Keys(s, 0, {{"Gres", "(null)"}}).ok());
  EXPECT_FALSE(Keys(s, 0, {{"Gres", "gpu:a100:5"}}).ok());
  EXPECT_FALSE(Keys(s, 0, {{"Gres", "gpu:v100:1"}}).ok());
  EXPECT_FALSE(Keys(s, 1, {{"Gres", "gpu:1"}}).ok()) << "n2 has none";
  EXPECT_FALSE(Keys(s, 0, {{"Gres", "gpu::"}}).ok());
  EXPECT_FALSE(Keys(s, 0, {{"Owner", "x"}}).ok());
  auto ok = Keys(s, 0, {{"Features", "ib,fast"}, {"ActiveFeatures", "fast"}, {"Weight", "7"}});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->overrides.features, (Names{"ib", "fast"}));
  EXPECT_EQ(ok->overrides.active_features, Names{"fast"});
  EXPECT_EQ(ok->overrides.weight, 7u);
}

TEST(NodeAdmin, RuntimeValuesApplyAndEqualOnesAreHerdConfs) {
  ClusterConfig cfg = GresConfig();
  ClusterState s(cfg);
  auto e = Keys(s, 0, {{"Weight", "5"}, {"ActiveFeatures", "ib"}, {"Gres", "gpu:a100:1"}});
  ASSERT_TRUE(e.ok());
  e->fail = true;
  e->reason = "flaky";
  ASSERT_TRUE(s.Apply(*e).ok());
  EXPECT_TRUE(s.nodes()[0].fail);
  EXPECT_EQ(s.NodeConf(0).weight, 5u);
  EXPECT_EQ(s.NodeConf(0).gres, "gpu:a100:1");
  EXPECT_EQ(s.NodeConf(0).features, (Names{"ib", "eth"}));
  EXPECT_EQ(s.ActiveFeatures(0), Names{"ib"});
  EXPECT_EQ(s.ActiveFeatures(1), Names{});
  ASSERT_EQ(s.NodeDrift().size(), 1u);
  EXPECT_EQ(s.NodeDrift()[0],
            "node n1 was changed at runtime and keeps Weight=5 ActiveFeatures=ib "
            "Gres=gpu:a100:1 over herd.conf's Weight=1 ActiveFeatures=ib,eth "
            "Gres=gpu:a100:4,nic:2");

  // The controller's own updates (NodeTimeout, drains by site programs) keep them.
  ASSERT_TRUE(s.Apply(NodeUpdated{"n1", true, true, false, "Not responding", 9, 0}).ok());
  EXPECT_TRUE(s.nodes()[0].fail);
  EXPECT_EQ(s.NodeConf(0).weight, 5u);

  // A checkpoint keeps them; herd.conf saying the same makes them herd.conf's again.
  const std::string snap = s.Snapshot();
  ClusterState back(cfg);
  ASSERT_TRUE(back.Restore(snap).ok());
  EXPECT_TRUE(back.nodes()[0].fail);
  EXPECT_EQ(back.NodeConf(0).weight, 5u);
  EXPECT_EQ(back.ActiveFeatures(0), Names{"ib"});
  ClusterConfig agrees = cfg;
  agrees.nodes[0].weight = 5;
  ClusterState later(agrees);
  ASSERT_TRUE(later.Restore(snap).ok());
  EXPECT_FALSE(later.nodes()[0].overrides.has_weight);
  EXPECT_TRUE(later.nodes()[0].overrides.has_gres);
  EXPECT_EQ(later.NodeConf(0).weight, 5u);

  // Setting herd.conf's value again leaves no runtime value.
  auto reset =
      Keys(s, 0, {{"Weight", "1"}, {"ActiveFeatures", "ib,eth"}, {"Gres", cfg.nodes[0].gres}});
  ASSERT_TRUE(reset.ok());
  ASSERT_TRUE(s.Apply(*reset).ok());
  EXPECT_TRUE(s.nodes()[0].overrides.empty());
  EXPECT_TRUE(s.NodeDrift().empty());
}

// Written by the controller before runtime node values (NodeRecord 1, NodeUpdated 1):
// node n2 drained "maint" at 7 by uid 1000.
const char kNodeRecordV1[] =
    "000100000002000000000000006e3200000105000000000000006d61696e740700000000000000e80300"
    "0000000000000000000000000000000000000000000000000000";
const char kNodeUpdatedV1[] =
    "000100000002000000000000006e3200000105000000000000006d61696e740700000000000000e80300"
    "00";
// NodeInfo 1: n2 with features ib,eth; UpdateNodeRequest 0: drain n1 "x".
const char kNodeInfoV1[] =
    "000100000002000000000000006e32000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000020000000000000000000000020000000000000069620300000000000000657468000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000e803000000000000";
const char kUpdateNodeV0[] =
    "0000000000000000000001000000000000000000000002000000000000006e3105000000000000004452"
    "41494e010000000000000078";

TEST(NodeAdmin, EarlierVersionsRead) {
  auto rec = proto::DecodeBodyAs<NodeRecord>(FromHex(kNodeRecordV1), "NodeRecord");
  ASSERT_TRUE(rec.ok()) << rec.error().message();
  EXPECT_EQ(rec->name, "n2");
  EXPECT_TRUE(rec->drain);
  EXPECT_EQ(rec->reason_uid, 1000u);
  EXPECT_FALSE(rec->fail);
  EXPECT_TRUE(rec->overrides.empty());

  auto ev = proto::DecodeBodyAs<NodeUpdated>(FromHex(kNodeUpdatedV1), "NodeUpdated");
  ASSERT_TRUE(ev.ok()) << ev.error().message();
  EXPECT_EQ(ev->reason, "maint");
  EXPECT_FALSE(ev->admin_fields);
  // Replayed over a node with runtime values, it keeps them.
  ClusterConfig cfg = GresConfig();
  ClusterState s(cfg);
  auto w = Keys(s, 1, {{"Weight", "9"}});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(s.Apply(*w).ok());
  ASSERT_TRUE(s.Apply(*ev).ok());
  EXPECT_TRUE(s.nodes()[1].drain);
  EXPECT_EQ(s.NodeConf(1).weight, 9u);

  auto info = proto::DecodeBodyAs<proto::NodeInfo>(FromHex(kNodeInfoV1), "NodeInfo");
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->features, (Names{"ib", "eth"}));
  EXPECT_EQ(info->active_features, info->features) << "all active before version 2";
  EXPECT_EQ(info->reason_uid, 1000);
  EXPECT_FALSE(info->values_known);

  auto req = proto::DecodeBody<proto::UpdateNodeRequest>(FromHex(kUpdateNodeV0));
  ASSERT_TRUE(req.ok()) << req.error().message();
  EXPECT_EQ(req->names, Names{"n1"});
  EXPECT_EQ(req->state, "DRAIN");
  EXPECT_TRUE(req->keys.empty());
}

}  // namespace
}  // namespace herd::ctld
