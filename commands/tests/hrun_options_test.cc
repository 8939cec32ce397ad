// herd hrun — tests of option parsing and of the StepSpec and JobSpec built from it,
// including the srun command lines Open MPI 4.1 and PRRTE run inside an allocation.
#include "commands/hrun/hrun_options.h"

#include <gtest/gtest.h>

#include "commands/hrun/hrun_spec.h"
#include "commands/lib/cli.h"

namespace herd::hrun {
namespace {

HrunContext Ctx(std::vector<std::string> env = {"PATH=/bin", "HOME=/home/u"}) {
  HrunContext c;
  c.env = std::move(env);
  c.cwd = "/home/u/work";
  c.mpi_default = "mpi/none";
  return c;
}

std::string ErrorOf(const std::vector<std::string>& args) {
  auto o = ParseHrunCommandLine(args);
  return o.ok() ? "" : o.error().message();
}

TEST(HrunOptions, OpenMpi41SrunLine) {
  // orte/mca/plm/slurm/plm_slurm_module.c: note the underscore in --cpu_bind.
  auto o = ParseHrunCommandLine({"--ntasks-per-node=1", "--kill-on-bad-exit", "--cpu_bind=none",
                                 "--nodes=2", "--nodelist=n1,n2", "--ntasks=2", "orted", "-mca",
                                 "ess", "\"slurm\"", "--tree-spawn"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->argv,
            (std::vector<std::string>{"orted", "-mca", "ess", "\"slurm\"", "--tree-spawn"}));
  auto s = BuildStepSpec(*o, Ctx({"SLURM_JOBID=7", "SLURM_NTASKS=8"}), /*in_job=*/true);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->num_nodes, 2u);
  EXPECT_EQ(s->num_tasks, 2u);
  EXPECT_EQ(s->ntasks_per_node, 1u);
  EXPECT_EQ(s->nodelist, "n1,n2");
  EXPECT_EQ(s->cpu_bind, "none");
  EXPECT_TRUE(s->kill_on_bad_exit);
  EXPECT_EQ(s->name, "orted");
  auto job = TargetJob(*o, {"SLURM_JOBID=7"});
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(**job, 7u);
}

TEST(HrunOptions, PrrteSrunLineAndOtherCompatOptions) {
  auto o = ParseHrunCommandLine({"--external-launcher", "--ntasks-per-node=1", "--kill-on-bad-exit",
                                 "--mpi=none", "--cpu-bind=none", "--jobid=12", "--nodes=1",
                                 "--nodelist=n3", "--ntasks=1", "--export=ALL", "-u", "-Q", "-W",
                                 "5", "--gres=none", "--resv-ports=1", "--label", "prted", "--x"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_TRUE(o->overlap);
  EXPECT_EQ(*o->jobid, 12u);
  EXPECT_EQ(*o->mpi, "none");
  EXPECT_TRUE(o->unbuffered);
  EXPECT_TRUE(o->quiet);
  EXPECT_TRUE(o->label);
  EXPECT_EQ(o->wait_s, 5u);
  EXPECT_EQ(o->argv, (std::vector<std::string>{"prted", "--x"}));
  EXPECT_EQ(**TargetJob(*o, {"HERD_JOB_ID=3"}), 12u);  // --jobid wins
  EXPECT_TRUE(ParseHrunCommandLine({"--overlap", "-Q", "--wait=0", "-K1", "true"}).ok());
  EXPECT_FALSE(*ParseHrunCommandLine({"-K0", "true"})->kill_on_bad_exit);
}

TEST(HrunOptions, ProgramArgumentsAreNotOptions) {
  auto o = ParseHrunCommandLine({"-n2", "-l", "prog", "-n", "3", "--label"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o->alloc.ntasks, 2u);
  EXPECT_EQ(o->argv, (std::vector<std::string>{"prog", "-n", "3", "--label"}));
}

TEST(HrunOptions, Errors) {
  EXPECT_EQ(ErrorOf({"-n", "2"}), "No command given to execute.");
  EXPECT_EQ(ErrorOf({"--mpi=pmi2", "x"}),
            "invalid MPI type 'pmi2', --mpi=list for acceptable types");
  EXPECT_EQ(ErrorOf({"--cpu-bind=ldoms", "x"}), "invalid --cpu-bind 'ldoms': unknown type 'ldoms'");
  EXPECT_NE(ErrorOf({"-m", "plane=2", "x"}), "");
  EXPECT_NE(ErrorOf({"--gres=gpu:1", "x"}), "");
  EXPECT_NE(ErrorOf({"-i", "3", "x"}), "");
  EXPECT_NE(ErrorOf({"-K2", "x"}), "");
  EXPECT_NE(ErrorOf({"--mem=1G", "--mem-per-cpu=1G", "x"}), "");
  EXPECT_EQ(ErrorOf({"-n", "0", "x"}), "invalid value '0' for --ntasks: must be at least 1");
  auto bad = ParseHrunCommandLine({"--bogus", "x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(cli::IsUsageError(bad.error()));
  // --mpi=list, --help and --version need no program.
  EXPECT_EQ(*ParseHrunCommandLine({"--mpi=list"})->mpi, "list");
  EXPECT_TRUE(ParseHrunCommandLine({"--help"})->help);
  EXPECT_TRUE(ParseHrunCommandLine({"-V"})->version);
}

TEST(HrunOptions, ValueNormalization) {
  EXPECT_EQ(*ParseCpuBind("verbose,cores"), "cores,verbose");
  EXPECT_EQ(*ParseCpuBind("verbose"), "cores,verbose") << "verbose alone keeps the default";
  EXPECT_EQ(*ParseCpuBind("q"), "cores") << "quiet alone too (Snakemake: --cpu-bind=q)";
  EXPECT_EQ(*ParseCpuBind("no"), "none");
  EXPECT_EQ(*ParseCpuBind("threads"), "threads");
  EXPECT_EQ(*ParseCpuBind("map_cpu:0,1,2"), "map_cpu:0,1,2");
  EXPECT_EQ(*ParseCpuBind("mask_cpu:0x3,0xc,v"), "mask_cpu:0x3,0xc,verbose");
  EXPECT_FALSE(ParseCpuBind("cores,threads").ok());
  EXPECT_FALSE(ParseCpuBind("map_cpu:").ok());
  EXPECT_FALSE(ParseCpuBind("").ok());
  EXPECT_EQ(*ParseDistribution("cyclic:block"), "cyclic:block");
  EXPECT_EQ(*ParseDistribution("Block"), "block");
  EXPECT_EQ(*ParseDistribution("*:cyclic"), "block:cyclic");
  EXPECT_FALSE(ParseDistribution("cyclic:block:block").ok());
  EXPECT_EQ(*ParseMpiType("pmix_v4"), "pmix");
  EXPECT_EQ(*ParseMpiType("mpi/none"), "none");
  EXPECT_EQ(MpiTypeList(), "MPI plugin types are...\n\tnone\n\tpmix\n");
}

TEST(HrunSpec, StepDefaults) {
  auto o = ParseHrunCommandLine({"/bin/hostname"});
  ASSERT_TRUE(o.ok());
  auto s = BuildStepSpec(*o, Ctx(), /*in_job=*/false);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "hostname");
  EXPECT_EQ(s->argv, (std::vector<std::string>{"/bin/hostname"}));
  EXPECT_EQ(s->env, (std::vector<std::string>{"PATH=/bin", "HOME=/home/u"}));
  EXPECT_EQ(s->cwd, "/home/u/work");
  EXPECT_EQ(s->num_tasks, 0u);
  EXPECT_EQ(s->cpus_per_task, 1u);
  EXPECT_EQ(s->distribution, "block");
  EXPECT_EQ(s->cpu_bind, "cores");
  EXPECT_EQ(s->mpi, "none");
  EXPECT_FALSE(s->label);
  EXPECT_EQ(s->stdout_pattern, "");
  EXPECT_EQ(s->stdin_pattern, "");
  EXPECT_EQ(s->time_limit_s, -1);
  EXPECT_EQ(s->io_addr, "");
}

TEST(HrunSpec, StepOptions) {
  auto o = ParseHrunCommandLine({"-D",     "sub", "--export=NONE", "-m", "cyclic", "-l",   "-o",
                                 "out-%t", "-e",  "none",          "-i", "none",   "-t",   "5",
                                 "-c",     "2",   "--exclusive",   "-J", "nm",     "a.out"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  auto s = BuildStepSpec(*o, Ctx(), /*in_job=*/true);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "nm");
  EXPECT_EQ(s->cwd, "/home/u/work/sub");
  EXPECT_TRUE(s->env.empty());
  EXPECT_EQ(s->distribution, "cyclic");
  EXPECT_TRUE(s->label);
  EXPECT_EQ(s->stdout_pattern, "out-%t");
  EXPECT_EQ(s->stderr_pattern, "/dev/null");
  EXPECT_EQ(s->stdin_pattern, "none");
  EXPECT_EQ(s->time_limit_s, 300);
  EXPECT_EQ(s->cpus_per_task, 2u);
  EXPECT_TRUE(s->exclusive);
}

TEST(HrunSpec, DefaultsFromTheJobEnvironment) {
  auto o = ParseHrunCommandLine({"x"});
  ASSERT_TRUE(o.ok());
  HrunContext c = Ctx({"HERD_NTASKS=8", "SLURM_CPUS_PER_TASK=2", "SLURM_MPI_TYPE=pmix"});
  auto in_job = BuildStepSpec(*o, c, true);
  ASSERT_TRUE(in_job.ok());
  EXPECT_EQ(in_job->num_tasks, 8u);
  EXPECT_EQ(in_job->cpus_per_task, 2u);
  EXPECT_EQ(in_job->mpi, "pmix");
  // Outside a job the counts are hrun's own; -N inside a job drops the inherited -n.
  EXPECT_EQ(BuildStepSpec(*o, c, false)->num_tasks, 0u);
  EXPECT_EQ(BuildStepSpec(*ParseHrunCommandLine({"-N1", "x"}), c, true)->num_tasks, 0u);
  EXPECT_EQ(BuildStepSpec(*ParseHrunCommandLine({"-n3", "x"}), c, true)->num_tasks, 3u);
  // MpiDefault of the configuration, "mpi/" stripped; the command line wins over all.
  HrunContext pmix = Ctx();
  pmix.mpi_default = "mpi/pmix";
  EXPECT_EQ(BuildStepSpec(*o, pmix, true)->mpi, "pmix");
  EXPECT_EQ(BuildStepSpec(*ParseHrunCommandLine({"--mpi=none", "x"}), pmix, true)->mpi, "none");
  EXPECT_FALSE(BuildStepSpec(*o, Ctx({"SLURM_MPI_TYPE=pmi2"}), true).ok());
}

TEST(HrunSpec, TargetJob) {
  auto o = ParseHrunCommandLine({"x"});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(TargetJob(*o, {"PATH=/bin"})->has_value());
  EXPECT_EQ(**TargetJob(*o, {"SLURM_JOB_ID=4", "HERD_JOB_ID=5"}), 5u);
  EXPECT_EQ(**TargetJob(*o, {"SLURM_JOB_ID=4"}), 4u);
  EXPECT_FALSE(TargetJob(*o, {"HERD_JOB_ID=abc"}).ok());
  EXPECT_EQ(**TargetJob(*ParseHrunCommandLine({"--jobid=9.1", "x"}), {}), 9u);
}

TEST(HrunSpec, StandaloneAllocation) {
  auto o = ParseHrunCommandLine({"-N", "2", "-n", "4", "-p", "debug", "-t", "1:00", "-w", "n[1-2]",
                                 "--mem=1G", "-C", "ib", "./sim", "a"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  auto j = BuildHrunJobSpec(*o, Ctx());
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->interactive);
  EXPECT_EQ(j->name, "sim");
  EXPECT_EQ(j->script, "");
  EXPECT_EQ(j->argv, (std::vector<std::string>{"./sim", "a"}));
  EXPECT_EQ(j->min_nodes, 2u);
  EXPECT_EQ(j->num_tasks, 4u);
  EXPECT_EQ(j->partition, "debug");
  EXPECT_EQ(j->time_limit_s, 60);
  EXPECT_EQ(j->nodelist, "n[1-2]");
  EXPECT_EQ(j->mem_per_node_mb, 1024u);
  EXPECT_EQ(j->constraints, (std::vector<std::string>{"ib"}));
  EXPECT_FALSE(j->requeue);
  EXPECT_EQ(j->work_dir, "/home/u/work");
  // The step of a standalone hrun spans the allocation; -w belongs to the job only.
  auto s = BuildStepSpec(*o, Ctx(), false);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->nodelist, "");
  proto::JobInfo info;
  info.alloc.resize(3);
  info.alloc[0].tasks = 2;
  info.alloc[1].tasks = 1;
  info.alloc[2].tasks = 1;
  FitStepToAllocation(info, &*s);
  EXPECT_EQ(s->num_nodes, 3u);
  EXPECT_EQ(s->num_tasks, 4u);
  auto plain = BuildStepSpec(*ParseHrunCommandLine({"x"}), Ctx(), false);
  FitStepToAllocation(info, &*plain);
  EXPECT_EQ(plain->num_tasks, 4u);  // what the controller placed
}

}  // namespace
}  // namespace herd::hrun
