// herd — tests of the environment of a step's tasks.
#include "nodedaemon/stepd/step_env.h"

#include <gtest/gtest.h>

namespace herd::noded {
namespace {

proto::LaunchStepRequest TwoNodeStep() {
  proto::LaunchStepRequest r;
  r.job_id = 77;
  r.run_seq = 1;
  r.step_id = 4;
  r.uid = 1001;
  r.gid = 1002;
  r.user = "alice";
  r.partition = "batch";
  r.job_name = "sim";
  r.job_nodelist = "n[1-3]";
  r.job_alloc = {{"n1", {0, 1, 2, 3}, 0, 2}, {"n2", {0, 1, 2, 3}, 0, 2}, {"n3", {0, 1}, 0, 1}};
  r.num_tasks = 3;
  r.spec.cpus_per_task = 2;
  r.spec.cwd = "/home/alice/run";
  r.spec.env = {"FOO=bar", "HERD_STEP_ID=999", "PATH=/opt/bin", "SLURM_PROCID=55"};
  r.layout = {{"n1", {0, 2}, {0, 1, 2, 3}, 0}, {"n2", {1}, {2, 3}, 0}};
  return r;
}

JobEnvContext Ctx(const std::string& node) {
  return {node,    "host1",       "mycluster", "/etc/herd/herd.conf",
          "alice", "/home/alice", "/bin/bash", ""};
}

std::string Get(const std::vector<std::string>& env, const std::string& name) {
  std::string v;
  if (!FindEnv(env, name, &v)) return "<unset>";
  return v;
}

TEST(StepEnvTest, StepVariablesUnderBothPrefixes) {
  auto env = BuildStepEnv(TwoNodeStep(), Ctx("n2"), 1);
  AddTaskEnv(&env, 1, 0);
  for (const char* prefix : {"HERD_", "SLURM_"}) {
    std::string p = prefix;
    EXPECT_EQ(Get(env, p + "STEP_ID"), "4");
    EXPECT_EQ(Get(env, p + "STEPID"), "4");
    EXPECT_EQ(Get(env, p + "STEP_NUM_TASKS"), "3");
    EXPECT_EQ(Get(env, p + "STEP_NUM_NODES"), "2");
    EXPECT_EQ(Get(env, p + "STEP_NODELIST"), "n[1-2]");
    EXPECT_EQ(Get(env, p + "STEP_TASKS_PER_NODE"), "2,1");
    EXPECT_EQ(Get(env, p + "NTASKS"), "3");
    EXPECT_EQ(Get(env, p + "NPROCS"), "3");
    EXPECT_EQ(Get(env, p + "CPUS_PER_TASK"), "2");
    EXPECT_EQ(Get(env, p + "NODEID"), "1");
    EXPECT_EQ(Get(env, p + "PROCID"), "1");
    EXPECT_EQ(Get(env, p + "LOCALID"), "0");
    EXPECT_EQ(Get(env, p + "CPUS_ON_NODE"), "2");
    // The job's variables, as its batch script has them.
    EXPECT_EQ(Get(env, p + "JOB_ID"), "77");
    EXPECT_EQ(Get(env, p + "JOB_NODELIST"), "n[1-3]");
    EXPECT_EQ(Get(env, p + "JOB_NUM_NODES"), "3");
    EXPECT_EQ(Get(env, p + "JOB_NAME"), "sim");
    EXPECT_EQ(Get(env, p + "JOB_PARTITION"), "batch");
  }
  EXPECT_EQ(Get(env, "SLURMD_NODENAME"), "n2");
  EXPECT_EQ(Get(env, "FOO"), "bar");
  EXPECT_EQ(Get(env, "PATH"), "/opt/bin");
  EXPECT_EQ(Get(env, "HOME"), "/home/alice");
}

TEST(StepEnvTest, OneDefinitionPerNameAndTaskOverrides) {
  auto env = BuildStepEnv(TwoNodeStep(), Ctx("n1"), 0);
  auto task0 = env;
  AddTaskEnv(&task0, 0, 0);
  auto task2 = env;
  AddTaskEnv(&task2, 2, 1);
  EXPECT_EQ(Get(task0, "HERD_PROCID"), "0");
  EXPECT_EQ(Get(task2, "HERD_PROCID"), "2");
  EXPECT_EQ(Get(task2, "SLURM_LOCALID"), "1");
  EXPECT_EQ(Get(task2, "SLURM_NODEID"), "0");
  for (const auto* e : {&task0, &task2}) {
    int procid = 0;
    int step_id = 0;
    for (const std::string& v : *e) {
      procid += v.rfind("SLURM_PROCID=", 0) == 0;
      step_id += v.rfind("HERD_STEP_ID=", 0) == 0;
    }
    EXPECT_EQ(procid, 1);
    EXPECT_EQ(step_id, 1);
  }
}

// As srun: the tasks see hrun's umask; a hrun from before StepSpec version 1 sent none.
TEST(StepEnvTest, UmaskOfTheSubmitter) {
  proto::LaunchStepRequest r = TwoNodeStep();
  r.spec.umask = 027;
  auto env = BuildStepEnv(r, Ctx("n1"), 0);
  EXPECT_EQ(Get(env, "SLURM_UMASK"), "0027");
  EXPECT_EQ(Get(env, "HERD_UMASK"), "0027");
  r.spec.umask = -1;
  env = BuildStepEnv(r, Ctx("n1"), 0);
  EXPECT_EQ(Get(env, "SLURM_UMASK"), "<unset>");
}

TEST(StepEnvTest, SetEnvReplacesInPlace) {
  std::vector<std::string> env = {"A=1", "B=2", "A=3", "C=4"};
  SetEnv(&env, "A", "x");
  EXPECT_EQ(env, (std::vector<std::string>{"A=x", "B=2", "C=4"}));
  SetEnv(&env, "D", "");
  EXPECT_EQ(env.back(), "D=");
  SetEnv(&env, "AB", "y");  // a prefix of nothing
  EXPECT_EQ(env.size(), 5u);
}

}  // namespace
}  // namespace herd::noded
