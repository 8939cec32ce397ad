// herd — tests of the batch job environment.
#include "nodedaemon/stepd/job_env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/base/fs.h"
#include "nodedaemon/hw/fabric.h"

namespace herd::noded {
namespace {

proto::LaunchBatchRequest TwoNodeJob() {
  proto::LaunchBatchRequest r;
  r.job_id = 77;
  r.run_seq = 2;
  r.uid = 1001;
  r.gid = 1002;
  r.user = "alice";
  r.partition = "batch";
  r.nodelist = "n[1-2]";
  r.spec.name = "sim";
  r.spec.cpus_per_task = 2;
  r.spec.mem_per_node_mb = 2048;
  r.spec.submit_dir = "/home/alice/run";
  r.spec.env = {"FOO=bar", "HERD_JOB_ID=999", "PATH=/opt/bin", "BROKEN"};
  r.alloc = {{"n1", {0, 1, 2, 3}, 2048, 2}, {"n2", {4, 5, 6, 7}, 2048, 2}};
  return r;
}

JobEnvContext Ctx() {
  return {"n1",    "host1",       "mycluster", "/etc/herd/herd.conf",
          "alice", "/home/alice", "/bin/bash", ""};
}

std::string Get(const std::vector<std::string>& env, const std::string& name) {
  std::string v;
  if (!FindEnv(env, name, &v)) return "<unset>";
  return v;
}

TEST(JobEnvTest, HerdAndSlurmVariables) {
  auto env = BuildJobEnv(TwoNodeJob(), Ctx());
  for (const char* prefix : {"HERD_", "SLURM_"}) {
    std::string p = prefix;
    EXPECT_EQ(Get(env, p + "JOB_ID"), "77");
    EXPECT_EQ(Get(env, p + "JOBID"), "77");
    EXPECT_EQ(Get(env, p + "JOB_NAME"), "sim");
    EXPECT_EQ(Get(env, p + "JOB_NODELIST"), "n[1-2]");
    EXPECT_EQ(Get(env, p + "NODELIST"), "n[1-2]");
    EXPECT_EQ(Get(env, p + "JOB_NUM_NODES"), "2");
    EXPECT_EQ(Get(env, p + "NNODES"), "2");
    EXPECT_EQ(Get(env, p + "NTASKS"), "4");
    EXPECT_EQ(Get(env, p + "NPROCS"), "4");
    EXPECT_EQ(Get(env, p + "CPUS_ON_NODE"), "4");
    EXPECT_EQ(Get(env, p + "JOB_CPUS_PER_NODE"), "4(x2)");
    EXPECT_EQ(Get(env, p + "TASKS_PER_NODE"), "2(x2)");
    EXPECT_EQ(Get(env, p + "CPUS_PER_TASK"), "2");
    EXPECT_EQ(Get(env, p + "MEM_PER_NODE"), "2048");
    EXPECT_EQ(Get(env, p + "SUBMIT_DIR"), "/home/alice/run");
    EXPECT_EQ(Get(env, p + "SUBMIT_HOST"), "host1");
    EXPECT_EQ(Get(env, p + "JOB_PARTITION"), "batch");
    EXPECT_EQ(Get(env, p + "NODEID"), "0");
    EXPECT_EQ(Get(env, p + "PROCID"), "0");
    EXPECT_EQ(Get(env, p + "LOCALID"), "0");
    EXPECT_EQ(Get(env, p + "JOB_UID"), "1001");
    EXPECT_EQ(Get(env, p + "JOB_USER"), "alice");
    EXPECT_EQ(Get(env, p + "JOB_GID"), "1002");
    EXPECT_EQ(Get(env, p + "CLUSTER_NAME"), "mycluster");
    EXPECT_EQ(Get(env, p + "RESTART_COUNT"), "1");
  }
  EXPECT_EQ(Get(env, "HERD_NODENAME"), "n1");
  EXPECT_EQ(Get(env, "SLURMD_NODENAME"), "n1");
  EXPECT_EQ(Get(env, "HERD_CONF"), "/etc/herd/herd.conf");
  EXPECT_EQ(Get(env, "SLURM_MEM_PER_CPU"), "<unset>");
}

TEST(JobEnvTest, ExportedVariablesAreKeptButOverridden) {
  auto env = BuildJobEnv(TwoNodeJob(), Ctx());
  EXPECT_EQ(Get(env, "FOO"), "bar");
  EXPECT_EQ(Get(env, "HERD_JOB_ID"), "77");
  EXPECT_EQ(Get(env, "PATH"), "/opt/bin");  // present: not replaced
  EXPECT_EQ(Get(env, "BROKEN"), "<unset>");
  EXPECT_EQ(Get(env, "HOME"), "/home/alice");
  EXPECT_EQ(Get(env, "USER"), "alice");
  EXPECT_EQ(Get(env, "LOGNAME"), "alice");
  EXPECT_EQ(Get(env, "SHELL"), "/bin/bash");
  // Every name appears once.
  int ids = 0;
  for (const std::string& e : env) ids += e.rfind("HERD_JOB_ID=", 0) == 0;
  EXPECT_EQ(ids, 1);
  // Overridden in place: FOO (first exported) stays first.
  EXPECT_EQ(env.front(), "FOO=bar");
}

TEST(JobEnvTest, DefaultsForAMinimalJob) {
  proto::LaunchBatchRequest r;
  r.job_id = 5;
  r.spec.work_dir = "/tmp";
  r.spec.num_tasks = 3;
  r.alloc = {{"n1", {0, 1, 2}, 0, 0}};
  JobEnvContext ctx = Ctx();
  ctx.hostname.clear();
  auto env = BuildJobEnv(r, ctx);
  EXPECT_EQ(Get(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
  EXPECT_EQ(Get(env, "HERD_NTASKS"), "3");
  EXPECT_EQ(Get(env, "SLURM_TASKS_PER_NODE"), "3");
  EXPECT_EQ(Get(env, "HERD_JOB_NODELIST"), "n1");
  EXPECT_EQ(Get(env, "HERD_SUBMIT_DIR"), "/tmp");
  EXPECT_EQ(Get(env, "HERD_SUBMIT_HOST"), "n1");
  EXPECT_EQ(Get(env, "HERD_MEM_PER_NODE"), "<unset>");
  EXPECT_EQ(Get(env, "HERD_JOB_USER"), "alice");
}

}  // namespace
}  // namespace herd::noded

namespace herd::noded {
namespace {

TEST(JobEnv, CompatDirComesFirstInPath) {
  proto::LaunchBatchRequest r;
  r.job_id = 3;
  r.spec.env = {"PATH=/opt/x/bin:/usr/bin"};
  JobEnvContext ctx{"n1", "h",       "c",       "/etc/herd.conf",
                    "u",  "/home/u", "/bin/sh", "/opt/herd/compat"};
  std::string path;
  ASSERT_TRUE(FindEnv(BuildJobEnv(r, ctx), "PATH", &path));
  EXPECT_EQ(path, "/opt/herd/compat:/opt/x/bin:/usr/bin")
      << "before any other srun, Slurm's included";
}

}  // namespace
}  // namespace herd::noded

namespace herd::noded {
namespace {

TEST(JobEnv, NoRdmaFabricExcludesOpenMpiCmUnlessSet) {
  JobEnvContext ctx = Ctx();
  ctx.rdma = false;
  std::string v;
  ASSERT_TRUE(FindEnv(BuildJobEnv(TwoNodeJob(), ctx), "OMPI_MCA_pml", &v));
  EXPECT_EQ(v, "^cm");
  proto::LaunchBatchRequest own = TwoNodeJob();
  own.spec.env.push_back("OMPI_MCA_pml=ucx");
  ASSERT_TRUE(FindEnv(BuildJobEnv(own, ctx), "OMPI_MCA_pml", &v));
  EXPECT_EQ(v, "ucx");
  ctx.rdma = true;
  EXPECT_FALSE(FindEnv(BuildJobEnv(TwoNodeJob(), ctx), "OMPI_MCA_pml", &v));
}

TEST(Fabric, DetectsAdaptersUnderSysClass) {
  char tmpl[] = "/tmp/herd-sys-XXXXXX";
  std::string root = mkdtemp(tmpl);
  EXPECT_FALSE(HasRdmaFabric(root));
  ASSERT_EQ(::mkdir((root + "/class").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/class/infiniband").c_str(), 0755), 0);
  EXPECT_FALSE(HasRdmaFabric(root));  // the class exists, no adapter
  ASSERT_EQ(::mkdir((root + "/class/infiniband/mlx5_0").c_str(), 0755), 0);
  EXPECT_TRUE(HasRdmaFabric(root));
  (void)RemoveTree(root);
}

}  // namespace
}  // namespace herd::noded
