// herd halloc — tests of option parsing, the allocation's JobSpec and the command's
// environment; also the shared environment-list helpers.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "commands/halloc/halloc_env.h"
#include "commands/halloc/halloc_options.h"
#include "commands/halloc/halloc_run.h"
#include "commands/lib/allocation.h"
#include "commands/lib/cli.h"
#include "commands/lib/env_list.h"

namespace herd::halloc {
namespace {

TEST(HallocOptions, AllocationAndCommand) {
  auto o = ParseHallocCommandLine({"-N",   "2",           "--ntasks-per-node=2",
                                   "-p",   "debug",       "-A",
                                   "proj", "--qos=high",  "-t",
                                   "10",   "-J",          "int",
                                   "-w",   "n[1-2]",      "-x",
                                   "n3",   "--exclusive", "--mem-per-cpu=100",
                                   "-C",   "a&b",         "-D",
                                   "/tmp", "-Q",          "mpirun",
                                   "-np",  "4",           "./a.out"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->command, (std::vector<std::string>{"mpirun", "-np", "4", "./a.out"}));
  EXPECT_TRUE(o->quiet);
  EXPECT_EQ(*o->chdir, "/tmp");
  o->alloc.submit_line = "halloc -A proj mpirun";
  const proto::JobSpec s =
      cli::BuildAllocationSpec(o->alloc, "mpirun", o->command, {"A=1"}, "/w", "/tmp");
  EXPECT_TRUE(s.interactive);
  EXPECT_EQ(s.name, "int");
  EXPECT_EQ(s.min_nodes, 2u);
  EXPECT_EQ(s.ntasks_per_node, 2u);
  EXPECT_EQ(s.partition, "debug");
  EXPECT_EQ(s.account, "proj");
  EXPECT_EQ(s.qos, "high");
  EXPECT_EQ(s.submit_line, "halloc -A proj mpirun");
  EXPECT_EQ(s.time_limit_s, 600);
  EXPECT_EQ(s.nodelist, "n[1-2]");
  EXPECT_EQ(s.exclude, "n3");
  EXPECT_TRUE(s.exclusive);
  EXPECT_EQ(s.mem_per_cpu_mb, 100u);
  EXPECT_EQ(s.constraints, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.submit_dir, "/w");
  EXPECT_EQ(s.work_dir, "/tmp");
  EXPECT_EQ(s.env, (std::vector<std::string>{"A=1"}));
  EXPECT_FALSE(s.requeue);
  EXPECT_EQ(s.script, "");
}

TEST(HallocOptions, DefaultCommandAndErrors) {
  auto o = ParseHallocCommandLine({"-n", "1"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(CommandToRun(*o, {"SHELL=/bin/bash"}), (std::vector<std::string>{"/bin/bash"}));
  EXPECT_EQ(CommandToRun(*o, {}), (std::vector<std::string>{"/bin/sh"}));
  EXPECT_FALSE(ParseHallocCommandLine({"--mem=1", "--mem-per-cpu=1"}).ok());
  EXPECT_FALSE(ParseHallocCommandLine({"-N", "x"}).ok());
  EXPECT_FALSE(ParseHallocCommandLine({"-w", "n[1-"}).ok());
  auto bad = ParseHallocCommandLine({"--label"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(cli::IsUsageError(bad.error()));
  EXPECT_TRUE(ParseHallocCommandLine({"-h"})->help);
}

TEST(HallocEnv, JobVariablesUnderBothPrefixes) {
  proto::JobInfo job;
  job.job_id = 42;
  job.name = "int";
  job.partition = "debug";
  job.cpus_per_task = 1;
  job.alloc.resize(3);
  for (int i = 0; i < 3; ++i) job.alloc[i].node = "n" + std::to_string(i + 1);
  job.alloc[0].cpus = {0, 1, 2, 3};
  job.alloc[1].cpus = {0, 1, 2, 3};
  job.alloc[2].cpus = {0, 1};
  job.alloc[0].tasks = 2;
  job.alloc[1].tasks = 2;
  job.alloc[2].tasks = 1;
  AllocEnvContext ctx{"herd", "/etc/herd/herd.conf", "login1", "/home/u"};
  const auto env = BuildAllocationEnv({"PATH=/bin", "SLURM_JOB_ID=7"}, job, ctx);
  auto get = [&env](const std::string& name) { return cli::LookupEnv(env, name).value_or("?"); };
  EXPECT_EQ(get("PATH"), "/bin");
  EXPECT_EQ(get("SLURM_JOB_ID"), "42");  // a stale value is replaced
  EXPECT_EQ(get("HERD_JOB_ID"), "42");
  EXPECT_EQ(get("SLURM_JOBID"), "42");
  EXPECT_EQ(get("HERD_JOB_NODELIST"), "n[1-3]");
  EXPECT_EQ(get("SLURM_NODELIST"), "n[1-3]");
  EXPECT_EQ(get("SLURM_JOB_NUM_NODES"), "3");
  EXPECT_EQ(get("HERD_NNODES"), "3");
  EXPECT_EQ(get("SLURM_NTASKS"), "5");
  EXPECT_EQ(get("SLURM_JOB_CPUS_PER_NODE"), "4(x2),2");
  EXPECT_EQ(get("SLURM_TASKS_PER_NODE"), "2(x2),1");
  EXPECT_EQ(get("SLURM_CPUS_PER_TASK"), "1");
  EXPECT_EQ(get("HERD_CLUSTER_NAME"), "herd");
  EXPECT_EQ(get("SLURM_JOB_PARTITION"), "debug");
  EXPECT_EQ(get("HERD_CONF"), "/etc/herd/herd.conf");
  EXPECT_EQ(get("SLURM_SUBMIT_HOST"), "login1");
  EXPECT_FALSE(cli::LookupEnv(env, "SLURM_CONF").has_value());
  // SLURM_JOB_ID appears once, where it was.
  EXPECT_EQ(env[1], "SLURM_JOB_ID=42");
}

TEST(HallocEnv, TasksSpreadWhenNotPlaced) {
  proto::JobInfo job;
  job.job_id = 1;
  job.num_tasks = 5;
  job.alloc.resize(2);
  job.alloc[0].node = "a";
  job.alloc[1].node = "b";
  const auto env = BuildAllocationEnv({}, job, AllocEnvContext{});
  EXPECT_EQ(cli::LookupEnv(env, "SLURM_TASKS_PER_NODE").value_or(""), "3,2");
  EXPECT_EQ(cli::LookupEnv(env, "SLURM_NODELIST").value_or(""), "a,b");
}

TEST(HallocRun, ExitCodes) {
  EXPECT_EQ(ExitCodeOfStatus(0), 0);
  EXPECT_EQ(ExitCodeOfStatus(3 << 8), 3);
  EXPECT_EQ(ExitCodeOfStatus(SIGINT), 128 + SIGINT);
}

TEST(EnvList, LookupAndSet) {
  std::vector<std::string> env = {"A=1", "B=2", "A=3", "AB=4"};
  EXPECT_EQ(*cli::LookupEnv(env, "A"), "3");
  EXPECT_FALSE(cli::LookupEnv(env, "C").has_value());
  cli::SetEnv(&env, "A", "x=y");
  EXPECT_EQ(env, (std::vector<std::string>{"A=x=y", "B=2", "AB=4"}));
  cli::SetEnv(&env, "C", "");
  EXPECT_EQ(env.back(), "C=");
}

TEST(Allocation, InfoFromSubmitReply) {
  proto::SubmitJobReply r;
  r.job_id = 8;
  r.state = proto::JobState::kRunning;
  r.alloc.resize(2);
  r.alloc[0].node = "n1";
  r.alloc[0].cpus = {0, 1};
  r.alloc[1].node = "n2";
  r.alloc[1].cpus = {0};
  proto::JobSpec spec;
  spec.name = "x";
  spec.num_tasks = 3;
  const proto::JobInfo info = cli::InfoFromSubmitReply(r, spec);
  EXPECT_EQ(info.job_id, 8u);
  EXPECT_EQ(info.nodelist, "n[1-2]");
  EXPECT_EQ(info.num_nodes, 2u);
  EXPECT_EQ(info.num_cpus, 3u);
  EXPECT_EQ(info.num_tasks, 3u);
}

}  // namespace
}  // namespace herd::halloc
