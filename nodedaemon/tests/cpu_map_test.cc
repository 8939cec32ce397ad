// herd — tests of the logical cpu -> real PU map.
#include "nodedaemon/hw/cpu_map.h"

#include <gtest/gtest.h>
#include <sched.h>

namespace herd::noded {
namespace {

TEST(CpuMapTest, WrapsLogicalCpusOntoRealPus) {
  CpuMap map({0, 1});
  EXPECT_EQ(map.RealPu(0), 0u);
  EXPECT_EQ(map.RealPu(1), 1u);
  EXPECT_EQ(map.RealPu(2), 0u);
  EXPECT_EQ(map.RealPu(31), 1u);
  EXPECT_EQ(map.RealPus({2, 3, 4}), (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(map.RealPus({4, 6}), (std::vector<unsigned>{0}));
  EXPECT_TRUE(map.RealPus({}).empty());
}

TEST(CpuMapTest, KeepsOsIndexes) {
  CpuMap map({8, 9, 2});
  EXPECT_EQ(map.RealPu(0), 8u);
  EXPECT_EQ(map.RealPus({0, 1, 2, 3}), (std::vector<unsigned>{2, 8, 9}));
  EXPECT_TRUE(CpuMap({}).RealPus({1, 2}).empty());
}

TEST(CpuMapTest, HostPusAreUsable) {
  auto map = CpuMap::FromHost();
  ASSERT_TRUE(map.ok()) << map.error().ToString();
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  EXPECT_EQ(map->real_pus().size(), static_cast<size_t>(CPU_COUNT(&allowed)));
  for (unsigned pu : map->real_pus()) EXPECT_TRUE(CPU_ISSET(pu, &allowed)) << pu;
}

}  // namespace
}  // namespace herd::noded
