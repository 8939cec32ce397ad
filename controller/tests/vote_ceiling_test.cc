// herd — epochs can neither be poisoned nor wrap: a voter refuses epochs above
// proto::kMaxEpoch from anyone, a vote file holding one stops the daemon with a clear
// message, and `herdctld --reset-vote` (ResetPoisonedVote) brings it back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "common/base/fs.h"
#include "controller/ha/voter.h"

namespace herd::ctld::ha {
namespace {

constexpr uint64_t kForged = ~uint64_t{0};  // 2^64-1, as a fake witness answered

class VoteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-votetest-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/vote";
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::string dir_, path_;
};

TEST(VoteCeiling, AVoterRefusesAnImpossibleEpochAndKeepsItsOwn) {
  MemoryVoteStore store;
  Voter v("w", store, 1000, 3);
  ASSERT_TRUE(v.Load(-100000).ok());
  ASSERT_TRUE(v.AdoptEpoch(7).ok());

  proto::VoteRequest vote;
  vote.epoch = kForged;
  vote.candidate = "ctl1";
  proto::VoteReply vr = v.OnVote(vote, nullptr, 0);
  EXPECT_FALSE(vr.granted);
  EXPECT_NE(vr.reason.find("ceiling"), std::string::npos) << vr.reason;
  EXPECT_EQ(v.state().epoch, 7u);

  proto::AppendRequest lease;
  lease.epoch = proto::kMaxEpoch + 1;
  lease.leader = "ctl1";
  proto::AppendReply ar = v.OnLease(lease, 0, /*keeps_exclusion=*/true);
  EXPECT_FALSE(ar.ok);
  EXPECT_EQ(ar.epoch, 7u);
  EXPECT_EQ(v.state().epoch, 7u);

  EXPECT_FALSE(v.AdoptEpoch(kForged).ok());
  EXPECT_EQ(v.state().epoch, 7u);
  EXPECT_EQ(store.Load()->epoch, 7u);

  // At the ceiling itself an epoch is still fine, but there is none left to campaign in:
  // counting never wraps to 0.
  ASSERT_TRUE(v.AdoptEpoch(proto::kMaxEpoch).ok());
  EXPECT_FALSE(v.VoteForSelf(proto::kMaxEpoch + 1).ok());
  EXPECT_FALSE(v.VoteForSelf(0).ok());
  EXPECT_EQ(v.state().epoch, proto::kMaxEpoch);
}

TEST_F(VoteFileTest, APoisonedVoteFileIsRefusedWithTheWayOut) {
  ASSERT_TRUE(WriteFileAtomic(path_,
                              "herd-vote 1 epoch=18446744073709551615 voted_for=ctl2 "
                              "log_epoch=3 excluded=\n")
                  .ok());
  FileVoteStore store(path_);
  auto loaded = store.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(loaded.error().message().find("herdctld --reset-vote"), std::string::npos)
      << loaded.error().message();
  Voter v("ctl1", store, 1000, 3);
  EXPECT_FALSE(v.Load(0).ok());

  auto done = ResetPoisonedVote(path_);
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_NE(done->find("18446744073709551615 -> 65539"), std::string::npos) << *done;
  auto after = store.Load();
  ASSERT_TRUE(after.ok()) << after.error().message();
  EXPECT_EQ(after->epoch, 3u + kResetMargin);
  EXPECT_EQ(after->log_epoch, 3u);
  EXPECT_EQ(after->voted_for, "");
  // The next election counts on from there.
  Voter again("ctl1", store, 1000, 3);
  ASSERT_TRUE(again.Load(0).ok());
  EXPECT_TRUE(again.VoteForSelf(again.state().epoch + 1).ok());
  EXPECT_EQ(store.Load()->epoch, 3u + kResetMargin + 1);
}

// Found by fuzzing: a damaged file with a field twice or a name holding control
// characters loaded, and what was saved from it read back differently. Only what Save
// writes loads now.
TEST_F(VoteFileTest, ADamagedFileIsRefusedNotHalfRead) {
  for (const std::string& text :
       {std::string("herd-vote 1 epoch=18 epoch=4 excluded= log_epoch=2\n"),
        std::string("herd-vote 1 epoch=18 voted_for=ctl\n\x0b log_epoch=2 excluded=\n"),
        std::string("herd-vote 1 epoch=18 voted_for=ctl1 log_epoch=2 excluded=c\0x\n", 61)}) {
    ASSERT_TRUE(WriteFileAtomic(path_, text).ok());
    auto loaded = FileVoteStore(path_).Load();
    ASSERT_FALSE(loaded.ok()) << text;
    EXPECT_EQ(loaded.error().code(), Code::kDataLoss);
  }
  ASSERT_TRUE(
      WriteFileAtomic(path_, "herd-vote 1 epoch=9 voted_for= log_epoch=9 excluded=ctl2\n").ok());
  EXPECT_TRUE(FileVoteStore(path_).Load().ok()) << "empty names are what Save writes";
}

TEST_F(VoteFileTest, ResetLeavesASaneFileAlone) {
  const std::string text = "herd-vote 1 epoch=9 voted_for=ctl1 log_epoch=9 excluded=ctl2\n";
  ASSERT_TRUE(WriteFileAtomic(path_, text).ok());
  auto done = ResetPoisonedVote(path_);
  ASSERT_TRUE(done.ok());
  EXPECT_NE(done->find("nothing to reset"), std::string::npos) << *done;
  EXPECT_EQ(*ReadFile(path_), text);
}

TEST_F(VoteFileTest, APoisonedJournalEpochIsResetToo) {
  ASSERT_TRUE(WriteFileAtomic(path_,
                              "herd-vote 1 epoch=4 voted_for= log_epoch=4611686018427387904 "
                              "excluded=\n")
                  .ok());
  EXPECT_FALSE(FileVoteStore(path_).Load().ok());
  ASSERT_TRUE(ResetPoisonedVote(path_).ok());
  auto after = FileVoteStore(path_).Load();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->log_epoch, 0u);
  EXPECT_EQ(after->epoch, 4u);
}

}  // namespace
}  // namespace herd::ctld::ha
