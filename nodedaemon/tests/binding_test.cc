// herd — tests of task placement and binding within a node, on synthetic topologies.
#include "nodedaemon/hw/binding.h"

#include <gtest/gtest.h>

namespace herd::noded {
namespace {

using Sets = std::vector<std::vector<uint32_t>>;

CpuTopology Topo(const std::string& synthetic) {
  auto t = LoadCpuTopology(synthetic);
  EXPECT_TRUE(t.ok()) << t.error().message();
  return t.ok() ? *t : CpuTopology{};
}

// Binds `tasks` tasks of `cpt` cpus with "-m *:<dist>" and "--cpu-bind=<bind>".
Sets Bind(const CpuTopology& topo, uint32_t tasks, const std::string& dist, const std::string& bind,
          uint32_t cpt = 1, std::vector<uint32_t> step_cpus = {}) {
  BindRequest req;
  req.step_cpus = std::move(step_cpus);
  req.num_tasks = tasks;
  req.cpus_per_task = cpt;
  auto d = ParseCpuDistribution("block:" + dist);
  EXPECT_TRUE(d.ok());
  req.distribution = *d;
  auto b = ParseCpuBind(bind);
  EXPECT_TRUE(b.ok()) << b.error().message();
  req.bind = *b;
  auto out = ComputeBinding(topo, req);
  EXPECT_TRUE(out.ok()) << out.error().message();
  return out.ok() ? *out : Sets{};
}

TEST(BindingTest, SyntheticTopologyShape) {
  CpuTopology t = Topo("package:2 core:4 pu:2");
  ASSERT_EQ(t.pus.size(), 16u);
  EXPECT_EQ(t.pus[0].core, 0u);
  EXPECT_EQ(t.pus[1].core, 0u);
  EXPECT_EQ(t.pus[2].core, 1u);
  EXPECT_EQ(t.pus[7].socket, 0u);
  EXPECT_EQ(t.pus[8].socket, 1u);
  EXPECT_EQ(t.pus[9].core, 4u);
  EXPECT_FALSE(LoadCpuTopology("package:x").ok());
}

TEST(BindingTest, CoresBlockAndCyclicOnTwoSockets) {
  CpuTopology t = Topo("package:2 core:4 pu:2");
  EXPECT_EQ(Bind(t, 4, "block", "cores"), (Sets{{0, 1}, {2, 3}, {4, 5}, {6, 7}}));
  EXPECT_EQ(Bind(t, 4, "cyclic", "cores"), (Sets{{0, 1}, {8, 9}, {2, 3}, {10, 11}}));
  // Three cpus per task need two cores of two threads each.
  EXPECT_EQ(Bind(t, 2, "block", "cores", 3), (Sets{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  EXPECT_EQ(Bind(t, 2, "cyclic", "", 3), (Sets{{0, 1, 2, 3}, {8, 9, 10, 11}}));
}

TEST(BindingTest, ThreadsAndSockets) {
  CpuTopology t = Topo("package:2 core:4 pu:2");
  EXPECT_EQ(Bind(t, 4, "block", "threads"), (Sets{{0}, {1}, {2}, {3}}));
  EXPECT_EQ(Bind(t, 4, "cyclic", "threads"), (Sets{{0}, {8}, {1}, {9}}));
  EXPECT_EQ(Bind(t, 2, "block", "threads", 2), (Sets{{0, 1}, {2, 3}}));
  std::vector<uint32_t> s0 = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<uint32_t> s1 = {8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(Bind(t, 3, "block", "sockets"), (Sets{s0, s0, s0}));
  EXPECT_EQ(Bind(t, 3, "cyclic", "sockets"), (Sets{s0, s1, s0}));
}

TEST(BindingTest, OnlyTheStepsCpusAreUsed) {
  CpuTopology t = Topo("package:2 core:4 pu:2");
  // One core for two tasks: placed by thread, bound to the shared core.
  EXPECT_EQ(Bind(t, 2, "block", "cores", 1, {0, 1}), (Sets{{0, 1}, {0, 1}}));
  EXPECT_EQ(Bind(t, 2, "block", "threads", 1, {0, 1}), (Sets{{0}, {1}}));
  // Half cores: the binding never reaches cpus the step does not have.
  EXPECT_EQ(Bind(t, 2, "cyclic", "cores", 1, {2, 4, 10}), (Sets{{2}, {10}}));
  EXPECT_EQ(Bind(t, 2, "cyclic", "sockets", 1, {2, 4, 10}), (Sets{{2, 4}, {10}}));
  EXPECT_EQ(Bind(t, 2, "block", "none", 1, {5, 3}), (Sets{{3, 5}, {3, 5}}));
}

TEST(BindingTest, SingleSocketAndOversubscription) {
  CpuTopology t = Topo("package:1 core:4 pu:1");
  ASSERT_EQ(t.pus.size(), 4u);
  EXPECT_EQ(Bind(t, 2, "block", "cores"), (Sets{{0}, {1}}));
  EXPECT_EQ(Bind(t, 2, "cyclic", "cores"), (Sets{{0}, {1}}));
  EXPECT_EQ(Bind(t, 6, "block", "cores"), (Sets{{0}, {1}, {2}, {3}, {0}, {1}}));
  // Nine cpus wanted from four: placement starts over, never twice the same cpu in a task.
  EXPECT_EQ(Bind(t, 3, "block", "cores", 3), (Sets{{0, 1, 2}, {0, 1, 3}, {0, 1, 2}}));
  EXPECT_EQ(Bind(t, 1, "block", "cores", 8), (Sets{{0, 1, 2, 3}}));
  EXPECT_EQ(Bind(t, 2, "block", "sockets"), (Sets{{0, 1, 2, 3}, {0, 1, 2, 3}}));
}

TEST(BindingTest, MapAndMaskCpu) {
  CpuTopology t = Topo("package:1 core:4 pu:1");
  EXPECT_EQ(Bind(t, 3, "block", "map_cpu:3,1"), (Sets{{3}, {1}, {3}}));
  EXPECT_EQ(Bind(t, 2, "block", "mask_cpu:0x3,c"), (Sets{{0, 1}, {2, 3}}));
  EXPECT_EQ(Bind(t, 2, "block", "verbose,map_cpu:2"), (Sets{{2}, {2}}));

  BindRequest req;
  req.num_tasks = 1;
  req.step_cpus = {0, 1};
  req.bind = *ParseCpuBind("map_cpu:3");
  EXPECT_EQ(ComputeBinding(t, req).error().code(), Code::kInvalidArgument);
  req.bind = *ParseCpuBind("mask_cpu:0x6");
  EXPECT_FALSE(ComputeBinding(t, req).ok());
  req.bind = *ParseCpuBind("cores");
  req.step_cpus = {0, 9};
  EXPECT_FALSE(ComputeBinding(t, req).ok());
}

TEST(BindingTest, ParsesCpuBind) {
  auto b = ParseCpuBind("");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, CpuBindType::kCores);
  EXPECT_FALSE(b->verbose);
  b = ParseCpuBind("threads,verbose");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, CpuBindType::kThreads);
  EXPECT_TRUE(b->verbose);
  b = ParseCpuBind("map_cpu:0,2,0x3,verbose");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->type, CpuBindType::kMapCpu);
  EXPECT_EQ(b->lists, (Sets{{0}, {2}, {3}}));
  EXPECT_TRUE(b->verbose);
  b = ParseCpuBind("mask_cpu:0x11,ff00");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->lists, (Sets{{0, 4}, {8, 9, 10, 11, 12, 13, 14, 15}}));
  EXPECT_EQ(ParseCpuBind("NONE")->type, CpuBindType::kNone);
  EXPECT_EQ(ParseCpuBind("sockets")->type, CpuBindType::kSockets);
  for (const char* bad : {"bogus", "cores,threads", "map_cpu:", "map_cpu:x", "mask_cpu:0x0",
                          "mask_cpu:zz", "cores,5"}) {
    EXPECT_FALSE(ParseCpuBind(bad).ok()) << bad;
  }
}

TEST(BindingTest, ParsesDistribution) {
  EXPECT_EQ(*ParseCpuDistribution("block"), CpuDistribution::kCyclic);
  EXPECT_EQ(*ParseCpuDistribution("cyclic"), CpuDistribution::kCyclic);
  EXPECT_EQ(*ParseCpuDistribution("block:block"), CpuDistribution::kBlock);
  EXPECT_EQ(*ParseCpuDistribution("cyclic:block:cyclic"), CpuDistribution::kBlock);
  EXPECT_EQ(*ParseCpuDistribution("*:fcyclic"), CpuDistribution::kCyclic);
  EXPECT_FALSE(ParseCpuDistribution("block:plane").ok());
  EXPECT_FALSE(ParseCpuDistribution("a:b:c:d").ok());
}

TEST(BindingTest, MasksAndVerboseLine) {
  EXPECT_EQ(FormatCpuMask({}), "0x0");
  EXPECT_EQ(FormatCpuMask({0, 1}), "0x3");
  EXPECT_EQ(FormatCpuMask({4, 5}), "0x30");
  EXPECT_EQ(FormatCpuMask({64}), "0x10000000000000000");
  CpuBind b;
  EXPECT_EQ(VerboseBindLine(b, 3, "n1", {4, 5}), "cpu-bind=CORES task 3 on n1: mask 0x30 set\n");
}

}  // namespace
}  // namespace herd::noded
