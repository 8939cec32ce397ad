// herd hrun — tests of exit-code aggregation, failure lines, fences and node liveness.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "commands/hrun/step_state.h"

namespace herd::hrun {
namespace {

std::vector<proto::StepNode> Layout() {
  std::vector<proto::StepNode> l(2);
  l[0].node = "n1";
  l[0].tasks = {0, 1};
  l[1].node = "n2";
  l[1].tasks = {2, 3};
  return l;
}

int Exited(int code) { return code << 8; }

TEST(ExitCodes, StatusToCode) {
  EXPECT_EQ(ExitCodeOf(Exited(0)), 0);
  EXPECT_EQ(ExitCodeOf(Exited(3)), 3);
  EXPECT_EQ(ExitCodeOf(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(ExitCodeOf(SIGSEGV | 0x80), 128 + SIGSEGV);
  EXPECT_EQ(DescribeWaitStatus(Exited(0)), "");
  EXPECT_EQ(DescribeWaitStatus(Exited(2)), "Exited with exit code 2");
  EXPECT_EQ(DescribeWaitStatus(SIGKILL), "Killed");
  EXPECT_EQ(DescribeWaitStatus(SIGSEGV | 0x80), "Segmentation fault (core dumped)");
  EXPECT_EQ(FormatRanks({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  EXPECT_EQ(FormatRanks({4}), "4");
}

TEST(TaskTable, HighestCodeWins) {
  TaskTable t(Layout());
  EXPECT_EQ(t.ExitCode(), 0);
  EXPECT_TRUE(t.RecordExit(0, Exited(0)));
  EXPECT_TRUE(t.RecordExit(1, Exited(4)));
  EXPECT_FALSE(t.RecordExit(1, Exited(9)));  // a second report is ignored
  EXPECT_FALSE(t.RecordExit(7, Exited(9)));  // not in the step
  EXPECT_EQ(t.ExitCode(), 4);
  EXPECT_TRUE(t.RecordExit(2, SIGTERM));
  EXPECT_EQ(t.ExitCode(), 128 + SIGTERM);
  EXPECT_FALSE(t.AllExited());
  EXPECT_TRUE(t.RecordExit(3, Exited(0)));
  EXPECT_TRUE(t.AllExited());
  EXPECT_EQ(*t.NodeOf(3), 1u);
  EXPECT_FALSE(t.NodeOf(4).has_value());
}

TEST(TaskTable, FailureLinesPerNode) {
  TaskTable t(Layout());
  t.RecordExit(0, Exited(1));
  t.RecordExit(1, Exited(1));
  t.RecordExit(2, Exited(0));
  t.RecordExit(3, SIGKILL);
  EXPECT_EQ(t.DescribeFailures(0),
            (std::vector<std::string>{"n1: tasks 0-1: Exited with exit code 1"}));
  EXPECT_EQ(t.DescribeFailures(1), (std::vector<std::string>{"n2: task 3: Killed"}));
  EXPECT_EQ(t.NodeTasks(1), "tasks 2-3");
}

TEST(TaskTable, UnreportedTasksOfAFinishedNode) {
  TaskTable t(Layout());
  t.RecordExit(2, Exited(0));
  t.MarkUnreported(1, Exited(1));
  t.MarkUnreported(0, SIGKILL);
  EXPECT_TRUE(t.AllExited());
  EXPECT_EQ(t.ExitCode(), 128 + SIGKILL);
  EXPECT_EQ(t.DescribeFailures(1),
            (std::vector<std::string>{"n2: task 3: Exited with exit code 1"}));
}

TEST(Fence, AllNodesInNodeOrder) {
  FenceAggregator f(3);
  EXPECT_FALSE(f.Add(1, 2, "C").has_value());
  EXPECT_FALSE(f.Add(1, 0, "A").has_value());
  EXPECT_FALSE(f.Add(1, 0, "X").has_value());  // a resend keeps the first blob
  EXPECT_FALSE(f.Add(2, 0, "a").has_value());  // fences overlap
  EXPECT_EQ(f.open_fences(), 2u);
  EXPECT_EQ(*f.Add(1, 1, "B"), "ABC");
  EXPECT_FALSE(f.Add(1, 1, "B").has_value());  // completed already
  EXPECT_FALSE(f.Add(2, 5, "bad").has_value());
  EXPECT_FALSE(f.Add(2, 1, "").has_value());
  EXPECT_EQ(*f.Add(2, 2, "c"), "ac");
  EXPECT_EQ(f.open_fences(), 0u);
  FenceAggregator one(1);
  EXPECT_EQ(*one.Add(0, 0, "solo"), "solo");
}

TEST(NodeTable, HelloAndLiveness) {
  using Clock = NodeTable::Clock;
  using std::chrono::seconds;
  const Clock::time_point t0 = Clock::now();
  NodeTable n(Layout(), t0);
  EXPECT_FALSE(n.Hello(0, "n2", "p0", t0));  // name and index must agree
  EXPECT_TRUE(n.Hello(0, "n1", "p0", t0 + seconds(1)));
  EXPECT_EQ(n.at(0).peer, "p0");
  EXPECT_EQ(*n.Find("n2"), 1u);
  // n2 never said hello: lost after the hello timeout, not before.
  n.Heard("p0", t0 + seconds(8));
  EXPECT_FALSE(n.FindSilent(t0 + seconds(9), seconds(10), seconds(5)).has_value());
  EXPECT_EQ(*n.FindSilent(t0 + seconds(11), seconds(10), seconds(5)), 1u);
  n.Hello(1, "n2", "p1", t0 + seconds(2));
  EXPECT_FALSE(n.FindSilent(t0 + seconds(7), seconds(10), seconds(5)).has_value());
  EXPECT_EQ(*n.FindSilent(t0 + seconds(8), seconds(10), seconds(5)), 1u);
  n.MarkDone(1);  // a finished node may go quiet
  EXPECT_FALSE(n.FindSilent(t0 + seconds(12), seconds(10), seconds(5)).has_value());
  EXPECT_EQ(*n.FindSilent(t0 + seconds(14), seconds(10), seconds(5)), 0u);
  // A reconnect brings a new routing id; the old one no longer counts.
  n.Hello(0, "n1", "p0b", t0 + seconds(14));
  n.Heard("p0", t0 + seconds(30));
  EXPECT_EQ(*n.FindSilent(t0 + seconds(20), seconds(10), seconds(5)), 0u);
  EXPECT_FALSE(n.AllDone());
  n.MarkDone(0);
  EXPECT_TRUE(n.AllDone());
}

TEST(NodeTable, NeverHello) {
  const auto t0 = NodeTable::Clock::now();
  NodeTable n(Layout(), t0);
  EXPECT_EQ(*n.FindSilent(t0 + std::chrono::seconds(11), std::chrono::seconds(10),
                          std::chrono::seconds(5)),
            0u);
}

}  // namespace
}  // namespace herd::hrun
