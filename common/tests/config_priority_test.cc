// herd — the priority keys of herd.conf (config_priority.cc): values, defaults, errors.
#include <gtest/gtest.h>

#include "common/config/config.h"

namespace herd {
namespace {

ClusterConfig Parse(const std::string& body) {
  auto r = ParseConfig("ControllerHost=ctl1\n" + body, "t.conf");
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? std::move(r).value() : ClusterConfig{};
}

std::string Error(const std::string& body) {
  auto r = ParseConfig("ControllerHost=ctl1\n" + body, "t.conf");
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? "" : r.error().message();
}

TEST(ConfigPriority, DefaultsAreSlurms) {
  const PriorityConfig p = Parse("").priority;
  EXPECT_FALSE(p.multifactor);
  EXPECT_EQ(p.weight_age, 0u);
  EXPECT_EQ(p.max_age_s, 7 * 86400);
  EXPECT_EQ(p.decay_half_life_s, 7 * 86400);
  EXPECT_EQ(p.calc_period_s, 300u);
  EXPECT_TRUE(p.fair_tree);
  EXPECT_FALSE(p.favor_small);
}

TEST(ConfigPriority, EveryKeyIsRead) {
  const ClusterConfig c = Parse(
      "PriorityType=priority/multifactor\nPriorityWeightAge=1000\n"
      "PriorityWeightFairshare=10000\nPriorityWeightJobSize=100\n"
      "priorityweightpartition=5\nPriorityWeightQOS=7\nPriorityMaxAge=14-0\n"
      "PriorityFavorSmall=YES\nPriorityDecayHalfLife=1-12:00:00\nPriorityCalcPeriod=1\n"
      "PriorityUsageResetPeriod=weekly\nPriorityFlags=NO_FAIR_TREE,small_relative_to_time\n"
      "NodeName=n1\nPartitionName=p Nodes=n1 PriorityJobFactor=20\n");
  const PriorityConfig& p = c.priority;
  EXPECT_TRUE(p.multifactor);
  EXPECT_EQ(p.weight_age, 1000u);
  EXPECT_EQ(p.weight_fairshare, 10000u);
  EXPECT_EQ(p.weight_job_size, 100u);
  EXPECT_EQ(p.weight_partition, 5u);
  EXPECT_EQ(p.weight_qos, 7u);
  EXPECT_EQ(p.max_age_s, 14 * 86400);
  EXPECT_TRUE(p.favor_small);
  EXPECT_EQ(p.decay_half_life_s, 86400 + 12 * 3600);
  EXPECT_EQ(p.calc_period_s, 60u);
  EXPECT_EQ(p.usage_reset_period, "WEEKLY");
  EXPECT_FALSE(p.fair_tree);
  EXPECT_TRUE(p.small_relative_to_time);
  EXPECT_EQ(p.flags, (std::vector<std::string>{"NO_FAIR_TREE", "SMALL_RELATIVE_TO_TIME"}));
  ASSERT_EQ(c.partitions.size(), 1u);
  EXPECT_EQ(c.partitions[0].priority_job_factor, 20u);
  EXPECT_EQ(Parse("PriorityDecayHalfLife=0\n").priority.decay_half_life_s, 0);
  EXPECT_TRUE(Parse("PriorityFlags=FAIR_TREE\n").priority.fair_tree);
}

TEST(ConfigPriority, BadValuesAreRefusedWithTheKey) {
  EXPECT_EQ(Error("PriorityType=priority/fancy\n"),
            "t.conf:2: PriorityType: must be priority/basic or priority/multifactor, got "
            "'priority/fancy'");
  EXPECT_EQ(Error("PriorityWeightAge=-1\n"),
            "t.conf:2: PriorityWeightAge: must be a number from 0 to 4294967295, got '-1'");
  EXPECT_EQ(Error("PriorityFlags=FAIR_TREE,BOGUS\n"),
            "t.conf:2: PriorityFlags: unknown flag 'BOGUS'");
  EXPECT_EQ(Error("PriorityCalcPeriod=0\n"),
            "t.conf:2: PriorityCalcPeriod: must be a positive time, got '0'");
  EXPECT_EQ(Error("PriorityMaxAge=0\n"),
            "t.conf:2: PriorityMaxAge: must be a positive time, got '0'");
  EXPECT_NE(Error("PriorityFavorSmall=maybe\n").find("must be YES or NO"), std::string::npos);
  EXPECT_NE(Error("PriorityUsageResetPeriod=hourly\n").find("must be NONE"), std::string::npos);
  EXPECT_NE(Error("NodeName=n1\nPartitionName=p Nodes=n1 PriorityJobFactor=70000\n")
                .find("PriorityJobFactor"),
            std::string::npos);
}

}  // namespace
}  // namespace herd
