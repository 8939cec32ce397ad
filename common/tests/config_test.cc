// herd — tests of herd.conf parsing (common/config/config.cc): a full good config and every
// error path, each checked for its "<origin>:<line>: <Key>:" prefix.
#include "common/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/base/strings.h"

namespace herd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// The smallest valid file: one controller.
const char kCtl[] = "ControllerHost=ctl1\n";

ClusterConfig Parse(const std::string& text) {
  auto r = ParseConfig(text, "t.conf");
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? std::move(r).value() : ClusterConfig{};
}

// The error message of a file that must not parse.
std::string Error(const std::string& text) {
  auto r = ParseConfig(text, "t.conf");
  EXPECT_FALSE(r.ok()) << "parsed:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  return r.error().message();
}

// The error message of kCtl followed by `body`.
std::string CtlError(const std::string& body) { return Error(kCtl + body); }

// One line per controller, node or partition holding every field, to compare them at once.
std::string Describe(const ControllerAddr& a) {
  return a.name + " " + a.host + ":" + std::to_string(a.port);
}

std::string Describe(const NodeConfig& n) {
  return n.name + " " + n.addr + ":" + std::to_string(n.port) + " cpus=" + std::to_string(n.cpus) +
         " " + std::to_string(n.sockets) + "x" + std::to_string(n.cores_per_socket) + "x" +
         std::to_string(n.threads_per_core) + " mem=" + std::to_string(n.real_memory_mb) +
         " features=" + Join(n.features, ",") + " gres=" + n.gres +
         " weight=" + std::to_string(n.weight);
}

std::string Describe(const PartitionConfig& p) {
  const char* states[] = {"UP", "DOWN", "DRAIN", "INACTIVE"};
  return p.name + " " + Join(p.nodes, ",") + (p.is_default ? " default" : " -") +
         " max=" + std::to_string(p.max_time_s) + " def=" + std::to_string(p.default_time_s) + " " +
         states[static_cast<int>(p.state)] + " nodes=" + std::to_string(p.max_nodes) +
         " prio=" + std::to_string(p.priority);
}

const char kFull[] = R"(# A complete herd.conf.
ClusterName=alpha
ControllerHost=ctl1(10.0.0.1:7001)   # explicit port
ControllerHost=ctl2(10.0.0.2)        # port from ControllerPort, which comes later
ControllerPort=7000
WitnessHost=w1(10.0.0.9:7100)
StateDir="/var/lib/herd state"  SpoolDir=/var/spool/herd/%n
LogDir=/var/log/herd
AuthType=auth/munge AuthSocket=/run/munge/munge.socket.2
SchedulerType=sched/backfill SelectType=select/cores MpiDefault=mpi/pmix
HardwareSource=CONFIG AdminUser=hpcadmin
HeartbeatInterval=3 NodeTimeout=20 MinJobAge=60 KillWait=10 CheckpointInterval=30
ReturnToService=2 DefMemPerCPU=1G MaxJobCount=5000 JobRequeue=0 MessageTimeout=15

NodeName=n[1-4] NodeAddr=10.1.0.[1-4] Port=7010-7013 Sockets=2 CoresPerSocket=8 )"
                     R"(ThreadsPerCore=2 RealMemory=64G Features=ib,avx512 Gres=gpu:2 Weight=10
NodeName=big1 CPUs=128 RealMemory=1000000 Port=7020
PartitionName=batch Nodes=n[1-4] Default=YES MaxTime=1-00:00:00 DefaultTime=30 State=UP )"
                     R"(MaxNodes=4 PriorityTier=5
PartitionName=all Nodes=ALL MaxTime=UNLIMITED State=drain Priority=2
PartitionName=late Nodes=late[1-2] State=INACTIVE MaxNodes=UNLIMITED
NodeName=late[1-2] CPUs=4 Sockets=1 CoresPerSocket=4 ThreadsPerCore=1
)";

TEST(ParseConfig, FullConfig) {
  ClusterConfig c = Parse(kFull);
  EXPECT_EQ(c.source_path, "t.conf");
  EXPECT_EQ(c.cluster_name, "alpha");
  ASSERT_EQ(c.controllers.size(), 2u);
  EXPECT_EQ(Describe(c.controllers[0]), "ctl1 10.0.0.1:7001");
  EXPECT_EQ(Describe(c.controllers[1]), "ctl2 10.0.0.2:7000");
  EXPECT_EQ(Describe(c.witness_addr), "w1 10.0.0.9:7100");
  EXPECT_EQ(c.witness, "w1(10.0.0.9:7100)");
  using Strings = std::vector<std::string>;
  EXPECT_EQ(
      (Strings{c.state_dir, c.spool_dir, c.log_dir, c.auth_type, c.auth_socket, c.scheduler_type,
               c.select_type, c.mpi_default, c.hardware_source, c.admin_user}),
      (Strings{"/var/lib/herd state", "/var/spool/herd/%n", "/var/log/herd", "auth/munge",
               "/run/munge/munge.socket.2", "sched/backfill", "select/cores", "mpi/pmix", "config",
               "hpcadmin"}));
  EXPECT_THAT((std::vector<uint32_t>{c.heartbeat_interval_s, c.node_timeout_s, c.min_job_age_s,
                                     c.kill_wait_s, c.checkpoint_interval_s, c.return_to_service,
                                     c.max_job_count, c.message_timeout_s}),
              ElementsAre(3u, 20u, 60u, 10u, 30u, 2u, 5000u, 15u));
  EXPECT_EQ(c.def_mem_per_cpu_mb, 1024u);
  EXPECT_FALSE(c.job_requeue);

  ASSERT_EQ(c.nodes.size(), 7u);
  ASSERT_NE(c.FindNode("n3"), nullptr);
  EXPECT_EQ(Describe(*c.FindNode("n3")),
            "n3 10.1.0.3:7012 cpus=32 2x8x2 mem=65536 features=ib,avx512 gres=gpu:2 weight=10");
  ASSERT_NE(c.FindNode("big1"), nullptr);
  EXPECT_EQ(Describe(*c.FindNode("big1")),
            "big1 big1:7020 cpus=128 128x1x1 mem=1000000 features= gres= weight=1");
  EXPECT_EQ(Describe(c.nodes[5]), "late1 late1:0 cpus=4 1x4x1 mem=1 features= gres= weight=1");
  EXPECT_EQ(c.FindNode("n9"), nullptr);
  EXPECT_EQ(c.nodes[6].name, "late2");

  ASSERT_EQ(c.partitions.size(), 3u);
  ASSERT_NE(c.FindPartition("batch"), nullptr);
  EXPECT_EQ(c.DefaultPartition(), c.FindPartition("batch"));
  EXPECT_EQ(Describe(c.partitions[0]),
            "batch n1,n2,n3,n4 default max=86400 def=1800 UP nodes=4 prio=5");
  EXPECT_EQ(Describe(c.partitions[1]),
            "all n1,n2,n3,n4,big1,late1,late2 - max=-1 def=-1 DRAIN nodes=0 prio=2");
  EXPECT_EQ(Describe(c.partitions[2]), "late late1,late2 - max=-1 def=-1 INACTIVE nodes=0 prio=1");
  EXPECT_EQ(c.FindPartition("nope"), nullptr);

  // Every global key once, as written; nothing from NodeName/PartitionName lines.
  EXPECT_EQ(c.raw.size(), 24u);
  EXPECT_EQ(c.raw.at("ControllerHost"), "ctl1(10.0.0.1:7001),ctl2(10.0.0.2)");
  EXPECT_EQ(
      c.raw.at("StateDir") + "|" + c.raw.at("HardwareSource") + "|" + c.raw.at("DefMemPerCPU"),
      "/var/lib/herd state|CONFIG|1G");
}

// `raw` plus the NodeName/PartitionName lines must reproduce the same configuration.
TEST(ParseConfig, RoundTripThroughRaw) {
  ClusterConfig a = Parse(kFull);
  std::string text;
  for (const auto& [key, value] : a.raw) {
    for (const std::string& v : Split(value, key == "ControllerHost" ? ',' : '\n')) {
      text += key + "=\"" + v + "\"\n";
    }
  }
  for (const std::string& line : Split(kFull, '\n')) {
    if (herd::StartsWith(line, "NodeName=") || herd::StartsWith(line, "PartitionName=")) {
      text += line + "\n";
    }
  }
  ClusterConfig b = Parse(text);
  EXPECT_EQ(a.raw, b.raw);
  ASSERT_EQ(a.controllers.size(), b.controllers.size());
  for (size_t i = 0; i < a.controllers.size(); ++i) {
    EXPECT_EQ(Describe(a.controllers[i]), Describe(b.controllers[i]));
  }
  EXPECT_EQ(a.def_mem_per_cpu_mb, b.def_mem_per_cpu_mb);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) EXPECT_EQ(Describe(a.nodes[i]), Describe(b.nodes[i]));
  ASSERT_EQ(a.partitions.size(), b.partitions.size());
  for (size_t i = 0; i < a.partitions.size(); ++i) {
    EXPECT_EQ(Describe(a.partitions[i]), Describe(b.partitions[i]));
  }
}

TEST(ParseConfig, MinimalFileKeepsDefaults) {
  ClusterConfig c = Parse(kCtl);
  ASSERT_EQ(c.controllers.size(), 1u);
  EXPECT_EQ(c.controllers[0].port, 6817);
  EXPECT_EQ(c.cluster_name, "herd");
  EXPECT_EQ(c.node_timeout_s, ClusterConfig().node_timeout_s);
  EXPECT_TRUE(c.nodes.empty());
  EXPECT_EQ(c.DefaultPartition(), nullptr);
  EXPECT_THAT(c.raw, ElementsAre(Pair("ControllerHost", "ctl1")));
}

// MaxArraySize: Slurm's default 1001 (task ids 0-1000), up to Slurm's 4000001; 0: no arrays.
TEST(ParseConfig, MaxArraySize) {
  EXPECT_EQ(Parse(kCtl).max_array_size, 1001u);
  EXPECT_EQ(Parse(std::string(kCtl) + "MaxArraySize=100001\n").max_array_size, 100001u);
  EXPECT_EQ(Parse(std::string(kCtl) + "MaxArraySize=0\n").max_array_size, 0u);
  EXPECT_EQ(CtlError("MaxArraySize=4000002\n"), "t.conf:2: MaxArraySize: must be at most 4000001");
  EXPECT_THAT(CtlError("MaxArraySize=many\n"), StartsWith("t.conf:2: MaxArraySize: "));
}

TEST(ParseConfig, CommentsBlankLinesQuotesAndCrLf) {
  ClusterConfig c = Parse(
      "   # only a comment\r\n\r\n\t\nControllerHost=ctl1#trailing\r\n"
      "ClusterName=\"has # hash\" # comment\nLogDir=\"\"\nNodeName=n1 Gres=\"\"\n");
  EXPECT_EQ(c.cluster_name, "has # hash");
  EXPECT_EQ(c.controllers[0].name, "ctl1");
  EXPECT_EQ(c.log_dir, "");
  ASSERT_EQ(c.nodes.size(), 1u);
}

TEST(ParseConfig, KeysAreCaseInsensitiveAndLastGlobalWins) {
  ClusterConfig c = Parse(
      "controllerhost=ctl1 CLUSTERNAME=x\nClusterName=y\nnodename=n1 cpus=2\n"
      "partitionname=p NODES=all DEFAULT=yes state=Up\n");
  EXPECT_EQ(c.cluster_name, "y");
  EXPECT_EQ(c.raw.at("ClusterName"), "y");
  EXPECT_EQ(c.nodes[0].cpus, 2u);
  EXPECT_EQ(c.nodes[0].sockets, 2u);  // CPUs alone: single-core sockets, as Slurm
  EXPECT_TRUE(c.partitions[0].is_default);
}

TEST(ParseConfig, NodeDefaultsSharedPortAndAddrDerivedCpus) {
  ClusterConfig c = Parse(std::string(kCtl) +
                          "NodeName=a[1-2] Port=7000\nNodeName=b[1-2] NodeAddr=10.0.0.5 "
                          "Port=7001-7002\nNodeName=c1\nNodeName=c2 Sockets=2 CoresPerSocket=4\n");
  ASSERT_EQ(c.nodes.size(), 6u);
  EXPECT_EQ(Describe(c.nodes[1]), "a2 a2:7000 cpus=1 1x1x1 mem=1 features= gres= weight=1");
  EXPECT_EQ(Describe(c.nodes[2]), "b1 10.0.0.5:7001 cpus=1 1x1x1 mem=1 features= gres= weight=1");
  EXPECT_EQ(Describe(c.nodes[3]), "b2 10.0.0.5:7002 cpus=1 1x1x1 mem=1 features= gres= weight=1");
  EXPECT_EQ(Describe(c.nodes[4]), "c1 c1:0 cpus=1 1x1x1 mem=1 features= gres= weight=1");
  EXPECT_EQ(Describe(c.nodes[5]), "c2 c2:0 cpus=8 2x4x1 mem=1 features= gres= weight=1");
}

TEST(ParseConfig, LoadConfigReadsFile) {
  char dir[] = "/tmp/herd_config_test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/herd.conf";
  std::ofstream(path) << kCtl << "Bogus=1\n";
  auto bad = LoadConfig(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), path + ":2: Bogus: unknown key");
  std::ofstream(path) << kFull;
  auto good = LoadConfig(path);
  ASSERT_TRUE(good.ok()) << good.error().ToString();
  EXPECT_EQ(good->source_path, path);
  ::unlink(path.c_str());
  ::rmdir(dir);
  auto missing = LoadConfig(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
}

TEST(ParseConfig, ShippedExampleIsValid) {
  const std::string path = std::string(HERD_SOURCE_DIR) + "/etc/herd.conf.example";
  ASSERT_TRUE(std::ifstream(path).good()) << "the shipped example is missing: " << path;
  auto r = LoadConfig(path);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->nodes.size(), 4u);
  ASSERT_NE(r->DefaultPartition(), nullptr);
  EXPECT_EQ(r->DefaultPartition()->name, "batch");
  EXPECT_EQ(r->nodes[3].addr, "10.0.1.4");
}

// ---- errors: each names origin, line and key ----

TEST(ConfigErrors, UnknownKey) {
  EXPECT_EQ(CtlError("\nFrobnicate=1\n"), "t.conf:3: Frobnicate: unknown key");
  EXPECT_EQ(CtlError("NodeName=n1 Bogus=2\n"), "t.conf:2: Bogus: unknown key on a NodeName line");
  EXPECT_EQ(CtlError("PartitionName=p Nodes=ALL CPUs=2\n"),
            "t.conf:2: CPUs: unknown key on a PartitionName line");
  EXPECT_EQ(CtlError("CPUs=4\n"), "t.conf:2: CPUs: only valid on a NodeName line");
  EXPECT_EQ(CtlError("MaxTime=4\n"), "t.conf:2: MaxTime: only valid on a PartitionName line");
  EXPECT_EQ(CtlError("ClusterName=x NodeName=n1\n"),
            "t.conf:2: NodeName: must be the first key on its line");
  EXPECT_EQ(CtlError("NodeName=n1 ClusterName=x\n"),
            "t.conf:2: ClusterName: unknown key on a NodeName line");
}

TEST(ConfigErrors, MalformedLines) {
  EXPECT_EQ(Error("ControllerHost ctl1\n"), "t.conf:1: ControllerHost: expected Key=Value");
  EXPECT_EQ(CtlError("ClusterName=x junk\n"), "t.conf:2: junk: expected Key=Value");
  EXPECT_EQ(CtlError("=x\n"), "t.conf:2: =: missing key before '='");
  EXPECT_EQ(CtlError("ClusterName=\"abc\n"), "t.conf:2: ClusterName: unterminated '\"'");
  EXPECT_EQ(CtlError("ClusterName=\"a\"b\n"), "t.conf:2: ClusterName: text after closing '\"'");
  EXPECT_EQ(CtlError("ClusterName=a\"b\"\n"),
            "t.conf:2: ClusterName: '\"' inside an unquoted value");
}

// The value checks of each global key are tested in values_test.cc; these show the prefix.
TEST(ConfigErrors, BadNumbers) {
  EXPECT_EQ(CtlError("HeartbeatInterval=abc\n"),
            "t.conf:2: HeartbeatInterval: not a number: 'abc'");
  EXPECT_EQ(CtlError("ReturnToService=3\n"), "t.conf:2: ReturnToService: must be at most 2");
  EXPECT_THAT(CtlError("NodeName=n1 CPUs=0\n"), StartsWith("t.conf:2: CPUs: must be at least 1"));
  EXPECT_THAT(CtlError("NodeName=n1 Weight=x\n"), StartsWith("t.conf:2: Weight: "));
  EXPECT_EQ(CtlError("NodeName=n1 RealMemory=0\n"), "t.conf:2: RealMemory: must be at least 1 MB");
  EXPECT_THAT(CtlError("NodeName=n1 RealMemory=1Q\n"), StartsWith("t.conf:2: RealMemory: "));
  EXPECT_THAT(CtlError("NodeName=n1 Sockets=4294967295 CoresPerSocket=2\n"),
              StartsWith("t.conf:2: CPUs: "));
}

TEST(ConfigErrors, Ports) {
  EXPECT_THAT(Error("ControllerPort=0\n" + std::string(kCtl)),
              StartsWith("t.conf:1: ControllerPort: port must be"));
  EXPECT_THAT(Error("ControllerHost=c(h:0)\n"), StartsWith("t.conf:1: ControllerHost: port"));
  EXPECT_THAT(CtlError("NodeName=n1 Port=0\n"), StartsWith("t.conf:2: Port: "));
  EXPECT_THAT(CtlError("NodeName=n1 Port=70000\n"), StartsWith("t.conf:2: Port: "));
  EXPECT_EQ(CtlError("NodeName=n[1-2] Port=7002-7001\n"),
            "t.conf:2: Port: reversed port range '7002-7001'");
  EXPECT_EQ(CtlError("NodeName=n1 Port=1-2-3\n"), "t.conf:2: Port: '1-2-3' is not N or N-M");
}

TEST(ConfigErrors, PortRangeCount) {
  EXPECT_EQ(CtlError("NodeName=n[1-3] Port=7000-7001\n"),
            "t.conf:2: Port: range has 2 ports for 3 nodes");
  EXPECT_EQ(CtlError("NodeName=n1 Port=7000-7001\n"),
            "t.conf:2: Port: range has 2 ports for 1 nodes");
}

TEST(ConfigErrors, NodeAddrCount) {
  EXPECT_EQ(CtlError("NodeName=n[1-3] NodeAddr=h[1-2]\n"),
            "t.conf:2: NodeAddr: 2 addresses for 3 nodes");
}

TEST(ConfigErrors, SameAddressAndPort) {
  EXPECT_EQ(CtlError("NodeName=n[1-2] NodeAddr=127.0.0.1 Port=7000\n"),
            "t.conf:2: Port: node 'n2' has the same address and port as 'n1'");
}

TEST(ConfigErrors, CpusDisagreeWithTopology) {
  EXPECT_EQ(CtlError("NodeName=n1 CPUs=8 Sockets=2 CoresPerSocket=2\n"),
            "t.conf:2: CPUs: CPUs=8 differs from Sockets*CoresPerSocket*ThreadsPerCore=4");
}

TEST(ConfigErrors, BadHostlist) {
  EXPECT_THAT(CtlError("NodeName=n[1-\n"), StartsWith("t.conf:2: NodeName: hostlist 'n[1-': "));
  EXPECT_THAT(CtlError("NodeName=n[5-3]\n"), HasSubstr("reversed range"));
  EXPECT_THAT(CtlError("PartitionName=p Nodes=n[x]\n"), StartsWith("t.conf:2: Nodes: hostlist"));
  EXPECT_THAT(CtlError("NodeName=n1 NodeAddr=a,,b\n"), StartsWith("t.conf:2: NodeAddr: hostlist"));
}

TEST(ConfigErrors, DuplicateNode) {
  EXPECT_EQ(CtlError("NodeName=n[1-3]\n\nNodeName=n3\n"),
            "t.conf:4: NodeName: node 'n3' is already defined at line 2");
  EXPECT_EQ(CtlError("NodeName=n1,n1\n"),
            "t.conf:2: NodeName: node 'n1' is already defined at line 2");
}

TEST(ConfigErrors, DuplicateKeyOnOneLine) {
  EXPECT_EQ(CtlError("NodeName=n1 CPUs=1 cpus=2\n"), "t.conf:2: CPUs: given twice");
  EXPECT_EQ(CtlError("NodeName=n1 nodename=n2\n"), "t.conf:2: NodeName: given twice");
  EXPECT_EQ(CtlError("PartitionName=p Nodes=ALL Priority=1 PriorityTier=2\n"),
            "t.conf:2: PriorityTier: given twice");
}

TEST(ConfigErrors, UndefinedPartitionNode) {
  EXPECT_EQ(CtlError("NodeName=n[1-2]\nPartitionName=p Nodes=n[1-3]\n"),
            "t.conf:3: Nodes: node 'n3' is not defined");
  EXPECT_EQ(CtlError("NodeName=n[1-2]\nPartitionName=p Nodes=n1,n1\n"),
            "t.conf:3: Nodes: node 'n1' is listed twice");
}

// The error of a file defining node n1 and, on line 3, partition p with Nodes=n1 and `keys`.
std::string PartitionError(const std::string& keys) {
  return CtlError("NodeName=n1\nPartitionName=p Nodes=n1 " + keys + "\n");
}

TEST(ConfigErrors, PartitionProblems) {
  EXPECT_EQ(CtlError("NodeName=n1\nPartitionName=p Nodes=n1\nPartitionName=p Nodes=n1\n"),
            "t.conf:4: PartitionName: partition 'p' is already defined at line 3");
  EXPECT_EQ(CtlError("PartitionName=p\n"), "t.conf:2: Nodes: missing (give a hostlist or ALL)");
  EXPECT_EQ(CtlError("PartitionName=\"\" Nodes=ALL\n"),
            "t.conf:2: PartitionName: bad partition name ''");
  EXPECT_EQ(PartitionError("Default=maybe"), "t.conf:3: Default: must be YES or NO, got 'maybe'");
  EXPECT_EQ(PartitionError("State=OPEN"),
            "t.conf:3: State: must be UP, DOWN, DRAIN or INACTIVE, got 'OPEN'");
  EXPECT_EQ(PartitionError("MaxNodes=0"), "t.conf:3: MaxNodes: must be at least 1");
  EXPECT_EQ(PartitionError("MaxTime=10 DefaultTime=20"),
            "t.conf:3: DefaultTime: longer than MaxTime");
}

TEST(ConfigErrors, TwoDefaults) {
  EXPECT_EQ(CtlError("NodeName=n1\nPartitionName=a Nodes=n1 Default=YES\n"
                     "PartitionName=b Nodes=n1 Default=YES\n"),
            "t.conf:4: Default: partition 'a' is already the default");
}

TEST(ConfigErrors, BadTimeString) {
  EXPECT_EQ(PartitionError("MaxTime=1:2:3:4"),
            "t.conf:3: MaxTime: invalid time '1:2:3:4': too many ':' fields");
  EXPECT_THAT(PartitionError("DefaultTime=soon"),
              StartsWith("t.conf:3: DefaultTime: invalid time 'soon'"));
}

TEST(ConfigErrors, NoController) {
  EXPECT_EQ(Error(""), "t.conf:0: ControllerHost: at least one ControllerHost is required");
  EXPECT_EQ(Error("ClusterName=x\nNodeName=n1\n"),
            "t.conf:0: ControllerHost: at least one ControllerHost is required");
}

TEST(ConfigErrors, BadController) {
  EXPECT_THAT(Error("ControllerHost=c(\n"), StartsWith("t.conf:1: ControllerHost: 'c(' is not"));
  EXPECT_EQ(Error("ControllerHost=c\n\nControllerHost=c(h)\n"),
            "t.conf:3: ControllerHost: 'c' is listed twice");
  EXPECT_THAT(CtlError("WitnessHost=w(\n"), StartsWith("t.conf:2: WitnessHost: "));
}

TEST(ConfigErrors, NodeTimeoutNotAboveHeartbeat) {
  EXPECT_EQ(CtlError("NodeTimeout=5\n"),
            "t.conf:2: NodeTimeout: NodeTimeout (5) must be longer than HeartbeatInterval (5)");
  EXPECT_EQ(CtlError("HeartbeatInterval=40\n"),
            "t.conf:2: HeartbeatInterval: NodeTimeout (30) must be longer than "
            "HeartbeatInterval (40)");
}

TEST(ConfigErrors, NodeLeaseBelowNodeTimeout) {
  EXPECT_EQ(CtlError("NodeLease=10\n"),
            "t.conf:2: NodeLease: NodeLease (10) must be at least NodeTimeout (30)");
  EXPECT_EQ(CtlError("NodeLease=0\n"), "t.conf:2: NodeLease: must be at least 1");
}

TEST(ParseConfig, NodeLeaseDefaultsToTwiceNodeTimeout) {
  ClusterConfig c = Parse(std::string(kCtl) + "NodeTimeout=20\n");
  EXPECT_EQ(c.NodeLeaseS(), 40);
  EXPECT_EQ(c.LostNodeDelayMs(), (40 + 30 + 5) * 1000);
  c = Parse(std::string(kCtl) + "NodeTimeout=20 NodeLease=25 KillWait=3\n");
  EXPECT_EQ(c.NodeLeaseS(), 25);
  EXPECT_EQ(c.LostNodeDelayMs(), (25 + 3 + 5) * 1000);
}

}  // namespace
}  // namespace herd

namespace herd {
namespace {

TEST(ParseConfig, ControllerPairAndWitness) {
  auto c = ParseConfig(
      "ControllerHosts=ctl1(127.0.0.1:7001),ctl2(127.0.0.2:7002)\nWitnessHost=w(127.0.0.3)\n"
      "ControllerPort=7009\nHaLeaseMs=600\nHaSyncTimeoutMs=200\nReadFromPassive=yes\n",
      "ha.conf");
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_EQ(c->controllers.size(), 2u);
  EXPECT_EQ(c->controllers[1].name, "ctl2");
  EXPECT_EQ(c->controllers[1].port, 7002);
  EXPECT_EQ(c->witness_addr.host, "127.0.0.3");
  EXPECT_EQ(c->witness_addr.port, 7009);
  EXPECT_EQ(c->voters(), 3u);
  EXPECT_EQ(c->ha_lease_ms, 600u);
  EXPECT_EQ(c->ha_sync_timeout_ms, 200u);
  EXPECT_TRUE(c->read_from_passive);
}

TEST(ParseConfig, CommandPorts) {
  auto c = ParseConfig(
      "ControllerHosts=ctl1(127.0.0.1:7001/7101),ctl2([::1]:7002)\nControllerCommandPort=7200\n",
      "cmd.conf");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->controllers[0].port, 7001);
  EXPECT_EQ(c->controllers[0].command_port, 7101);
  EXPECT_EQ(c->controllers[1].host, "::1");
  EXPECT_EQ(c->controllers[1].command_port, 7200) << "the default command port";
  auto none = ParseConfig("ControllerHost=a(h:7001)\n", "x.conf");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->controllers[0].command_port, 0) << "no command port unless configured";

  EXPECT_THAT(Error("ControllerHost=a(h:7001/)\n"), HasSubstr("port must be"));
  EXPECT_THAT(Error("ControllerHost=a(h:7001/70000)\n"), HasSubstr("port must be"));
  EXPECT_THAT(Error("ControllerHost=a(h:7001/7001)\n"),
              HasSubstr("same port for daemons and commands"));
  EXPECT_THAT(Error("ControllerHost=a(h:7001)\nControllerCommandPort=x\n"),
              HasSubstr("port must be"));
  EXPECT_THAT(CtlError("WitnessHost=w(h:7100/7101)\n"), HasSubstr("no command port"));
}

TEST(ParseConfig, ControllerPairErrors) {
  auto three = ParseConfig("ControllerHosts=a,b,c\n", "x.conf");
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.error().message().find("at most two controllers"), std::string::npos);
  auto same = ParseConfig("ControllerHosts=a,b\nWitnessHost=b\n", "x.conf");
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message().find("also a ControllerHost"), std::string::npos);
  auto empty = ParseConfig("ControllerHosts=a,,b\n", "x.conf");
  EXPECT_FALSE(empty.ok());
  auto rfp = ParseConfig("ControllerHost=a\nReadFromPassive=maybe\n", "x.conf");
  EXPECT_FALSE(rfp.ok());
}

TEST(Config, UnsupportedOptions) {
  auto def = ParseConfig("ControllerHost=a\n", "x.conf");
  ASSERT_TRUE(def.ok()) << def.error().message();
  EXPECT_FALSE(def->unsupported_options_error);  // warn
  auto err = ParseConfig("ControllerHost=a\nUnsupportedOptions=Error\n", "x.conf");
  ASSERT_TRUE(err.ok()) << err.error().message();
  EXPECT_TRUE(err->unsupported_options_error);
  auto bad = ParseConfig("ControllerHost=a\nUnsupportedOptions=ignore\n", "x.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("must be warn or error"), std::string::npos);
}

TEST(Config, DependencyParameters) {
  auto none = ParseConfig("ControllerHost=a\n", "x.conf");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->kill_invalid_depend);
  auto kill = ParseConfig("ControllerHost=a\nDependencyParameters=Kill_Invalid_Depend\n", "x.conf");
  ASSERT_TRUE(kill.ok()) << kill.error().message();
  EXPECT_TRUE(kill->kill_invalid_depend);
  auto bad = ParseConfig("ControllerHost=a\nDependencyParameters=max_depend_depth=3\n", "x.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("kill_invalid_depend only"), std::string::npos);
}

TEST(Config, PrivateData) {
  auto jobs = ParseConfig("ControllerHost=a\nPrivateData=Jobs,usage\n", "x.conf");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message();
  EXPECT_EQ(jobs->private_data, "jobs,usage");
  auto bad = ParseConfig("ControllerHost=a\nPrivateData=jobs,secrets\n", "x.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("unknown PrivateData word 'secrets'"), std::string::npos);
}

TEST(ParseConfig, CgroupKeys) {
  ClusterConfig c = Parse(std::string(kCtl) +
                          "CgroupPlugin=cgroup/V1 ConstrainCores=yes ConstrainRAMSpace=YES\n"
                          "ConstrainSwapSpace=no ConstrainDevices=yes AllowedRAMSpace=98.5 "
                          "AllowedSwapSpace=10\n");
  EXPECT_EQ(c.cgroup.plugin, "cgroup/v1");
  EXPECT_TRUE(c.cgroup.constrain_cores);
  EXPECT_TRUE(c.cgroup.constrain_ram);
  EXPECT_FALSE(c.cgroup.constrain_swap);
  EXPECT_TRUE(c.cgroup.constrain_devices);
  EXPECT_DOUBLE_EQ(c.cgroup.allowed_ram_percent, 98.5);
  EXPECT_DOUBLE_EQ(c.cgroup.allowed_swap_percent, 10);
  EXPECT_EQ(c.raw.at("AllowedRAMSpace"), "98.5");
  // Off unless asked, as in Slurm.
  ClusterConfig d = Parse(kCtl);
  EXPECT_EQ(d.cgroup.plugin, "autodetect");
  EXPECT_FALSE(d.cgroup.any());
  EXPECT_DOUBLE_EQ(d.cgroup.allowed_ram_percent, 100);
}

TEST(ParseConfig, NodeProgramKeys) {
  ClusterConfig c = Parse(std::string(kCtl) +
                          "Prolog=/etc/herd/prolog.sh Epilog=/etc/herd/epilog.sh "
                          "PrologEpilogTimeout=30\nHealthCheckProgram=/usr/sbin/nhc "
                          "HealthCheckInterval=300 HealthCheckNodeState=idle\n"
                          "TaskProlog=/etc/herd/task_prolog TaskEpilog=/etc/herd/task_epilog\n");
  EXPECT_EQ(c.hooks.prolog, "/etc/herd/prolog.sh");
  EXPECT_EQ(c.hooks.task_prolog, "/etc/herd/task_prolog");
  EXPECT_EQ(c.hooks.task_epilog, "/etc/herd/task_epilog");
  EXPECT_EQ(CtlError("TaskEpilog=bin/te\n"),
            "t.conf:2: TaskEpilog: must be an absolute path, got 'bin/te'");
  EXPECT_EQ(c.hooks.epilog, "/etc/herd/epilog.sh");
  EXPECT_EQ(c.hooks.prolog_epilog_timeout_s, 30u);
  EXPECT_EQ(c.hooks.health_check_program, "/usr/sbin/nhc");
  EXPECT_EQ(c.hooks.health_check_interval_s, 300u);
  EXPECT_TRUE(c.hooks.health_check_idle_only);
  EXPECT_FALSE(c.hooks.health_check_busy_only);
  EXPECT_TRUE(
      Parse(std::string(kCtl) + "HealthCheckNodeState=MIXED,ALLOC\n").hooks.health_check_busy_only);
  EXPECT_EQ(CtlError("Prolog=prolog.sh\n"),
            "t.conf:2: Prolog: must be an absolute path, got 'prolog.sh'");
  // Prolog and Epilog may name a pattern of programs, the others not.
  EXPECT_EQ(Parse(std::string(kCtl) + "Epilog=/etc/herd/epilog.d/*\n").hooks.epilog,
            "/etc/herd/epilog.d/*");
  EXPECT_EQ(Parse(std::string(kCtl) + "Prolog=/etc/herd/p[0-9]\n").hooks.prolog,
            "/etc/herd/p[0-9]");
  EXPECT_EQ(CtlError("TaskProlog=/etc/herd/tp.d/*\n"),
            "t.conf:2: TaskProlog: only Prolog and Epilog take a pattern of programs, got "
            "'/etc/herd/tp.d/*'");
  EXPECT_THAT(CtlError("HealthCheckNodeState=CYCLE\n"),
              StartsWith("t.conf:2: HealthCheckNodeState: must be ANY, IDLE, ALLOC or MIXED"));
  EXPECT_THAT(CtlError("HealthCheckInterval=-1\n"), StartsWith("t.conf:2: HealthCheckInterval: "));
}

TEST(ParseConfig, ControllerProgramKeys) {
  ClusterConfig d = Parse(kCtl);
  EXPECT_TRUE(d.hooks.prolog_slurmctld.empty());
  EXPECT_TRUE(d.hooks.epilog_slurmctld.empty());
  ClusterConfig c = Parse(std::string(kCtl) +
                          "PrologSlurmctld=/etc/herd/pctld EpilogSlurmctld=/etc/herd/ectld\n");
  EXPECT_EQ(c.hooks.prolog_slurmctld, "/etc/herd/pctld");
  EXPECT_EQ(c.hooks.epilog_slurmctld, "/etc/herd/ectld");
  EXPECT_EQ(CtlError("PrologSlurmctld=pctld\n"),
            "t.conf:2: PrologSlurmctld: must be an absolute path, got 'pctld'");
  EXPECT_EQ(CtlError("EpilogSlurmctld=/etc/herd/e.d/*\n"),
            "t.conf:2: EpilogSlurmctld: only Prolog and Epilog take a pattern of programs, got "
            "'/etc/herd/e.d/*'");
}

TEST(ParseConfig, JobSubmitKeys) {
  ClusterConfig d = Parse(kCtl);
  EXPECT_FALSE(d.hooks.job_submit_lua);
  d.source_path = "/etc/herd/herd.conf";
  EXPECT_EQ(JobSubmitScriptPath(d), "/etc/herd/job_submit.lua");  // beside herd.conf
  ClusterConfig c =
      Parse(std::string(kCtl) + "JobSubmitPlugins=lua JobSubmitScript=/srv/site/submit.lua\n");
  EXPECT_TRUE(c.hooks.job_submit_lua);
  EXPECT_EQ(JobSubmitScriptPath(c), "/srv/site/submit.lua");
  EXPECT_TRUE(Parse(std::string(kCtl) + "JobSubmitPlugins=job_submit/lua\n").hooks.job_submit_lua);
  EXPECT_EQ(CtlError("JobSubmitPlugins=lua,all_partitions\n"),
            "t.conf:2: JobSubmitPlugins: herd has one job_submit plugin, lua; got "
            "'all_partitions'");
  EXPECT_THAT(CtlError("JobSubmitScript=submit.lua\n"),
              StartsWith("t.conf:2: JobSubmitScript: must be an absolute path"));
}

TEST(ConfigErrors, CgroupKeys) {
  EXPECT_EQ(CtlError("CgroupPlugin=cgroup/v3\n"),
            "t.conf:2: CgroupPlugin: must be autodetect, cgroup/v1 or cgroup/v2, got 'cgroup/v3'");
  EXPECT_EQ(CtlError("ConstrainCores=1\n"), "t.conf:2: ConstrainCores: must be YES or NO, got '1'");
  EXPECT_EQ(CtlError("AllowedRAMSpace=-5\n"),
            "t.conf:2: AllowedRAMSpace: must be a percentage from 0 to 1000, got '-5'");
  EXPECT_THAT(CtlError("AllowedSwapSpace=5%\n"), StartsWith("t.conf:2: AllowedSwapSpace: "));
  EXPECT_THAT(CtlError("AllowedRAMSpace=nan\n"), StartsWith("t.conf:2: AllowedRAMSpace: "));
  EXPECT_EQ(CtlError("NodeName=n1 ConstrainCores=yes\n"),
            "t.conf:2: ConstrainCores: unknown key on a NodeName line");
}

}  // namespace
}  // namespace herd
