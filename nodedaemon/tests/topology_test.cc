// herd — tests of hardware discovery in configuration (synthetic) mode.
#include "nodedaemon/hw/topology.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "common/base/fs.h"

namespace herd::noded {
namespace {

NodeConfig Node(uint32_t s, uint32_t c, uint32_t t) {
  NodeConfig n;
  n.name = "n1";
  n.sockets = s;
  n.cores_per_socket = c;
  n.threads_per_core = t;
  n.cpus = s * c * t;
  n.real_memory_mb = 64000;
  return n;
}

TEST(TopologyTest, SyntheticDescription) {
  EXPECT_EQ(SyntheticDescription(Node(2, 8, 2)), "package:2 core:8 pu:2");
}

TEST(TopologyTest, ConfigModeReportsTheConfiguredShape) {
  NodeConfig n = Node(2, 8, 2);
  n.gres = "gpu:a100:4";
  auto hw = InventoryFromConfig(n);
  ASSERT_TRUE(hw.ok()) << hw.error().ToString();
  EXPECT_EQ(hw->sockets, 2u);
  EXPECT_EQ(hw->cores_per_socket, 8u);
  EXPECT_EQ(hw->threads_per_core, 2u);
  EXPECT_EQ(hw->cpus, 32u);
  EXPECT_EQ(hw->memory_mb, 64000u);
  EXPECT_GE(hw->numa_nodes, 1u);
  EXPECT_EQ(hw->gpus, 4u);
  EXPECT_EQ(hw->topology, "package:2 core:8 pu:2 (synthetic)");
}

TEST(TopologyTest, ConfigModeSingleCore) {
  auto hw = InventoryFromConfig(Node(1, 1, 1));
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->cpus, 1u);
  EXPECT_EQ(hw->gpus, 0u);
}

TEST(TopologyTest, DiscoverHonoursHardwareSource) {
  ClusterConfig cfg;
  cfg.hardware_source = "config";
  auto hw = DiscoverHardware(cfg, Node(4, 4, 1));
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->cpus, 16u);
  for (const std::string& nic : hw->nics) EXPECT_NE(nic.rfind("lo:", 0), 0u) << nic;
}

TEST(TopologyTest, GresGpuCounts) {
  EXPECT_EQ(GpusFromGres(""), 0u);
  EXPECT_EQ(GpusFromGres("gpu:2"), 2u);
  EXPECT_EQ(GpusFromGres("gpu"), 1u);
  EXPECT_EQ(GpusFromGres("gpu:tesla:2(S:0-1),mps:100"), 2u);
  EXPECT_EQ(GpusFromGres("mps:100"), 0u);
}

TEST(TopologyTest, InfinibandDevicesFromSysfs) {
  char tmpl[] = "/tmp/herd-sysfs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string root = tmpl;
  ASSERT_TRUE(MakeDirs(root + "/infiniband/mlx5_0").ok());
  auto nics = ListNics(root);
  EXPECT_NE(std::find(nics.begin(), nics.end(), "mlx5_0:ib"), nics.end());
  for (const std::string& nic : nics) EXPECT_NE(nic.rfind("lo:", 0), 0u) << nic;
  EXPECT_TRUE(RemoveTree(root).ok());
}

}  // namespace
}  // namespace herd::noded
