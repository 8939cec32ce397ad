// herd — a partition's keys, its canonical herd.conf line (read back to the same
// partition), the merge of runtime partitions into a herd.conf text (hcontrol write
// config), and the keys of the admin roles and the audit trail.
#include <gtest/gtest.h>

#include "common/config/config.h"

namespace herd {
namespace {

const char kBase[] =
    "ControllerHost=c1\n"
    "NodeName=n[1-4] CPUs=2\n"
    "# the main queue\n"
    "PartitionName=debug Nodes=ALL Default=YES MaxTime=60\n"
    "PartitionName=short Nodes=n1 MaxTime=10 # quick\n";

TEST(ConfigPartition, KeysAndTheirErrors) {
  PartitionConfig p;
  p.name = "q";
  bool all = false;
  EXPECT_EQ(CanonicalPartitionKey("maxtime"), "MaxTime");
  EXPECT_EQ(CanonicalPartitionKey("Priority"), "PriorityTier");
  EXPECT_EQ(CanonicalPartitionKey("Colour"), "");
  ASSERT_TRUE(ApplyPartitionKey(&p, "Nodes", "n[1-3]", &all).ok());
  EXPECT_EQ(p.nodes.size(), 3u);
  ASSERT_TRUE(ApplyPartitionKey(&p, "Nodes", "ALL", &all).ok());
  EXPECT_TRUE(all);
  ASSERT_TRUE(ApplyPartitionKey(&p, "MinNodes", "2", &all).ok());
  ASSERT_TRUE(ApplyPartitionKey(&p, "MaxNodes", "1", &all).ok());
  EXPECT_FALSE(CheckPartition(p).ok());  // MinNodes above MaxNodes
  EXPECT_FALSE(ApplyPartitionKey(&p, "State", "HOLD", &all).ok());
  EXPECT_FALSE(ApplyPartitionKey(&p, "MaxTime", "soon", &all).ok());
  EXPECT_EQ(ApplyPartitionKey(&p, "Colour", "red", &all).code(), Code::kNotFound);
  auto bad = ParseConfig(std::string(kBase) + "PartitionName=x Nodes=n1 MinNodes=3 MaxNodes=2\n",
                         "t.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("t.conf:6: MinNodes"), std::string::npos);
}

TEST(ConfigPartition, LineReadsBackToTheSamePartition) {
  PartitionConfig p;
  p.name = "gpu";
  p.nodes = {"n3", "n4"};
  p.max_time_s = 90 * 60;
  p.default_time_s = 61;
  p.state = PartitionState::kDrain;
  p.min_nodes = 1;
  p.max_nodes = 2;
  p.priority = 7;
  const std::string line = FormatPartitionLine(p);
  auto cfg = ParseConfig(std::string(kBase) + line + "\n", "t.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  const PartitionConfig* back = cfg->FindPartition("gpu");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(FormatPartitionLine(*back), line);
  EXPECT_EQ(back->state, PartitionState::kDrain);
  EXPECT_EQ(back->default_time_s, 61);
  // Without nodes (a partition emptied at runtime) it is still a valid line.
  p.nodes.clear();
  EXPECT_TRUE(ParseConfig(std::string(kBase) + FormatPartitionLine(p) + "\n", "t.conf").ok());
}

TEST(ConfigPartition, MergeReplacesCommentsOutAndAppends) {
  PartitionConfig shorter;
  shorter.name = "short";
  shorter.nodes = {"n1", "n2"};
  shorter.max_time_s = 5 * 60;
  PartitionConfig gpu;
  gpu.name = "gpu";
  gpu.nodes = {"n3"};
  const std::map<std::string, std::string> lines = {{"short", FormatPartitionLine(shorter)},
                                                    {"gpu", FormatPartitionLine(gpu)}};
  const std::string merged = MergePartitionLines(kBase, lines);
  EXPECT_NE(merged.find("# the main queue\n"), std::string::npos);
  EXPECT_NE(merged.find("# deleted at runtime: PartitionName=debug"), std::string::npos);
  EXPECT_NE(merged.find("# created at runtime\n" + FormatPartitionLine(gpu)), std::string::npos);
  auto cfg = ParseConfig(merged, "merged.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  ASSERT_EQ(cfg->partitions.size(), 2u);
  EXPECT_EQ(cfg->FindPartition("debug"), nullptr);
  EXPECT_EQ(FormatPartitionLine(*cfg->FindPartition("short")), lines.at("short"));
  EXPECT_EQ(FormatPartitionLine(*cfg->FindPartition("gpu")), lines.at("gpu"));
  EXPECT_EQ(MergePartitionLines(merged, lines), merged);  // a fixed point
}

TEST(ConfigPartition, AdminUsersAndAuditKeys) {
  auto cfg = ParseConfig(
      std::string(kBase) + "AdminUsers=alice,bob\nAuditMaxAge=3600\nAuditMaxRecords=50\n",
      "t.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  EXPECT_TRUE(IsAdminUserName(*cfg, "alice"));
  EXPECT_TRUE(IsAdminUserName(*cfg, "bob"));
  EXPECT_FALSE(IsAdminUserName(*cfg, "carol"));
  EXPECT_FALSE(IsAdminUserName(*cfg, ""));
  EXPECT_EQ(cfg->audit_max_age_s, 3600u);
  EXPECT_EQ(cfg->audit_max_records, 50u);
  EXPECT_FALSE(ParseConfig(std::string(kBase) + "AuditMaxRecords=0\n", "t.conf").ok());
  auto defaults = ParseConfig(kBase, "t.conf");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(IsAdminUserName(*defaults, "root"));
  EXPECT_EQ(defaults->audit_max_records, 10000u);
}

}  // namespace
}  // namespace herd

namespace herd {
namespace {

const char kNodes[] =
    "ControllerHost=c1\n"
    "NodeName=n[1-2] NodeAddr=10.0.0.[1-2] Port=7001-7002 CPUs=2 Weight=3 Features=ib # rack\n"
    "NodeName=n3 CPUs=4\n"
    "PartitionName=debug Nodes=ALL Default=YES\n";

// hcontrol write config: the nodes' runtime values written back, and read back the same.
TEST(ConfigNodes, RuntimeValuesMergeIntoNodeLines) {
  auto cfg = ParseConfig(kNodes, "t.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  // Both nodes of a line alike: the line keeps its form.
  std::map<std::string, NodeValues> both = {{"n1", {5, {"ib", "big"}, ""}},
                                            {"n2", {5, {"ib", "big"}, ""}}};
  const std::string same = MergeNodeValues(kNodes, *cfg, both);
  EXPECT_NE(same.find("NodeName=n[1-2] NodeAddr=10.0.0.[1-2] Port=7001-7002 CPUs=2 Weight=5 "
                      "Features=ib,big # rack\n"),
            std::string::npos)
      << same;
  // One node of the line changed: a line each, with its own address and port.
  std::map<std::string, NodeValues> one = {{"n2", {1, {}, ""}}, {"n3", {9, {"gpu"}, ""}}};
  const std::string split = MergeNodeValues(kNodes, *cfg, one);
  EXPECT_NE(split.find("# split at runtime: NodeName=n[1-2]"), std::string::npos) << split;
  EXPECT_NE(split.find("NodeName=n1 NodeAddr=10.0.0.1 Port=7001 CPUs=2 Weight=3 Features=ib\n"),
            std::string::npos)
      << split;
  EXPECT_NE(split.find("NodeName=n2 NodeAddr=10.0.0.2 Port=7002 CPUs=2\n"), std::string::npos)
      << split;
  EXPECT_NE(split.find("NodeName=n3 CPUs=4 Weight=9 Features=gpu\n"), std::string::npos) << split;
  auto back = ParseConfig(split, "merged.conf");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->FindNode("n2")->weight, 1u);
  EXPECT_EQ(back->FindNode("n2")->port, 7002);
  EXPECT_EQ(back->FindNode("n1")->weight, 3u);
  EXPECT_EQ(back->FindNode("n3")->features, std::vector<std::string>{"gpu"});
  EXPECT_EQ(MergeNodeValues(kNodes, *cfg, {}), kNodes);
}

}  // namespace
}  // namespace herd
