// herd — per-peer rate limit of refusal log lines.
#include "common/base/log_limit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace herd {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PeerLogLimiter, BurstThenCountedThenSummedUpOnce) {
  PeerLogLimiter lim(3, 10000);
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += lim.Admit("10.0.0.7", 1000 + i) ? 1 : 0;
  EXPECT_EQ(admitted, 3);
  EXPECT_TRUE(lim.Admit("10.0.0.8", 1500));         // another peer has its own budget
  EXPECT_THAT(lim.TakeSummaries(5000), IsEmpty());  // the window is still open
  EXPECT_THAT(lim.TakeSummaries(11000),
              ElementsAre("7 more refused from 10.0.0.7 in the last 10 s"));
  EXPECT_THAT(lim.TakeSummaries(30000), IsEmpty());  // said once; 10.0.0.8 left nothing out
  EXPECT_TRUE(lim.Admit("10.0.0.7", 30001));         // a new window
}

TEST(PeerLogLimiter, WindowClosedByTheNextLine) {
  PeerLogLimiter lim(1, 10000);
  EXPECT_TRUE(lim.Admit("p", 0));
  EXPECT_FALSE(lim.Admit("p", 1));
  EXPECT_FALSE(lim.Admit("p", 2));
  EXPECT_TRUE(lim.Admit("p", 12000));  // the old window's count is kept for the summary
  EXPECT_THAT(lim.TakeSummaries(12001), ElementsAre("2 more refused from p in the last 10 s"));
  EXPECT_THAT(lim.TakeSummaries(12002), IsEmpty());
}

TEST(PeerLogLimiter, ManyPeersShareOneEntry) {
  PeerLogLimiter lim(1, 10000, 2);
  EXPECT_TRUE(lim.Admit("a", 0));
  EXPECT_TRUE(lim.Admit("b", 0));
  EXPECT_TRUE(lim.Admit("c", 0));   // the first of the others
  EXPECT_FALSE(lim.Admit("d", 0));  // counted with them
  EXPECT_FALSE(lim.Admit("e", 0));
  EXPECT_THAT(lim.TakeSummaries(10000),
              ElementsAre("2 more refused from other peers in the last 10 s"));
}

}  // namespace
}  // namespace herd
