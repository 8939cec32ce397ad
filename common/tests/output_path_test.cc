// herd — tests of output file name patterns.
#include "common/proto/output_path.h"

#include <gtest/gtest.h>

namespace herd::proto {
namespace {

OutputFields Fields() { return OutputFields{42, "train", "alice", "n3"}; }

TEST(OutputPathTest, ExpandsEveryField) {
  EXPECT_EQ(ExpandOutputPattern("%j-%x-%u-%N-%A-%a.out", Fields()), "42-train-alice-n3-42-0.out");
}

TEST(OutputPathTest, PercentAndUnknownLetters) {
  EXPECT_EQ(ExpandOutputPattern("100%%_%q_%", Fields()), "100%_%q_%");
  EXPECT_EQ(ExpandOutputPattern("no patterns", Fields()), "no patterns");
  EXPECT_EQ(ExpandOutputPattern("", Fields()), "");
}

TEST(OutputPathTest, ZeroPadsNumbers) {
  EXPECT_EQ(ExpandOutputPattern("%5j", Fields()), "00042");
  EXPECT_EQ(ExpandOutputPattern("%1j", Fields()), "42");
  EXPECT_EQ(ExpandOutputPattern("%3a", Fields()), "000");
}

TEST(OutputPathTest, ArrayTasks) {
  OutputFields f = Fields();
  f.array_job_id = 40;
  f.array_task_id = 7;
  EXPECT_EQ(ExpandOutputPattern("%A_%a-%j-%3a", f), "40_7-42-007");
  // The controller expands only the array's letters; the node does the rest.
  EXPECT_EQ(ExpandArrayFields("%x-%A_%a-%%-%2a-%j%", 40, 7), "%x-40_7-%%-07-%j%");
}

TEST(OutputPathTest, DefaultsAndWorkDir) {
  EXPECT_EQ(ResolveOutputPath("", "", "/home/alice", Fields()), "/home/alice/herd-42.out");
  EXPECT_EQ(ResolveOutputPath("out/%x.log", "", "/w/", Fields()), "/w/out/train.log");
  EXPECT_EQ(ResolveOutputPath("/abs/%j", "", "/w", Fields()), "/abs/42");
  // stderr without its own pattern follows stdout's.
  EXPECT_EQ(ResolveOutputPath("", "o-%j", "/w", Fields()), "/w/o-42");
}

}  // namespace
}  // namespace herd::proto
