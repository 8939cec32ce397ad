// herd — the outbox of node messages: sent to registered nodes, resent until answered,
// matched to answers by the request id of the last send.
#include "controller/outbox.h"

#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using proto::MsgType;

class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() : box_(clock_, auth_), nodes_(2) {
    nodes_[0].name = "n1";
    nodes_[1].name = "n2";
  }
  static proto::Frame Decode(const OutMsg& m) {
    auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
    EXPECT_TRUE(f.ok());
    return f.ok() ? *f : proto::Frame{};
  }
  ManualClock clock_;
  testing::FakeAuth auth_;
  Outbox box_;
  std::vector<NodeRecord> nodes_;
};

TEST_F(OutboxTest, SentWhenRegisteredResentUntilAnswered) {
  box_.Queue(0, MsgType::kLaunchBatchRequest, 7, 1, "launch");
  box_.Queue(1, MsgType::kTerminateJobRequest, 8, 1, "kill");
  EXPECT_TRUE(box_.Due(3, nodes_).empty()) << "no node is registered";
  nodes_[0].registered = true;
  auto first = box_.Due(3, nodes_);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].node, 0u);
  proto::Frame f = Decode(first[0]);
  EXPECT_EQ(f.type, MsgType::kLaunchBatchRequest);
  EXPECT_EQ(f.epoch, 3u);
  EXPECT_EQ(f.body, "launch");
  EXPECT_EQ(f.auth, "uid:0");
  EXPECT_EQ(box_.FindIf([](const NodeMessage& o) { return o.job_id == 7; })->attempts, 1u);
  EXPECT_TRUE(box_.Due(3, nodes_).empty()) << "not again before 2 s";
  clock_.Advance(2000);
  auto again = box_.Due(3, nodes_);
  ASSERT_EQ(again.size(), 1u);
  const uint64_t old_id = f.request_id, new_id = Decode(again[0]).request_id;
  EXPECT_NE(old_id, new_id);
  EXPECT_FALSE(box_.TakeAnswered(0, old_id)) << "a late answer to the first send";
  EXPECT_FALSE(box_.TakeAnswered(1, new_id)) << "an answer from another node";
  auto answered = box_.TakeAnswered(0, new_id);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->job_id, 7u);
  EXPECT_EQ(answered->attempts, 2u);
  EXPECT_EQ(box_.FindIf([](const NodeMessage& o) { return o.job_id == 7; }), nullptr);
}

TEST_F(OutboxTest, SendNowToAndDropFor) {
  nodes_[0].registered = nodes_[1].registered = true;
  box_.Queue(0, MsgType::kLaunchBatchRequest, 7, 1, "a");
  box_.Queue(1, MsgType::kLaunchBatchRequest, 8, 1, "b");
  ASSERT_EQ(box_.Due(1, nodes_).size(), 2u);
  box_.SendNowTo(1);  // n2 registered again: what waits for it goes at once
  auto now = box_.Due(1, nodes_);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].node, 1u);
  box_.DropFor(8);
  clock_.Advance(2000);
  auto left = box_.Due(1, nodes_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(Decode(left[0]).body, "a");
  box_.Clear();
  clock_.Advance(2000);
  EXPECT_TRUE(box_.Due(1, nodes_).empty());
}

}  // namespace
}  // namespace herd::ctld
