// herd hcancel — tests of option parsing, signals and per-job result messages.
#include <gtest/gtest.h>

#include <csignal>

#include "commands/hcancel/hcancel_options.h"
#include "commands/lib/cli.h"

namespace herd::hcancel {
namespace {

TEST(HcancelArgs, IdsAndFilters) {
  auto o = ParseHcancelArgs({"12", "13,14", "-s", "USR1", "-p", "debug", "-n", "x", "-t", "PD"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->filter.job_ids, (std::vector<uint64_t>{12, 13, 14}));
  EXPECT_EQ(o->signal, SIGUSR1);
  EXPECT_EQ(o->filter.partitions, (std::vector<std::string>{"debug"}));
  EXPECT_EQ(o->filter.names, (std::vector<std::string>{"x"}));
  EXPECT_EQ(o->filter.states, (std::vector<proto::JobState>{proto::JobState::kPending}));
  auto u = ParseHcancelArgs({"-u", "root"});
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->filter.users, (std::vector<std::string>{"root"}));
}

TEST(HcancelArgs, Errors) {
  EXPECT_EQ(ParseHcancelArgs({}).error().message(), "No job identification provided");
  EXPECT_EQ(ParseHcancelArgs({"12a"}).error().message(), "Invalid job id 12a");
  EXPECT_EQ(ParseHcancelArgs({"-s", "FOO", "1"}).error().message(), "Unknown job signal: FOO");
  EXPECT_FALSE(ParseHcancelArgs({"-t", "weird", "1"}).ok());
  auto bad = ParseHcancelArgs({"--x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(cli::IsUsageError(bad.error()));
  EXPECT_EQ(bad.error().message(), "unrecognized option '--x'");
  EXPECT_TRUE(ParseHcancelArgs({"--help"})->help);
  EXPECT_TRUE(ParseHcancelArgs({"-V"})->version);
}

TEST(Signals, NamesAndNumbers) {
  EXPECT_EQ(*ParseSignal("SIGUSR1"), SIGUSR1);
  EXPECT_EQ(*ParseSignal("usr1"), SIGUSR1);
  EXPECT_EQ(*ParseSignal("10"), 10);
  EXPECT_EQ(*ParseSignal("KILL"), SIGKILL);
  EXPECT_EQ(*ParseSignal("sigterm"), SIGTERM);
  EXPECT_FALSE(ParseSignal("0").ok());
  EXPECT_FALSE(ParseSignal("65").ok());
  EXPECT_FALSE(ParseSignal("").ok());
  EXPECT_FALSE(ParseSignal("SIG").ok());
}

TEST(Results, Messages) {
  HcancelOptions o;
  std::vector<proto::JobActionResult> r(3);
  r[0].job_id = 1;
  r[1].job_id = 2;
  r[1].code = static_cast<int32_t>(Code::kNotFound);
  r[1].message = "Invalid job id specified";
  r[2].job_id = 3;
  r[2].code = static_cast<int32_t>(Code::kFailedPrecondition);
  r[2].message = "Job/step already completing or completed";
  Outcome out = DescribeResults(r, o);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.errors,
            (std::vector<std::string>{
                "Kill job error on job id 2: Invalid job id specified",
                "Kill job error on job id 3: Job/step already completing or completed"}));
  EXPECT_TRUE(out.info.empty());

  o.quiet = true;
  out = DescribeResults(r, o);
  EXPECT_EQ(out.errors.size(), 1u);

  o.quiet = false;
  o.verbose = true;
  o.signal = 10;
  out = DescribeResults({r[0]}, o);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.info, (std::vector<std::string>{"Signal 10 to job 1"}));
}

TEST(HcancelArgs, NodesInteractiveAndSlurmWording) {
  auto o = ParseHcancelArgs({"-w", "n[1-2]", "-i", "-H", "--ctld"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->nodes, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_TRUE(o->interactive);
  // -w alone identifies jobs; a list naming no node selects none, without an error
  o = ParseHcancelArgs({"-w", "n["});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->by_nodes);
  EXPECT_TRUE(o->nodes.empty());
  proto::JobInfo j;
  j.job_id = 7;
  j.name = "x";
  j.partition = "debug";
  j.alloc.resize(1);
  j.alloc[0].node = "n2";
  EXPECT_FALSE(Selected(j, *o));
  EXPECT_TRUE(Selected(j, *ParseHcancelArgs({"-w", "n2,n9"})));
  EXPECT_TRUE(Selected(j, *ParseHcancelArgs({"7"})));
  // -A and -q select by the job's account and QOS (as Slurm keeps them: lower case); -R
  // by the reservation it named.
  j.account = "chem";
  j.qos = "low";
  EXPECT_TRUE(Selected(j, *ParseHcancelArgs({"-A", "bio,Chem"})));
  EXPECT_FALSE(Selected(j, *ParseHcancelArgs({"-A", "bio"})));
  EXPECT_TRUE(Selected(j, *ParseHcancelArgs({"-q", "low", "-A", "chem"})));
  EXPECT_FALSE(Selected(j, *ParseHcancelArgs({"-q", "high", "-A", "chem"})));
  EXPECT_FALSE(Selected(j, *ParseHcancelArgs({"-R", "maint"})));
  j.reservation = "maint";
  EXPECT_TRUE(Selected(j, *ParseHcancelArgs({"-R", "maint"})));
  EXPECT_TRUE(ChoosesJobs(*ParseHcancelArgs({"-A", "chem"})));
  EXPECT_FALSE(ChoosesJobs(*ParseHcancelArgs({"7"})));
  EXPECT_FALSE(ParseHcancelArgs({"-i"}).ok()) << "-i alone names no job";
  EXPECT_EQ(ConfirmPrompt(j), "Cancel job_id=7 name=x partition=debug [y/n]? ");
  EXPECT_TRUE(ConfirmAnswer("y\n"));
  EXPECT_TRUE(ConfirmAnswer(" Yes"));
  EXPECT_FALSE(ConfirmAnswer("n"));
  EXPECT_FALSE(ConfirmAnswer(""));

  auto bad = ParseHcancelArgs({"-t", "bogus"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "Invalid job state specified: bogus\nValid job states are PENDING, RUNNING, and "
            "SUSPENDED");
  bad = ParseHcancelArgs({"-u", "no-such-user-here"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Invalid user name: no-such-user-here");
  o = ParseHcancelArgs({"-u", "0"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->filter.users, (std::vector<std::string>{"root"}));
}

}  // namespace
}  // namespace herd::hcancel
