// herd sim — policies on a trace (policy_sim.h): exact figures of FCFS and FCFS+EASY on a
// three-job trace, and the same output for the same seed.
#include "testsuite/sim/policy_sim.h"

#include <gtest/gtest.h>

namespace herd::sim {
namespace {

// 4 cpus; job 1 takes half the machine for 100 s, job 2 (the whole machine, 50 s) waits
// for it; job 3 (half, 10 s) fits beside job 1 and ends long before job 2 can start.
const char kTrace[] =
    "; MaxProcs: 4\n"
    "1 0 -1 100 2 -1 -1 2 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n"
    "2 1 -1 50 4 -1 -1 4 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n"
    "3 2 -1 10 2 -1 -1 2 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n";

WindowFigures RunTrace(const std::string& policy, const char* text = kTrace) {
  auto trace = ParseSwf(text, "t.swf");
  EXPECT_TRUE(trace.ok());
  PolicyOptions o;
  EXPECT_TRUE(PolicyPreset(policy, &o.sched, &o.priority));
  o.cpus_per_node = 2;
  o.prefill = false;
  auto r = RunPolicy(*trace, o);
  EXPECT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->windows.size(), 1u);
  return r->mean;
}

TEST(PolicySim, FcfsMakesTheShortJobWait) {
  WindowFigures f = RunTrace("fcfs");
  // Waits 0, 99 and 148 (job 3 runs after job 2, 150-160).
  EXPECT_NEAR(f.mean_wait_s, 247.0 / 3, 1e-9);
  EXPECT_EQ(f.max_wait_s, 148);
  EXPECT_NEAR(f.mean_bsld, (1 + 149.0 / 50 + 158.0 / 10) / 3, 1e-9);
  EXPECT_EQ(f.makespan_s, 160);
  EXPECT_NEAR(f.utilization, 420.0 / (4 * 160), 1e-9);
}

TEST(PolicySim, EasyBackfillsItWithoutDelayingTheWideJob) {
  WindowFigures f = RunTrace("fcfs-easy");
  // Waits 0, 99 (job 2 still starts at 100) and 0.
  EXPECT_NEAR(f.mean_wait_s, 33, 1e-9);
  EXPECT_EQ(f.max_wait_s, 99);
  EXPECT_NEAR(f.mean_bsld, (1 + 149.0 / 50 + 1) / 3, 1e-9);
  EXPECT_EQ(f.makespan_s, 150);
  EXPECT_NEAR(f.utilization, 420.0 / (4 * 150), 1e-9);
}

// 4 cpus; job 1 takes them all for 100 s; job 2 (all, 100 s) and job 3 (half, 200 s)
// wait for it, and job 3 cannot backfill (it would delay job 2).
const char kSizes[] =
    "; MaxProcs: 4\n"
    "1 0 -1 100 4 -1 -1 4 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n"
    "2 1 -1 100 4 -1 -1 4 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n"
    "3 2 -1 200 2 -1 -1 2 -1 -1 1 2 -1 -1 -1 -1 -1 -1\n";

TEST(PolicySim, MultifactorRunsTheSmallerJobFirst) {
  WindowFigures easy = RunTrace("fcfs-easy", kSizes);
  EXPECT_NEAR(easy.mean_wait_s, (0 + 99 + 198) / 3.0, 1e-9);  // in submission order
  // Job size (PriorityFavorSmall): job 3 (2 cpus) outranks job 2 (4 cpus) at 100 s.
  WindowFigures mf = RunTrace("multifactor-easy", kSizes);
  EXPECT_NEAR(mf.mean_wait_s, (0 + 299 + 98) / 3.0, 1e-9);
  EXPECT_EQ(mf.max_wait_s, 299);
}

TEST(PolicySim, SameSeedSameFigures) {
  std::string text;
  for (int i = 0; i < 6; ++i) {
    text += "; MaxProcs: 8\n";
    for (int j = 0; j < 60; ++j) {
      text += std::to_string(i * 60 + j + 1) + " " + std::to_string((i * 60 + j) * 7) + " -1 " +
              std::to_string(5 + (j * 37) % 300) + " " + std::to_string(1 + (j * 5) % 8) +
              " -1 -1 -1 -1 -1 1 1 -1 -1 -1 -1 -1 -1\n";
    }
  }
  auto trace = ParseSwf(text, "t.swf");
  ASSERT_TRUE(trace.ok());
  PolicyOptions o;
  ASSERT_TRUE(PolicyPreset("fcfs-easy", &o.sched));
  o.window = 50;
  o.windows = 3;
  o.seed = 9;
  auto a = RunPolicy(*trace, o), b = RunPolicy(*trace, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->Text(o, false), b->Text(o, false));
  o.seed = 10;
  auto c = RunPolicy(*trace, o);
  ASSERT_TRUE(c.ok());
  auto firsts = [](const PolicyReport& r) {
    std::vector<uint32_t> v;
    for (const WindowFigures& f : r.windows) v.push_back(f.first);
    return v;
  };
  EXPECT_NE(firsts(*a), firsts(*c));  // another seed, other windows
  EXPECT_FALSE(PolicyPreset("sjf", &o.sched));
}

}  // namespace
}  // namespace herd::sim
