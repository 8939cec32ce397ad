// herd hprio and hshare — options and tables, laid out as sprio and sshare print them
// (the expected lines are Slurm 22.05's for the same values).
#include "commands/hprio/hprio.h"

#include <gtest/gtest.h>

#include <limits>

#include "commands/hshare/hshare.h"

namespace herd {
namespace {

proto::QueryPriorityReply Reply() {
  proto::QueryPriorityReply r;
  r.multifactor = true;
  r.weight_age = 1000;
  r.weight_fairshare = 10000;
  r.weight_job_size = 100;
  r.weight_partition = 500;
  r.weight_qos = 200;
  proto::PriorityInfo j;
  j.job_id = 2;
  j.partition = "debug";
  j.user = "root";
  j.priority = 10550;
  j.fairshare = 1;
  j.job_size = 0.5;
  j.partition_factor = 1;
  r.jobs.push_back(j);
  j.job_id = 4;
  j.priority = 10527;
  j.job_size = 0.375;
  j.nice = 10;
  r.jobs.push_back(j);
  return r;
}

std::string Table(const std::vector<std::string>& args) {
  auto o = hprio::ParseHprioArgs(args);
  EXPECT_TRUE(o.ok()) << o.error().message();
  const proto::QueryPriorityReply r = Reply();
  const std::string f = o->format.empty() ? hprio::DefaultFormat(*o, r) : o->format;
  auto out = hprio::Render(*o, f, r);
  EXPECT_TRUE(out.ok()) << out.error().message();
  return out.ok() ? *out : "";
}

TEST(Hprio, DefaultLongNormAndWeightsAsSprio) {
  EXPECT_EQ(Table({}),
            "          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE    JOBSIZE  "
            "PARTITION        QOS\n"
            "              2 debug          10550          0          0      10000         50  "
            "      500          0\n"
            "              4 debug          10527          0          0      10000         38  "
            "      500          0\n");
  EXPECT_EQ(Table({"-w"}),
            "          JOBID PARTITION   PRIORITY       SITE        AGE  FAIRSHARE    JOBSIZE  "
            "PARTITION        QOS\n"
            "        Weights                               1       1000      10000        100  "
            "      500        200\n");
  EXPECT_EQ(Table({"-n", "-h"}),
            "              2 debug     0.00000246 0.0000000  1.0000000  0.5000000  1.0000000  "
            "0.0000000 \n"
            "              4 debug     0.00000245 0.0000000  1.0000000  0.3750000  1.0000000  "
            "0.0000000 \n");
  const std::string l = Table({"-l", "-j4"});
  EXPECT_NE(l.find("   JOBID PARTITION     USER   PRIORITY       SITE        AGE      ASSOC  "
                   "FAIRSHARE    JOBSIZE  PARTITION        QOS        NICE                 TRES"),
            std::string::npos)
      << l;
  EXPECT_NE(l.find("        4 debug         root      10527          0          0          0  "
                   "    10000         38        500          0          10"),
            std::string::npos)
      << l;
  EXPECT_EQ(Table({"-o", "%i %Y %A %F", "-h"}), "2 10550 0 10000\n4 10527 0 10000\n");
}

TEST(Hprio, OptionsAndErrors) {
  auto o = hprio::ParseHprioArgs({"-j1,2", "-u", "root", "-p", "debug,gpu"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->job_ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(o->users, std::vector<std::string>{"root"});
  EXPECT_EQ(o->partitions, (std::vector<std::string>{"debug", "gpu"}));
  EXPECT_EQ(hprio::ParseHprioArgs({"-jabc"}).error().message(), "Invalid job id: abc");
  EXPECT_FALSE(hprio::ParseHprioArgs({"-u", "no-such-user-here"}).ok());
  EXPECT_FALSE(hprio::ParseHprioArgs({"--bogus"}).ok());
  auto bad = hprio::Render(*hprio::ParseHprioArgs({}), "%i %Z", Reply());
  EXPECT_FALSE(bad.ok());
}

proto::QueryShareReply Shares() {
  proto::QueryShareReply r;
  auto row = [&](std::string a, std::string u, uint32_t depth, uint32_t raw, double norm,
                 double usage, double eff, double fs, double lf) {
    proto::ShareInfo i;
    i.account = a;
    i.user = u;
    i.depth = depth;
    i.raw_shares = raw;
    i.norm_shares = norm;
    i.raw_usage = usage;
    i.effective_usage = eff;
    i.fairshare = fs;
    i.level_fs = lf;
    r.rows.push_back(i);
  };
  row("root", "", 0, 1, 1, 300, 1, 0, 0);
  row("anchor", "", 1, 1, 0.5, 300, 1, 0, 0.5);
  row("anchor", "root", 2, 1, 0.5, 200, 0.666667, 0.5, 0.75);
  row("anchor", "bob", 2, 1, 0.5, 100, 0.333333, 1, 1.5);
  row("physics", "", 1, 1, 0.5, 0, 0, 0, std::numeric_limits<double>::infinity());
  return r;
}

std::string ShareTable(const std::vector<std::string>& args) {
  auto o = hshare::ParseHshareArgs(args);
  EXPECT_TRUE(o.ok()) << o.error().message();
  return hshare::Render(*o, Shares(), "root");
}

TEST(Hshare, ColumnsAsSshare) {
  EXPECT_EQ(ShareTable({}),
            "Account                    User  RawShares  NormShares    RawUsage  EffectvUsage  "
            "FairShare \n"
            "-------------------- ---------- ---------- ----------- ----------- ------------- "
            "---------- \n"
            "root                                          0.000000         300      1.000000   "
            "         \n"
            " anchor                                  1    0.500000         300      1.000000   "
            "         \n"
            "  anchor                   root          1    0.500000         200      0.666667   "
            "0.500000 \n"
            " physics                                 1    0.500000           0      0.000000   "
            "         \n");
  EXPECT_EQ(ShareTable({"-a", "-P", "-n"}),
            "root|||0.000000|300|1.000000|\n"
            " anchor||1|0.500000|300|1.000000|\n"
            "  anchor|root|1|0.500000|200|0.666667|0.500000\n"
            "  anchor|bob|1|0.500000|100|0.333333|1.000000\n"
            " physics||1|0.500000|0|0.000000|\n");
  EXPECT_EQ(ShareTable({"-A", "physics", "-P", "-n"}), "physics||1|0.500000|0|0.000000|\n");
  EXPECT_EQ(ShareTable({"-u", "bob", "-A", "anchor", "-P", "-n", "-l"}),
            "anchor||1|0.500000|300|1.000000|1.000000||0.500000\n"
            " anchor|bob|1|0.500000|100|0.333333|0.333333|1.000000|1.500000\n");
  // -A lists the account's users the caller may see, not its child accounts.
  EXPECT_EQ(ShareTable({"-A", "anchor", "-P", "-n"}),
            "anchor||1|0.500000|300|1.000000|\n"
            " anchor|root|1|0.500000|200|0.666667|0.500000\n");
  EXPECT_NE(ShareTable({"-l", "-n"}).find("inf"), std::string::npos);
  EXPECT_FALSE(hshare::ParseHshareArgs({"--bogus"}).ok());
}

}  // namespace
}  // namespace herd
