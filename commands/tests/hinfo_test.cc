// herd hinfo — tests of option parsing, node states, grouping and rendering.
#include <gtest/gtest.h>

#include "commands/hinfo/hinfo_format.h"
#include "commands/hinfo/hinfo_options.h"
#include "commands/lib/cli.h"

namespace herd::hinfo {
namespace {

using proto::NodeInfo;
using proto::NodeState;
using proto::PartitionInfo;

NodeInfo Node(const std::string& name, NodeState st, uint32_t cpus = 4, uint32_t alloc = 0) {
  NodeInfo n;
  n.name = name;
  n.state = st;
  n.responding = true;
  n.cpus = cpus;
  n.alloc_cpus = alloc;
  n.memory_mb = 1000;
  return n;
}

struct Cluster {
  std::vector<PartitionInfo> parts;
  std::vector<NodeInfo> nodes;
};

Cluster Sample() {
  Cluster c;
  PartitionInfo debug;
  debug.name = "debug";
  debug.is_default = true;
  debug.state = "UP";
  debug.max_time_s = -1;
  debug.nodes = {"n1", "n2", "n3", "n4"};
  PartitionInfo batch;
  batch.name = "batch";
  batch.state = "DOWN";
  batch.max_time_s = 3600;
  batch.nodes = {"n3", "n4"};
  PartitionInfo empty;
  empty.name = "empty";
  empty.state = "INACTIVE";
  empty.max_time_s = 86400;
  c.parts = {debug, batch, empty};
  c.nodes = {Node("n1", NodeState::kIdle), Node("n2", NodeState::kIdle),
             Node("n3", NodeState::kAllocated, 4, 4), Node("n4", NodeState::kIdle)};
  c.nodes[3].drain = true;
  c.nodes[3].reason = "bad disk";
  return c;
}

std::string Render(const Cluster& c, const std::vector<std::string>& args) {
  auto o = ParseHinfoArgs(args);
  EXPECT_TRUE(o.ok()) << o.error().message();
  auto out = RenderInfo(c.parts, c.nodes, *o);
  EXPECT_TRUE(out.ok()) << out.error().message();
  return out.ok() ? *out : "";
}

TEST(HinfoStates, CompactAndLong) {
  NodeInfo n = Node("n", NodeState::kIdle);
  EXPECT_EQ(CompactNodeState(n), "idle");
  n.state = NodeState::kMixed;
  EXPECT_EQ(CompactNodeState(n), "mix");
  EXPECT_EQ(LongNodeState(n), "mixed");
  n.drain = true;
  EXPECT_EQ(CompactNodeState(n), "drng");
  EXPECT_EQ(LongNodeState(n), "draining");
  n.state = NodeState::kIdle;
  EXPECT_EQ(CompactNodeState(n), "drain");
  n.state = NodeState::kDown;
  n.responding = false;
  EXPECT_EQ(CompactNodeState(n), "drain*");
  n.drain = false;
  EXPECT_EQ(CompactNodeState(n), "down*");
  n.state = NodeState::kUnknown;
  EXPECT_EQ(CompactNodeState(n), "unk*");
  EXPECT_EQ(LongNodeState(n), "unknown*");
  n.state = NodeState::kAllocated;
  n.responding = true;
  EXPECT_EQ(CompactNodeState(n), "alloc");
  EXPECT_EQ(PartitionAvail("INACTIVE"), "inact");
  EXPECT_EQ(PartitionAvail("UP"), "up");
  EXPECT_EQ(SinfoTimeLimit(-1), "infinite");
  EXPECT_EQ(SinfoTimeLimit(3600), "1:00:00");
}

TEST(HinfoRender, DefaultGroupsByState) {
  // Within a partition by node state, highest first (allocated before idle), as sinfo.
  EXPECT_EQ(Render(Sample(), {}),
            "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST\n"
            "debug*       up   infinite      1  alloc n3\n"
            "debug*       up   infinite      2   idle n[1-2]\n"
            "debug*       up   infinite      1  drain n4\n"
            "batch      down    1:00:00      1  alloc n3\n"
            "batch      down    1:00:00      1  drain n4\n"
            "empty     inact 1-00:00:00      0    n/a \n");
}

TEST(HinfoRender, PartitionAndNodeFilters) {
  // Lines are split only by the fields printed: no state column, one line per partition.
  EXPECT_EQ(Render(Sample(), {"-h", "-p", "batch", "-o", "%P %D %N"}), "batch 2 n[3-4]\n");
  EXPECT_EQ(Render(Sample(), {"-h", "-n", "n[1-3]", "-o", "%P %D %t %N"}),
            "debug* 1 alloc n3\ndebug* 2 idle n[1-2]\nbatch 1 alloc n3\n");
  EXPECT_EQ(Render(Sample(), {"-h", "-t", "drain", "-o", "%R %N"}), "debug n4\nbatch n4\n");
  EXPECT_EQ(Render(Sample(), {"-o", "%P"}), "PARTITION\ndebug*\nbatch\nempty\n");
}

TEST(HinfoRender, RespondingOnly) {
  Cluster c = Sample();
  c.nodes[1].responding = false;  // n2
  EXPECT_EQ(Render(c, {"-h", "-N", "-p", "debug", "-o", "%N"}), "n1\nn2\nn3\nn4\n");
  EXPECT_EQ(Render(c, {"-h", "-N", "-r", "-p", "debug", "-o", "%N"}), "n1\nn3\nn4\n");
  EXPECT_EQ(Render(c, {"-h", "-N", "-e", "-p", "debug", "-o", "%N"}), "n1\nn2\nn3\nn4\n");
}

TEST(HinfoRender, NodeOriented) {
  EXPECT_EQ(Render(Sample(), {"-N"}),
            "NODELIST   NODES PARTITION STATE \n"
            "n1             1    debug* idle  \n"
            "n2             1    debug* idle  \n"
            "n3             1    debug* alloc \n"
            "n3             1     batch alloc \n"
            "n4             1    debug* drain \n"
            "n4             1     batch drain \n");
}

TEST(HinfoRender, CpuAndNodeTallies) {
  EXPECT_EQ(Render(Sample(), {"-h", "-p", "debug", "-o", "%C"}), "4/8/4/16\n");
  EXPECT_EQ(Render(Sample(), {"-s", "-h", "-o", "%P %F %C"}),
            "debug* 1/2/1/4 4/8/4/16\nbatch 1/0/1/2 4/0/4/8\nempty 0/0/0/0 0/0/0/0\n");
}

TEST(HinfoRender, Reasons) {
  Cluster c = Sample();
  c.nodes[0].state = NodeState::kDown;
  c.nodes[0].responding = false;
  c.nodes[0].reason = "Not responding";
  EXPECT_EQ(Render(c, {"-R", "-o", "%E|%N"}), "REASON|NODELIST\nNot responding|n1\nbad disk|n4\n");
}

TEST(HinfoArgs, Errors) {
  EXPECT_EQ(ParseHinfoArgs({"-t", "sleepy"}).error().message(),
            "Invalid node state specified: sleepy");
  EXPECT_FALSE(ParseHinfoArgs({"-n", "n[1-"}).ok());
  EXPECT_TRUE(cli::IsUsageError(ParseHinfoArgs({"--bogus"}).error()));
  EXPECT_TRUE(ParseHinfoArgs({"--help"})->help);
  auto o = ParseHinfoArgs({"-o", "%P %Q"});
  ASSERT_TRUE(o.ok());
  auto out = RenderInfo({}, {}, *o);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message(), "Invalid node format: invalid format specification '%Q'");
}

TEST(HinfoRender, LongFormatsRender) {
  EXPECT_NE(Render(Sample(), {"-l"}).find("JOB_SIZE"), std::string::npos);
  EXPECT_NE(Render(Sample(), {"-N", "-l"}).find("S:C:T"), std::string::npos);
}

}  // namespace
}  // namespace herd::hinfo

namespace herd::hinfo {
namespace {

// Slurm 22.05 on the same nodes (scontrol update nodename=n1 weight=5 features=ib,eth
// activefeatures=ib gres=gpu:2; n2 features=ib; then n2 state=fail under an exclusive
// job, n3 state=fail idle): sinfo -N -o "%N %f %w %G %T %b" and "%N %T %t".
TEST(HinfoRender, WeightFeaturesGresAndFailAsSlurm) {
  Cluster c;
  PartitionInfo debug;  // sinfo lists a node under each partition that holds it
  debug.name = "debug";
  debug.is_default = true;
  debug.state = "UP";
  debug.max_time_s = -1;
  debug.nodes = {"n1", "n2", "n3"};
  c.parts = {debug};
  c.nodes = {Node("n1", NodeState::kIdle), Node("n2", NodeState::kIdle),
             Node("n3", NodeState::kIdle)};
  c.nodes[0].weight = 5;
  c.nodes[0].features = {"ib", "eth"};
  c.nodes[0].active_features = {"ib"};
  c.nodes[0].gres = "gpu:2";
  c.nodes[1].features = c.nodes[1].active_features = {"ib"};
  EXPECT_EQ(Render(c, {"-N", "-o", "%N %f %w %G %T %b"}),
            "NODELIST AVAIL_FEATURES WEIGHT GRES STATE ACTIVE_FEATURES\n"
            "n1 ib,eth 5 gpu:2 idle ib\n"
            "n2 ib 1 (null) idle ib\n"
            "n3 (null) 1 (null) idle (null)\n");
  c.nodes[1].state = NodeState::kAllocated;
  c.nodes[1].alloc_cpus = c.nodes[1].cpus;
  c.nodes[1].fail = c.nodes[2].fail = true;
  EXPECT_EQ(Render(c, {"-N", "-h", "-o", "%N %T %t"}),
            "n1 idle idle\n"
            "n2 failing failg\n"
            "n3 fail fail\n");
  EXPECT_EQ(Render(c, {"-N", "-h", "-t", "fail", "-o", "%N"}), "n3\n");
  c.nodes[1].state = NodeState::kMixed;
  EXPECT_EQ(CompactNodeState(c.nodes[1]), "fail") << "Slurm: FAILING only when allocated";
}

}  // namespace
}  // namespace herd::hinfo
