// herd — tests of step output patterns and of the line buffer behind TaskOutput.
#include "nodedaemon/stepd/step_output.h"

#include <gtest/gtest.h>

namespace herd::noded {
namespace {

StepOutputFields Fields() {
  StepOutputFields f;
  f.job_id = 42;
  f.step_id = 3;
  f.task = 7;
  f.node_index = 1;
  f.node = "n2";
  f.job_name = "sim";
  f.user = "alice";
  return f;
}

TEST(StepPatternTest, ExpandsEveryField) {
  StepOutputFields f = Fields();
  EXPECT_EQ(ExpandStepPattern("out-%j.%s-%t-%n-%N.txt", f), "out-42.3-7-1-n2.txt");
  EXPECT_EQ(ExpandStepPattern("%J %x %u %A %a", f), "42.3 sim alice 42 0");
  EXPECT_EQ(ExpandStepPattern("100%% %3t %2n %5j", f), "100% 007 01 00042");
  EXPECT_EQ(ExpandStepPattern("%q %", f), "%q %");
  EXPECT_EQ(ExpandStepPattern("plain", f), "plain");
  EXPECT_EQ(ExpandStepPattern("%12", f), "%12");
}

TEST(StepPatternTest, ResolvesAgainstTheWorkDirectory) {
  StepOutputFields f = Fields();
  EXPECT_EQ(ResolveStepPath("o-%t", "/home/alice", f), "/home/alice/o-7");
  EXPECT_EQ(ResolveStepPath("o-%t", "/home/alice/", f), "/home/alice/o-7");
  EXPECT_EQ(ResolveStepPath("/abs/%N", "/home/alice", f), "/abs/n2");
  EXPECT_EQ(ResolveStepPath("", "/home/alice", f), "");
}

TEST(LineBufferTest, ReleasesWholeLinesOnly) {
  LineBuffer b;
  EXPECT_TRUE(b.Append("hel", 3).empty());
  auto out = b.Append("lo\nwor", 6);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "hello\n");
  out = b.Append("ld\na\nb\nc", 8);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "world\na\nb\n");  // several lines in one message
  EXPECT_EQ(b.buffered(), 1u);
  EXPECT_EQ(b.Flush(), "c");
  EXPECT_EQ(b.Flush(), "");
}

TEST(LineBufferTest, SplitsOnlyLinesLongerThanAMessage) {
  LineBuffer b;
  std::string big(LineBuffer::kMaxChunk + 10, 'x');
  auto out = b.Append(big.data(), big.size());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(), LineBuffer::kMaxChunk);
  EXPECT_EQ(b.buffered(), 10u);
  out = b.Append("\n", 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], std::string(10, 'x') + "\n");

  // Many short lines: messages end at line boundaries and stay within the limit.
  std::string lines;
  for (int i = 0; i < 20000; ++i) lines += "line " + std::to_string(i) + "\n";
  out = b.Append(lines.data(), lines.size());
  std::string joined;
  for (const std::string& m : out) {
    EXPECT_LE(m.size(), LineBuffer::kMaxChunk);
    EXPECT_EQ(m.back(), '\n');
    joined += m;
  }
  EXPECT_GT(out.size(), 1u);
  EXPECT_EQ(joined, lines);
  EXPECT_EQ(b.buffered(), 0u);
}

}  // namespace
}  // namespace herd::noded
