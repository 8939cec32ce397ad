// herd hrun — tests of the output line assembler and its labels.
#include <gtest/gtest.h>

#include "commands/hrun/output_assembler.h"

namespace herd::hrun {
namespace {

TEST(OutputAssembler, WholeLinesOnly) {
  OutputAssembler a(2, false, false);
  EXPECT_EQ(a.Add(0, 1, "hel"), "");
  EXPECT_EQ(a.Add(1, 1, "world\nand"), "world\n");
  EXPECT_EQ(a.Add(0, 1, "lo\nx\n"), "hello\nx\n");
  EXPECT_EQ(a.Add(0, 2, "err\n"), "err\n");
  // Rank 1's unfinished line comes out at its exit, without an invented newline.
  auto [out, err] = a.FlushRank(1);
  EXPECT_EQ(out, "and");
  EXPECT_EQ(err, "");
  // ... and another task's line then starts on a line of its own.
  EXPECT_EQ(a.Add(0, 1, "next\n"), "\nnext\n");
}

TEST(OutputAssembler, Labels) {
  OutputAssembler a(4, true, false);
  EXPECT_EQ(a.Label(3), "3: ");
  EXPECT_EQ(a.Add(2, 1, "a\nb\n"), "2: a\n2: b\n");
  EXPECT_EQ(a.Add(3, 2, "oops\n"), "3: oops\n");
  // The width is that of the largest rank, as srun's.
  EXPECT_EQ(OutputAssembler(10, true, false).Label(3), "3: ");
  EXPECT_EQ(OutputAssembler(11, true, false).Label(3), " 3: ");
  EXPECT_EQ(OutputAssembler(11, true, false).Label(10), "10: ");
  EXPECT_EQ(OutputAssembler(1000, true, false).Label(7), "  7: ");
  EXPECT_EQ(OutputAssembler(4, false, false).Label(3), "");
}

TEST(OutputAssembler, StreamsAreSeparate) {
  OutputAssembler a(2, true, false);
  EXPECT_EQ(a.Add(0, 1, "x"), "");
  EXPECT_EQ(a.Add(0, 2, "y"), "");
  auto [out, err] = a.FlushAll();
  EXPECT_EQ(out, "0: x");
  EXPECT_EQ(err, "0: y");
}

TEST(OutputAssembler, UnbufferedWritesPartialLinesAtOnce) {
  OutputAssembler a(2, true, true);
  EXPECT_EQ(a.Add(0, 1, "prompt> "), "0: prompt> ");
  EXPECT_EQ(a.Add(0, 1, "answer\n"), "answer\n");  // the same line goes on, unlabelled
  EXPECT_EQ(a.Add(1, 1, "a"), "1: a");
  EXPECT_EQ(a.Add(0, 1, "b\n"), "\n0: b\n");  // never two tasks within one line
  EXPECT_EQ(a.Add(1, 1, "c\n"), "1: c\n");    // its line was ended for rank 0's
}

TEST(OutputAssembler, OversizedPartialLineIsWritten) {
  OutputAssembler a(1, false, false);
  const std::string big(OutputAssembler::kMaxPartial, 'z');
  EXPECT_EQ(a.Add(0, 1, big), big);
  EXPECT_EQ(a.Add(0, 1, "end\n"), "end\n");
}

TEST(OutputAssembler, FlushAllEndsEveryTask) {
  OutputAssembler a(3, false, false);
  a.Add(2, 1, "two");
  a.Add(0, 1, "zero");
  auto [out, err] = a.FlushAll();
  EXPECT_EQ(out, "zero\ntwo");
  EXPECT_EQ(err, "");
  EXPECT_EQ(a.FlushAll().first, "");
}

}  // namespace
}  // namespace herd::hrun
