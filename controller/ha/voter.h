// herd — the voting rules every voter follows, controllers and witness alike.
//
// A vote for epoch E is granted when E is above every epoch this voter has voted in (or
// equal, to the same candidate again), the candidate is not excluded, its journal is at
// least as complete as the voter's own (controllers only: the witness keeps no journal),
// and no other controller holds a lease from this voter. Answering an active's
// AppendRequest grants that active a lease of HaLeaseMs from the moment of receipt; a
// vote grants the new active the same. A voter that just started keeps silent for one
// lease, because it may have granted a lease it no longer remembers.
#pragma once

#include <cstdint>
#include <string>

#include "common/base/status.h"
#include "common/proto/ha_messages.h"
#include "controller/ha/vote_store.h"

namespace herd::ctld::ha {

// "tcp://host:port", as the transport spells an address (kept here so that the HA logic
// does not link the transport).
inline std::string TcpEndpoint(const std::string& host, uint16_t port) {
  return "tcp://" + host + ":" + std::to_string(port);
}

struct LogPos {
  uint64_t log_epoch = 0;
  uint64_t last_seq = 0;
  bool operator<(const LogPos& o) const {
    return log_epoch != o.log_epoch ? log_epoch < o.log_epoch : last_seq < o.last_seq;
  }
};

class Voter {
 public:
  // `voters`: how many voters there are; with one, there is nobody to wait for.
  Voter(std::string name, VoteStore& store, int64_t lease_ms, size_t voters);

  Status Load(int64_t now_ms);
  const VoteState& state() const { return state_; }
  // The last save's failure (a full state disk), OK once a save succeeds.
  const Status& save_error() const { return save_error_; }
  const std::string& name() const { return name_; }

  // `mine`: this voter's journal position; null for the witness.
  proto::VoteReply OnVote(const proto::VoteRequest& req, const LogPos* mine, int64_t now_ms);
  // The lease part of an AppendRequest (records are the controller's business). Adopts a
  // higher epoch. The witness (`keeps_exclusion`) records req.excluded durably.
  proto::AppendReply OnLease(const proto::AppendRequest& req, int64_t now_ms, bool keeps_exclusion);

  // This voter's own moves.
  Status AdoptEpoch(uint64_t epoch);       // a higher epoch seen: forget the old vote
  Status VoteForSelf(uint64_t epoch);      // a candidate's own vote
  Status SetLogEpoch(uint64_t log_epoch);  // the journal now continues `log_epoch`'s
  void HoldLease(const std::string& holder, int64_t until_ms);
  void ReleaseLease() { lease_holder_.clear(), lease_until_ms_ = 0; }

  const std::string& lease_holder() const { return lease_holder_; }
  int64_t lease_until_ms() const { return lease_until_ms_; }
  bool LeaseHeldByOther(const std::string& candidate, int64_t now_ms) const;
  bool InStartGrace(int64_t now_ms) const { return voters_ > 1 && now_ms < grace_until_ms_; }

 private:
  Status Save(VoteState next);

  std::string name_;
  VoteStore& store_;
  int64_t lease_ms_;
  size_t voters_;
  VoteState state_;
  Status save_error_;
  std::string lease_holder_;
  int64_t lease_until_ms_ = 0;
  int64_t grace_until_ms_ = 0;
};

}  // namespace herd::ctld::ha
