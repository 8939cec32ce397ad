// herd commands — tests of the two dialects (herd's names, Slurm's names) and of the
// Slurm options herd accepts without acting on them or refuses as not supported yet.
#include "commands/lib/dialect.h"

#include <gtest/gtest.h>

#include "commands/hbatch/hbatch_script.h"
#include "commands/lib/cli.h"
#include "commands/lib/slurm_options.h"

namespace herd::cli {
namespace {

// Each test starts under herd's name and leaves it so.
class Dialects : public ::testing::Test {
 protected:
  void TearDown() override { InitName("hbatch", "hbatch", "sbatch"); }
};

Result<hbatch::Submission> Submit(const std::vector<std::string>& args,
                                  const std::string& script = "#!/bin/sh\ntrue\n") {
  auto cl = hbatch::ParseHbatchCommandLine(args);
  if (!cl.ok()) return cl.error();
  return hbatch::BuildSubmission(*cl, script, {"PATH=/bin"}, "/w");
}

TEST_F(Dialects, NameComesFromArgvZero) {
  InitName("/usr/local/bin/sbatch", "hbatch", "sbatch");
  EXPECT_EQ(Name(), "sbatch");
  EXPECT_TRUE(SlurmDialect());
  EXPECT_EQ(UsageExitCode(), 255);
  InitName("/opt/herd/bin/hbatch", "hbatch", "sbatch");
  EXPECT_EQ(Name(), "hbatch");
  EXPECT_FALSE(SlurmDialect());
  EXPECT_EQ(UsageExitCode(), 1);
  InitName("squeue", "hqueue", "squeue");
  EXPECT_EQ(UsageExitCode(), 1);              // squeue's usage errors exit 1, as Slurm's
  InitName("my-sbatch", "hbatch", "sbatch");  // any other name is herd's
  EXPECT_EQ(Name(), "hbatch");
  EXPECT_EQ(SlurmNameOf("hcontrol"), "scontrol");
  EXPECT_EQ(SlurmNameOf("herdctld"), "");
}

TEST_F(Dialects, SbatchDefaultsAreSlurms) {
  InitName("sbatch", "hbatch", "sbatch");
  auto stdin_job = Submit({});
  ASSERT_TRUE(stdin_job.ok()) << stdin_job.error().message();
  EXPECT_EQ(stdin_job->spec.name, "sbatch");
  EXPECT_EQ(stdin_job->spec.stdout_pattern, "slurm-%j.out");
  InitName("hbatch", "hbatch", "sbatch");
  auto herd_job = Submit({});
  ASSERT_TRUE(herd_job.ok());
  EXPECT_EQ(herd_job->spec.name, "hbatch");
  EXPECT_EQ(herd_job->spec.stdout_pattern, "herd-%j.out");
}

TEST_F(Dialects, TimeLimitRoundsUpToMinutesUnderSlurmsName) {
  InitName("sbatch", "hbatch", "sbatch");
  const std::pair<const char*, int64_t> cases[] = {
      {"5:30", 360},      {"0:30", 60}, {"90", 5400},     {"1:2:3", 3780},
      {"1-0:0:1", 86460}, {"0", -1},    {"UNLIMITED", -1}};
  for (const auto& [text, want] : cases) {
    auto s = Submit({"-t", text, "s.sh"});
    ASSERT_TRUE(s.ok()) << text << ": " << s.error().message();
    EXPECT_EQ(s->spec.time_limit_s, want) << text;
  }
  InitName("hbatch", "hbatch", "sbatch");  // herd keeps seconds
  auto s = Submit({"-t", "0:02", "s.sh"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->spec.time_limit_s, 2);
}

TEST_F(Dialects, DirectiveErrorsNameNoLineUnderSlurmsName) {
  InitName("sbatch", "hbatch", "sbatch");
  auto s = Submit({"s.sh"}, "#!/bin/sh\n#SBATCH --bogus\n");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(IsUsageError(s.error()));
  EXPECT_EQ(s.error().message(), "unrecognized option '--bogus'");
}

TEST_F(Dialects, ValueErrorsWordedAsSbatchs) {
  InitName("sbatch", "hbatch", "sbatch");
  EXPECT_EQ(Submit({"-t", "bogus", "s.sh"}).error().message(), "Invalid --time specification");
  EXPECT_EQ(Submit({"--mem", "1Q", "s.sh"}).error().message(), "Invalid --mem specification");
  EXPECT_EQ(Submit({"-n", "abc", "s.sh"}).error().message(),
            "Invalid numeric value \"abc\" for --ntasks.");
  EXPECT_EQ(Submit({"-n", "0", "s.sh"}).error().message(),
            "Invalid numeric value \"0\" for --ntasks.");
  InitName("hbatch", "hbatch", "sbatch");
  EXPECT_EQ(Submit({"-n", "abc", "s.sh"}).error().message(),
            "invalid numeric value 'abc' for --ntasks");
}

TEST_F(Dialects, EverySbatchOptionIsKnown) {
  // Accepted without effect: listed once each, in order, from directives and command line.
  // -A and -q are recorded for accounting, not ignored.
  auto s = Submit({"--mail-type=END", "-A", "acct", "--comment", "x", "-v", "s.sh"},
                  "#!/bin/sh\n#SBATCH --mail-type=BEGIN\n#SBATCH --qos normal --ignore-pbs\n"
                  "#SBATCH --wckey=w\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->ignored_options, (std::vector<std::string>{"--mail-type", "--wckey", "--comment"}));
  EXPECT_EQ(IgnoredOptionsWarning(s->ignored_options),
            "--mail-type, --wckey, --comment: accepted, but herd does not act on them yet");
  EXPECT_EQ(s->spec.account, "acct");
  EXPECT_EQ(s->spec.qos, "normal");
  // Refused: the job would not run as asked.
  for (const char* opt :
       {"--deadline=now+60", "--gres=gpu:1", "--signal=USR1@60", "--gpus=1", "--test-only"}) {
    auto r = Submit({opt, "s.sh"});
    ASSERT_FALSE(r.ok()) << opt;
    EXPECT_NE(r.error().message().find("is not supported by herd yet"), std::string::npos)
        << r.error().message();
  }
  EXPECT_EQ(Submit({"--gres=gpu:1", "s.sh"}).error().message(),
            "--gres is not supported by herd yet");
  // --reservation: passed on as given (the controller checks it).
  ASSERT_TRUE(Submit({"--reservation=r", "s.sh"}).ok());
  EXPECT_EQ(Submit({"--reservation=r", "s.sh"})->spec.reservation, "r");
  // Job arrays: passed on as given (the controller checks them, as slurmctld does).
  for (const char* opt : {"--array=1-3", "-a1-3", "-a0-99:3%10", "--array=1,3,5-7"}) {
    auto r = Submit({opt, "s.sh"});
    ASSERT_TRUE(r.ok()) << opt << ": " << r.error().message();
  }
  EXPECT_EQ(Submit({"-a0-99:3%10", "s.sh"})->spec.array, "0-99:3%10");
  EXPECT_EQ(Submit({"s.sh"}, "#!/bin/sh\n#SBATCH -a 2-4\n")->spec.array, "2-4");
  EXPECT_EQ(Submit({"--array=3-1", "s.sh"})->spec.array, "3-1");
  // An option Slurm does not have either is still a usage error.
  auto bogus = Submit({"--no-such-option", "s.sh"});
  ASSERT_FALSE(bogus.ok());
  EXPECT_TRUE(IsUsageError(bogus.error()));
}

TEST_F(Dialects, CatalogueHasNoOptionHbatchImplements) {
  for (const ForeignOption& f : ForeignCatalogue()) {
    if ((f.commands & kSbatch) == 0) continue;
    for (const char* own : {"job-name", "partition", "nodes", "ntasks", "time", "output", "error",
                            "mem", "nice", "hold", "wrap", "exclusive", "constraint"}) {
      EXPECT_STRNE(f.long_name, own);
    }
  }
}

}  // namespace
}  // namespace herd::cli
