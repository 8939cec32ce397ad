// herd — the output gate: a batch's replies go only once durable (and, with a passive,
// once it has the records); a failed commit stalls them, a refusal goes at once;
// stepping down sends only what the passive has.
#include "controller/output_gate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herd::ctld {
namespace {

std::vector<std::string> Bytes(const FlushResult& r) {
  std::vector<std::string> out;
  for (const Reply& rep : r.replies) out.push_back(rep.bytes);
  return out;
}

using Names = std::vector<std::string>;

TEST(OutputGate, HeldUntilThePassiveHasTheRecords) {
  OutputGate gate;
  gate.Push({"a", "r1"}, true);
  gate.HoldBatch(10, {{0, "launch"}});
  gate.Push({"b", "r2"}, true);
  gate.HoldBatch(12, {});
  EXPECT_FALSE(gate.nothing_held());
  FlushResult r;
  gate.Release(9, true, &r);
  EXPECT_TRUE(r.replies.empty());
  gate.Release(11, true, &r);
  EXPECT_EQ(Bytes(r), Names{"r1"});
  ASSERT_EQ(r.node_messages.size(), 1u);
  EXPECT_EQ(r.node_messages[0].bytes, "launch");
  gate.Release(12, /*writable=*/false, &r);
  EXPECT_EQ(Bytes(r), (Names{"r1", "r2"}));
  EXPECT_TRUE(gate.nothing_held());
}

TEST(OutputGate, WithoutAPassiveTheBatchGoesAndRewritesApply) {
  OutputGate gate;
  const size_t i = gate.Push({"a", "pending"}, true);
  gate.Push({"b", ""}, false);  // an answer left empty is not sent
  gate.Rewrite(i, "allocated");
  gate.Rewrite(99, "nothing");  // out of the batch: ignored
  FlushResult r;
  gate.PassBatch(&r);
  EXPECT_EQ(Bytes(r), Names{"allocated"});
  EXPECT_EQ(gate.batch_size(), 0u);
}

TEST(OutputGate, AFailedCommitStallsPromisesButNotRefusals) {
  OutputGate gate;
  gate.Push({"a", "accepted"}, true);
  gate.Push({"b", "refused", /*refusal=*/true}, true);
  FlushResult failed;
  gate.CommitFailed(/*emitted=*/true, &failed);
  EXPECT_EQ(Bytes(failed), Names{"refused"});
  gate.Push({"c", "query"}, false);
  FlushResult nothing_recorded;
  gate.CommitFailed(/*emitted=*/false, &nothing_recorded);
  EXPECT_EQ(Bytes(nothing_recorded), Names{"query"});
  gate.Push({"d", "later"}, true);
  EXPECT_EQ(gate.CommitRecovered(), 1u);
  FlushResult ok;
  gate.PassBatch(&ok);
  EXPECT_EQ(Bytes(ok), (Names{"accepted", "later"})) << "the stalled reply goes first";
}

TEST(OutputGate, SteppingDownSendsOnlyWhatThePassiveHas) {
  OutputGate gate;
  gate.Push({"a", "durable"}, true);
  gate.HoldBatch(5, {{0, "launch"}});
  gate.Push({"b", "lost"}, true);
  gate.HoldBatch(6, {});
  gate.Push({"c", "write"}, true);
  gate.Push({"d", "read"}, false);
  gate.SteppedDown(/*durable=*/5);
  EXPECT_TRUE(gate.nothing_held());
  FlushResult r;
  gate.TakeReleased(&r);
  gate.PassBatch(&r);
  EXPECT_EQ(Bytes(r), (Names{"durable", "read"}));
  EXPECT_TRUE(r.node_messages.empty()) << "the new active decides what nodes are told";
}

}  // namespace
}  // namespace herd::ctld
