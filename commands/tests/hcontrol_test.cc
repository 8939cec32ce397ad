// herd hcontrol — tests of command parsing and scontrol-style records.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "commands/hcontrol/hcontrol_format.h"
#include "commands/hcontrol/hcontrol_options.h"
#include "commands/lib/cli.h"

namespace herd::hcontrol {
namespace {

std::string ErrorOf(const std::vector<std::string>& args) {
  auto c = ParseHcontrolArgs(args);
  return c.ok() ? "" : c.error().message();
}

TEST(HcontrolArgs, Show) {
  auto c = ParseHcontrolArgs({"show", "job", "5"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, Verb::kShow);
  EXPECT_EQ(c->entity, Entity::kJob);
  EXPECT_EQ(c->job_id, 5u);
  EXPECT_EQ(ParseHcontrolArgs({"SHOW", "Nodes"})->entity, Entity::kNode);
  EXPECT_EQ(ParseHcontrolArgs({"show", "partition", "debug"})->name, "debug");
  EXPECT_EQ(ParseHcontrolArgs({"show", "PartitionName=debug"})->name, "debug");
  EXPECT_EQ(ParseHcontrolArgs({"show", "jobid=7"})->job_id, 7u);
  EXPECT_EQ(ParseHcontrolArgs({"show", "config"})->entity, Entity::kConfig);
  EXPECT_TRUE(ParseHcontrolArgs({"-o", "show", "job"})->oneliner);
  EXPECT_EQ(ErrorOf({"show", "job", "abc"}), "Invalid job id specified");
  EXPECT_EQ(ErrorOf({"show", "widgets"}), "invalid entity: widgets for keyword: show");
  EXPECT_NE(ErrorOf({"show"}), "");
  EXPECT_NE(ErrorOf({"show", "job", "1", "2"}), "");
  EXPECT_EQ(ErrorOf({"frobnicate"}), "invalid keyword: frobnicate");
}

TEST(HcontrolArgs, UpdateNode) {
  auto c = ParseHcontrolArgs({"update", "NodeName=n[1-2]", "State=drain", "Reason=disk dead"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->verb, Verb::kUpdateNode);
  EXPECT_EQ(c->node_update.names, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(c->node_update.state, "DRAIN");
  EXPECT_EQ(c->node_update.reason, "disk dead");
  auto r = ParseHcontrolArgs({"update", "node=n1", "state=RESUME"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->node_update.state, "RESUME");
  const std::string denied =
      "You must specify a reason when DOWNING or DRAINING a node. Request denied";
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1", "State=DRAIN"}), denied);
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1", "State=down", "Reason="}), denied);
  EXPECT_NE(ErrorOf({"update", "NodeName=n1", "State=sleepy"}), "");
  EXPECT_NE(ErrorOf({"update", "NodeName=n[1-", "State=IDLE"}), "");
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1", "State=FAIL"}), denied);
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1", "Owner=3"}),
            "Update of this parameter is not supported: Owner=3");
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1"}), "No changes specified");
  // The node's values go to the controller, which checks them against the node.
  auto v = ParseHcontrolArgs(
      {"update", "NodeName=n1", "Weight=3", "Features=ib,big", "ActiveFeatures=ib", "Gres=gpu:1"});
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_EQ(v->node_update.keys,
            (std::vector<std::string>{"Weight", "Features", "ActiveFeatures", "Gres"}));
  EXPECT_EQ(v->node_update.values, (std::vector<std::string>{"3", "ib,big", "ib", "gpu:1"}));
  auto f = ParseHcontrolArgs({"update", "NodeName=n1", "State=fail", "Reason=flaky"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->node_update.state, "FAIL");
  EXPECT_EQ(ErrorOf({"update", "NodeName=n1", "junk"}), "Invalid input: junk");
  EXPECT_NE(ErrorOf({"update", "State=IDLE"}), "");
  EXPECT_NE(ErrorOf({"update"}), "");
}

TEST(HcontrolArgs, UpdatePartition) {
  auto c = ParseHcontrolArgs({"update", "PartitionName=debug", "State=inactive"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->verb, Verb::kUpdatePartition);
  EXPECT_EQ(c->partition_update.name, "debug");
  EXPECT_EQ(c->partition_update.state, "INACTIVE");
  EXPECT_NE(ErrorOf({"update", "PartitionName=debug", "State=open"}), "");
  EXPECT_NE(ErrorOf({"update", "PartitionName=debug"}), "");
}

TEST(HcontrolArgs, HoldReleasePingAndUsage) {
  auto h = ParseHcontrolArgs({"hold", "1,2", "3"});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->verb, Verb::kHold);
  EXPECT_EQ(h->job_ids, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(ParseHcontrolArgs({"release", "4"})->verb, Verb::kRelease);
  EXPECT_NE(ErrorOf({"hold"}), "");
  EXPECT_NE(ErrorOf({"release", "x"}), "");
  EXPECT_EQ(ParseHcontrolArgs({"ping"})->verb, Verb::kPing);
  EXPECT_TRUE(ParseHcontrolArgs({"-h"})->help);
  EXPECT_TRUE(ParseHcontrolArgs({"--version"})->version);
  auto none = ParseHcontrolArgs({});
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(cli::IsUsageError(none.error()));
  auto bad = ParseHcontrolArgs({"--bogus", "ping"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "unrecognized option '--bogus'");
}

TEST(HcontrolFormat, Record) {
  EXPECT_EQ(RenderRecord({{"A=1", "B=2"}, {"C=3"}}, false), "A=1 B=2\n   C=3\n\n");
  EXPECT_EQ(RenderRecord({{"A=1", "B=2"}, {"C=3"}}, true), "A=1 B=2 C=3\n");
}

TEST(HcontrolFormat, Job) {
  setenv("TZ", "UTC", 1);
  tzset();
  proto::JobInfo j;
  j.job_id = 5;
  j.name = "x";
  j.user = "root";
  j.state = proto::JobState::kCompleted;
  j.submit_time = 1795681800;
  j.start_time = 1795681800;
  j.end_time = 1795681865;
  j.time_limit_s = -1;
  j.partition = "debug";
  j.nodelist = "n1";
  j.batch_host = "n1";
  j.num_nodes = 1;
  j.num_cpus = 2;
  j.num_tasks = 1;
  j.exit_code = 3;
  j.work_dir = "/w";
  j.stdout_path = "/w/herd-5.out";
  const std::string s = FormatJob(j, 1795690000, false);
  EXPECT_EQ(s.substr(0, 20), "JobId=5 JobName=x\n  ");
  EXPECT_NE(s.find("   UserId=root(0) GroupId="), std::string::npos);
  EXPECT_NE(s.find("JobState=COMPLETED Reason=None"), std::string::npos);
  EXPECT_NE(s.find("RunTime=00:01:05 TimeLimit=UNLIMITED"), std::string::npos);
  EXPECT_NE(s.find("SubmitTime=2026-11-26T08:30:00"), std::string::npos);
  EXPECT_NE(s.find("EndTime=2026-11-26T08:31:05"), std::string::npos);
  EXPECT_NE(s.find("NodeList=n1\n   BatchHost=n1"), std::string::npos);
  EXPECT_NE(s.find("NumNodes=1 NumCPUs=2 NumTasks=1 CPUs/Task=1"), std::string::npos);
  EXPECT_NE(s.find("ExitCode=3:0"), std::string::npos);
  EXPECT_NE(s.find("StdOut=/w/herd-5.out"), std::string::npos);
  EXPECT_NE(s.find("StdErr=(null)"), std::string::npos);
  // Slurm 22.05 ends a record with Power= and an empty field line.
  EXPECT_EQ(s.substr(s.size() - 16), "\n   Power=\n   \n\n");

  proto::JobInfo p;
  p.job_id = 6;
  p.state = proto::JobState::kPending;
  p.reason = "Priority";
  const std::string ps = FormatJob(p, 0, true);
  EXPECT_NE(ps.find("StartTime=Unknown EndTime=Unknown"), std::string::npos);
  EXPECT_NE(ps.find(" NodeList= NumNodes=0 "), std::string::npos) << ps;
  EXPECT_EQ(ps.find("BatchHost"), std::string::npos);
  EXPECT_EQ(ps.find('\n'), ps.size() - 1);
  EXPECT_EQ(ps.substr(ps.size() - 9), " Power= \n");
  EXPECT_NE(ps.find(" Account=(null) QOS=(null) "), std::string::npos) << ps;
  p.account = "chem";
  p.qos = "low";
  EXPECT_NE(FormatJob(p, 0, true).find(" Account=chem QOS=low "), std::string::npos);

  // A pending job with a reservation: its expected start and end, and the nodes.
  p.reason = "Resources";
  p.start_time = 1795681800;
  p.time_limit_s = 300;
  p.sched_nodes = "n[1-2]";
  const std::string rs = FormatJob(p, 0, false);
  EXPECT_NE(rs.find("StartTime=2026-11-26T08:30:00 EndTime=2026-11-26T08:35:00"), std::string::npos)
      << rs;
  EXPECT_NE(rs.find("   NodeList= SchedNodeList=n[1-2]\n"), std::string::npos) << rs;
}

// What the job asked for, and -d's per-node lines, as scontrol 22.05 prints them (compared
// with the anchor's for sbatch -N 2 -n 4 --mem 100 -x n3 --ntasks-per-node=2 --nice=5
// --no-requeue --exclusive -C fast).
TEST(HcontrolFormat, JobRequestFields) {
  proto::JobInfo p;
  p.job_id = 7;
  p.state = proto::JobState::kPending;
  p.num_nodes = 2;
  p.max_nodes = 2;
  p.num_cpus = 4;
  p.num_tasks = 4;
  p.mem_mb = 100;
  p.nice = 5;
  p.requeue = false;
  p.exclusive = true;
  p.ntasks_per_node = 2;
  p.exc_nodes = "n3";
  p.features = "fast";
  const std::string s = FormatJob(p, 0, false, 0);
  EXPECT_NE(s.find("   UserId=0(0) GroupId="), std::string::npos) << s;
  EXPECT_NE(s.find(") MCS_label=N/A\n   Priority=0 Nice=5 Account=(null)"), std::string::npos) << s;
  EXPECT_NE(s.find("   Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0\n"),
            std::string::npos);
  EXPECT_NE(s.find(" TimeLimit=UNLIMITED TimeMin=N/A\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\n   AccrueTime=Unknown\n   StartTime=Unknown EndTime=Unknown Deadline=N/A\n"
                   "   SuspendTime=None SecsPreSuspend=0\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("   ReqNodeList=(null) ExcNodeList=n3\n   NodeList=\n"), std::string::npos);
  EXPECT_NE(s.find("   NumNodes=2-2 NumCPUs=4 NumTasks=4 CPUs/Task=1 ReqB:S:C:T=0:0:*:*\n"
                   "   TRES=cpu=4,mem=200M,node=2,billing=4\n"
                   "   Socks/Node=* NtasksPerN:B:S:C=2:0:*:* CoreSpec=*\n"
                   "   MinCPUsNode=2 MinMemoryNode=100M MinTmpDiskNode=0\n"
                   "   Features=fast DelayBoot=00:00:00\n"
                   "   OverSubscribe=NO Contiguous=0 Licenses=(null) Network=(null)\n"),
            std::string::npos)
      << s;

  // Running, with -d: each node's cores and memory; an allocation has no files.
  proto::JobInfo r = p;
  r.state = proto::JobState::kRunning;
  r.batch = false;
  r.mem_per_cpu_mb = 50;
  r.nodelist = "n[1-2]";
  r.batch_host = "n1";
  r.alloc = {{"n1", {0, 1, 3}, 150, 2}, {"n2", {2}, 50, 2}};
  const std::string d = FormatJob(r, 0, false, 1);
  EXPECT_NE(d.find("   NumNodes=2 NumCPUs=4"), std::string::npos) << d;
  EXPECT_NE(d.find("BatchFlag=0"), std::string::npos);
  EXPECT_NE(d.find("   TRES=cpu=4,mem=200M,node=2,billing=4\n"), std::string::npos) << d;
  EXPECT_NE(d.find("CoreSpec=*\n   JOB_GRES=(null)\n"
                   "     Nodes=n1 CPU_IDs=0-1,3 Mem=150 GRES=\n"
                   "     Nodes=n2 CPU_IDs=2 Mem=50 GRES=\n"
                   "   MinCPUsNode=2 MinMemoryCPU=50M MinTmpDiskNode=0\n"),
            std::string::npos)
      << d;
  EXPECT_EQ(d.find("StdOut="), std::string::npos);
  EXPECT_NE(d.find("   WorkDir=(null)\n   Power=\n"), std::string::npos) << d;
}

// A job array as scontrol 22.05 shows it: the pending rest with its ids and throttle, a
// task with its id and the array's throttle.
TEST(HcontrolFormat, ArrayJob) {
  proto::JobInfo rest;
  rest.job_id = 11;
  rest.name = "wrap";
  rest.array_job_id = 11;
  rest.array_pending = "2-5";
  rest.array_throttle = 2;
  EXPECT_EQ(FormatJob(rest, 0, true).substr(0, 81),
            "JobId=11 ArrayJobId=11 ArrayTaskId=2-5%2 ArrayTaskThrottle=2 JobName=wrap UserId=");
  proto::JobInfo task = rest;
  task.job_id = 13;
  task.array_task_id = 1;
  EXPECT_EQ(FormatJob(task, 0, true).substr(0, 75),
            "JobId=13 ArrayJobId=11 ArrayTaskId=1 ArrayTaskThrottle=2 JobName=wrap UserI");
  task.array_throttle = 0;
  EXPECT_EQ(FormatJob(task, 0, true).substr(0, 51),
            "JobId=13 ArrayJobId=11 ArrayTaskId=1 JobName=wrap U");
}

TEST(HcontrolFormat, NodePartitionConfigPing) {
  proto::NodeInfo n;
  n.name = "n1";
  n.state = proto::NodeState::kIdle;
  n.drain = true;
  n.responding = false;
  n.reason = "maint";
  EXPECT_EQ(NodeStateFull(n), "IDLE+DRAIN+NOT_RESPONDING");
  const std::string ns = FormatNode(n, false);
  EXPECT_EQ(ns.substr(0, 12), "NodeName=n1 ");
  EXPECT_NE(ns.find("State=IDLE+DRAIN+NOT_RESPONDING"), std::string::npos);
  EXPECT_NE(ns.find("Reason=maint"), std::string::npos);
  // As scontrol show node prints them (Slurm 22.05).
  n.drain = false;
  n.responding = true;
  n.fail = true;
  n.weight = 5;
  n.features = {"ib", "eth"};
  n.active_features = {"ib"};
  n.gres = "gpu:2";
  EXPECT_EQ(NodeStateFull(n), "IDLE+FAIL");
  const std::string vs = FormatNode(n, false);
  for (const char* want : {"\n   AvailableFeatures=ib,eth\n   ActiveFeatures=ib\n   Gres=gpu:2\n",
                           "State=IDLE+FAIL ThreadsPerCore=0 Weight=5"}) {
    EXPECT_NE(vs.find(want), std::string::npos) << want << " in\n" << vs;
  }

  proto::PartitionInfo p;
  p.name = "debug";
  p.is_default = true;
  p.state = "UP";
  p.max_time_s = 3600;
  p.nodes = {"n1", "n2"};
  p.total_cpus = 8;
  const std::string s = FormatPartition(p, 4000, false);
  EXPECT_NE(s.find("PartitionName=debug\n"), std::string::npos);
  EXPECT_NE(s.find("   AllocNodes=ALL Default=YES QoS=N/A\n"), std::string::npos);
  EXPECT_NE(s.find("MaxNodes=UNLIMITED MaxTime=01:00:00 MinNodes=0 LLN=NO"), std::string::npos);
  EXPECT_NE(s.find("Nodes=n[1-2]"), std::string::npos);
  EXPECT_NE(s.find("State=UP TotalCPUs=8 TotalNodes=2 SelectTypeParameters=NONE\n"),
            std::string::npos);
  EXPECT_NE(s.find("   TRES=cpu=8,mem=4000M,node=2,billing=8\n\n"), std::string::npos);
  const std::string one = FormatPartition(p, 0, true);
  EXPECT_EQ(one.find('\n'), one.size() - 1);
  EXPECT_NE(one.find(" TRES=cpu=8,node=2,billing=8\n"), std::string::npos);
  EXPECT_EQ(TresMemory(8000), "8000M");
  EXPECT_EQ(TresMemory(16384), "16G");
  EXPECT_EQ(TresMemory(3 * 1024 * 1024), "3T");

  EXPECT_EQ(FormatConfig({"MinJobAge = 300"}, 0),
            "Configuration data as of Unknown\nMinJobAge = 300\n");
}

TEST(Hcontrol, OptionsAnywhereAndDetails) {
  auto c = ParseHcontrolArgs({"show", "jobid", "-dd", "7"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->entity, Entity::kJob);
  EXPECT_EQ(c->job_id, 7u);
  EXPECT_EQ(c->details, 2);
  c = ParseHcontrolArgs({"show", "-o", "job", "7"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->oneliner);
  c = ParseHcontrolArgs({"show", "partition", "-o"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->entity, Entity::kPartition);
  EXPECT_TRUE(c->oneliner);
  EXPECT_EQ(c->details, 0);

  proto::JobInfo j;
  j.job_id = 7;
  j.exit_code = 3;
  const std::string plain = FormatJob(j, 0, false);
  EXPECT_EQ(plain.find("DerivedExitCode="), std::string::npos);
  const std::string detailed = FormatJob(j, 0, false, 2);
  EXPECT_NE(detailed.find("ExitCode=3:0\n   DerivedExitCode=3:0\n"), std::string::npos) << detailed;
}

TEST(Hcontrol, TakeoverAndFromPassive) {
  auto t = ParseHcontrolArgs({"takeover"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->verb, Verb::kTakeover);
  EXPECT_EQ(t->takeover_to, "");
  t = ParseHcontrolArgs({"TAKEOVER", "ctl2"});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->takeover_to, "ctl2");
  EXPECT_FALSE(ParseHcontrolArgs({"takeover", "a", "b"}).ok());
  auto show = ParseHcontrolArgs({"--from-passive", "show", "nodes"});
  ASSERT_TRUE(show.ok());
  EXPECT_TRUE(show->from_passive);
  EXPECT_FALSE(ParseHcontrolArgs({"show", "nodes"})->from_passive);
}

}  // namespace
}  // namespace herd::hcontrol

namespace herd::hcontrol {
namespace {

TEST(HcontrolArgs, ShowHostnamesAndHostlistNeedNoController) {
  auto c = ParseHcontrolArgs({"show", "hostnames", "n[1-2]"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->entity, Entity::kHostnames);
  EXPECT_EQ(c->name, "n[1-2]");
  c = ParseHcontrolArgs({"show", "hostlist", "a1,a2"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entity, Entity::kHostlist);
  c = ParseHcontrolArgs({"show", "hostlistsorted", "a2,a1"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entity, Entity::kHostlistSorted);
}

}  // namespace
}  // namespace herd::hcontrol
