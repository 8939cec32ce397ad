// herd commands — tests of salloc's and srun's option catalogues and of the SBATCH_* and
// SALLOC_* input environment variables (commands/lib/env_options.h).
#include <gtest/gtest.h>

#include "commands/halloc/halloc_options.h"
#include "commands/hbatch/hbatch_script.h"
#include "commands/hrun/hrun_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"
#include "commands/lib/env_options.h"

namespace herd::cli {
namespace {

std::string ErrorOf(const Status& st) { return st.ok() ? "" : st.message(); }

TEST(SlurmInputs, SallocCatalogue) {
  auto a = halloc::ParseHallocCommandLine({"-N1", "-A", "acct", "--bell", "--wckey=w", "true"});
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->alloc.ignored_options, (std::vector<std::string>{"--wckey"}));
  EXPECT_EQ(a->alloc.account, std::optional<std::string>("acct"));  // recorded, as sbatch's
  EXPECT_EQ(a->command, (std::vector<std::string>{"true"}));
  for (const char* opt :
       {"--no-shell", "-H", "-I", "--immediate=5", "--x11", "--deadline=now", "-G1"}) {
    auto r = halloc::ParseHallocCommandLine({opt, "true"});
    ASSERT_FALSE(r.ok()) << opt;
    EXPECT_NE(r.error().message().find("is not supported by herd yet"), std::string::npos)
        << opt << ": " << r.error().message();
  }
  // Dependencies and --begin are the allocation's (hrun's too: the same options).
  auto dep = halloc::ParseHallocCommandLine({"-d", "afterok:3", "--begin=now+60", "true"});
  ASSERT_TRUE(dep.ok()) << dep.error().message();
  EXPECT_EQ(dep->alloc.dependency.value_or(""), "afterok:3");
  EXPECT_GT(dep->alloc.begin_time.value_or(0), 0);
  // sbatch's own options are not salloc's.
  for (const char* opt : {"--array=1-2", "--wrap=x", "--parsable"}) {
    auto r = halloc::ParseHallocCommandLine({opt, "true"});
    ASSERT_FALSE(r.ok()) << opt;
    EXPECT_TRUE(IsUsageError(r.error())) << opt;
  }
}

TEST(SlurmInputs, SrunCatalogue) {
  auto r =
      hrun::ParseHrunCommandLine({"-n1", "-X", "--exact", "-T", "4", "--qos=q", "-W", "5", "echo"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->alloc.ignored_options,
            (std::vector<std::string>{"--disable-status", "--exact", "--threads"}));
  EXPECT_EQ(r->alloc.qos, std::optional<std::string>("q"));
  EXPECT_EQ(r->wait_s, 5u);  // srun's --wait is hrun's own
  EXPECT_EQ(r->argv, (std::vector<std::string>{"echo"}));
  for (const char* opt : {"--pty", "--multi-prog", "-E", "-Z", "--het-group=0", "--bcast"}) {
    auto bad = hrun::ParseHrunCommandLine({opt, "echo"});
    ASSERT_FALSE(bad.ok()) << opt;
    EXPECT_NE(bad.error().message().find("is not supported by herd yet"), std::string::npos)
        << opt << ": " << bad.error().message();
  }
  auto usage = hrun::ParseHrunCommandLine({"--usage"});
  ASSERT_TRUE(usage.ok());
  EXPECT_TRUE(usage->help);
}

TEST(SlurmInputs, EnvironmentWords) {
  const std::vector<std::string> env = {
      "SBATCH_TIMELIMIT=7",       "SBATCH_NO_REQUEUE=0", "SBATCH_REQUEUE=yes", "SALLOC_PARTITION=x",
      "SLURM_HINT=nomultithread", "SBATCH_EXCLUSIVE=",   "PATH=/bin"};
  EXPECT_EQ(
      EnvironmentOptionWords(kSbatch, env),
      (std::vector<std::string>{"--exclusive", "--hint=nomultithread", "--requeue", "--time=7"}));
  EXPECT_EQ(EnvironmentOptionWords(kSalloc, env),
            (std::vector<std::string>{"--hint=nomultithread", "--partition=x"}));
}

// Command line over environment over #SBATCH, field by field.
TEST(SlurmInputs, SbatchPrecedence) {
  const std::string script = "#!/bin/sh\n#SBATCH -J directive -t 5 -p fromscript\n";
  const std::vector<std::string> env = {"SBATCH_JOB_NAME=env", "SBATCH_TIMELIMIT=7"};
  auto build = [&](const std::vector<std::string>& args) {
    auto cl = hbatch::ParseHbatchCommandLine(args);
    EXPECT_TRUE(cl.ok());
    return hbatch::BuildSubmission(*cl, script, env, "/w");
  };
  auto s = build({"s.sh"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->spec.name, "env");
  EXPECT_EQ(s->spec.time_limit_s, 7 * 60);
  EXPECT_EQ(s->spec.partition, "fromscript");
  s = build({"-J", "cl", "s.sh"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->spec.name, "cl");
  EXPECT_EQ(s->spec.time_limit_s, 7 * 60);
  // A bad value reads as the option's error; under Slurm's name exits as sbatch does.
  InitName("sbatch", "hbatch", "sbatch");
  auto cl = hbatch::ParseHbatchCommandLine({"s.sh"});
  ASSERT_TRUE(cl.ok());
  auto bad = hbatch::BuildSubmission(*cl, script, {"SBATCH_TIMELIMIT=bogus"}, "/w");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Invalid --time specification");
  EXPECT_EQ(ErrorOf(hbatch::BuildSubmission(*cl, script, {"SBATCH_EXCLUSIVE=x"}, "/w").error()),
            "Invalid --exclusive specification");
  InitName("hbatch", "hbatch", "sbatch");
}

TEST(SlurmInputs, SallocEnvironment) {
  auto a = halloc::ParseHallocCommandLine({"true"}, {"SALLOC_TIMELIMIT=3", "SALLOC_ACCOUNT=a"});
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->alloc.time_limit_s, 180);
  EXPECT_TRUE(a->alloc.ignored_options.empty());
  EXPECT_EQ(a->alloc.account, std::optional<std::string>("a"));
  a = halloc::ParseHallocCommandLine({"-t", "4", "true"}, {"SALLOC_TIMELIMIT=3"});
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->alloc.time_limit_s, 240);
  EXPECT_FALSE(halloc::ParseHallocCommandLine({"true"}, {"SALLOC_TIMELIMIT=x"}).ok());
}

TEST(SlurmInputs, SrunEnvironment) {
  const std::vector<std::string> env = {"SLURM_TIMELIMIT=3",     "SRUN_CPUS_PER_TASK=2",
                                        "SLURM_LABELIO=1",       "SLURM_PARTITION=p",
                                        "SLURM_EXPORT_ENV=NONE", "SLURM_NTASKS=8",
                                        "SLURM_JOB_NAME=job",    "SLURM_WORKING_DIR=/w"};
  // A job's own variables (SLURM_NTASKS, SLURM_JOB_NAME) are not options of its steps.
  EXPECT_EQ(EnvironmentOptionWords(kSrun, env),
            (std::vector<std::string>{"--cpus-per-task=2", "--export=NONE", "--label",
                                      "--partition=p", "--time=3", "--chdir=/w"}));
  auto o = hrun::ParseHrunCommandLine({"true"}, env);
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->alloc.time_limit_s, 180);
  EXPECT_EQ(o->alloc.cpus_per_task, 2u);
  EXPECT_TRUE(o->label);
  EXPECT_EQ(o->export_spec, std::optional<std::string>("NONE"));
  EXPECT_EQ(o->chdir, std::optional<std::string>("/w"));
  // the command line wins; SRUN_EXPORT_ENV over SLURM_EXPORT_ENV
  o = hrun::ParseHrunCommandLine({"-c", "1", "-t", "4", "true"},
                                 {"SRUN_CPUS_PER_TASK=2", "SLURM_TIMELIMIT=3",
                                  "SLURM_EXPORT_ENV=NONE", "SRUN_EXPORT_ENV=ALL"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->alloc.cpus_per_task, 1u);
  EXPECT_EQ(o->alloc.time_limit_s, 240);
  EXPECT_EQ(o->export_spec, std::optional<std::string>("ALL"));
  // a bad value reads as the option's error
  EXPECT_FALSE(hrun::ParseHrunCommandLine({"true"}, {"SLURM_TIMELIMIT=bogus"}).ok());
  EXPECT_FALSE(hrun::ParseHrunCommandLine({"true"}, {"SLURM_LABELIO=0"})->label);
}

}  // namespace
}  // namespace herd::cli
