// herd — the controller's output gate: the replies of a batch, and when they may go.
// Nothing is acknowledged before it is durable: a batch's replies and node messages wait
// for its journal commit, and on an active with a passive also until the passive has the
// batch's records (held, ha_control.h rule 3). A batch whose commit failed keeps its
// replies (stalled) until a later commit succeeds (limits.cc); a refusal promises nothing
// and goes at once. Stepping down sends only what the passive has durably. A component
// of the controller core (core.h, doc/design.md §11).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/outbox.h"

namespace herd::ctld {

struct Reply {
  std::string peer;   // routing id from the server
  std::string bytes;  // a frame; empty: not sent
  // A refusal (a StatusReply with an error) promises nothing that a journal commit must
  // make durable: it is sent even when its batch's commit failed (limits.cc).
  bool refusal = false;
};

// A frame for another voter (the other controller or the witness), signed.
struct PeerMsg {
  size_t peer = 0;  // index into ha().peers()
  std::string bytes;
};

struct FlushResult {
  // Non-OK: the journal could not be made durable. The controller goes on: the batch's
  // output waits until a later flush can write it (limits.cc), the rest is returned.
  Status status;
  std::vector<Reply> replies;
  std::vector<OutMsg> node_messages;
  std::vector<PeerMsg> peer_messages;
};

class OutputGate {
 public:
  // A reply of this batch; its index in the batch. `to_write`: to a request that may have
  // changed the state (answered while writable): never sent unless it becomes durable.
  size_t Push(Reply reply, bool to_write);
  // Replaces the bytes of reply `index` of this batch (an answer completed at the flush).
  void Rewrite(size_t index, std::string bytes);
  size_t batch_size() const { return batch_.size(); }

  // The batch is committed, on an active that holds output for its passive: its replies
  // and `node_messages` wait until the passive has record `seq`.
  void HoldBatch(uint64_t seq, std::vector<OutMsg> node_messages);
  // The batch is committed, with no passive to wait for: its replies go out in `r`.
  void PassBatch(FlushResult* r);
  // Moves held output whose records the passive has (up to `releasable_seq`) to `r`;
  // node messages only while `writable` (the outbox sends again when it may).
  void Release(uint64_t releasable_seq, bool writable, FlushResult* r);
  // Replies released by stepping down, sent at the next flush.
  void TakeReleased(FlushResult* r);
  // Nothing is waiting for the passive.
  bool nothing_held() const { return held_.empty(); }

  // The batch's commit failed. `emitted`: it appended records, so its replies (except
  // refusals) wait for a later commit; without records they go now.
  void CommitFailed(bool emitted, FlushResult* r);
  // A commit succeeded after failures: the stalled replies go first, then this batch's.
  // Returns how many were stalled.
  size_t CommitRecovered();

  // Became active: whatever was held belongs to an earlier term.
  void BecameActive() { held_.clear(); }
  // Stepped down: held replies whose records the passive has (up to `durable`) are true
  // acknowledgments and go at the next flush; the rest, and every answer to a write of
  // this batch, is dropped (the new active decides).
  void SteppedDown(uint64_t durable);

 private:
  struct Held {
    uint64_t seq = 0;
    std::vector<Reply> replies;
    std::vector<OutMsg> node_messages;
  };
  void EndBatch();

  std::vector<Reply> batch_;           // replies to requests of this batch
  std::vector<size_t> write_replies_;  // indexes in batch_ of answers to writes
  std::deque<Held> held_;
  std::vector<Reply> released_;  // on stepping down: durable on the passive
  std::vector<Reply> stalled_;   // of batches whose records are not durable yet
};

}  // namespace herd::ctld
