// herd — messages of the controller pair and the witness (doc/design.md §5, doc/ha.md).
//
// Voters are the configured controllers plus the optional witness. A controller that
// wins a majority for a new epoch (VoteRequest) becomes active; it then sends an
// AppendRequest to every other voter at least every lease/4: to the passive controller
// with the journal records it has not acknowledged yet, to the witness with none. A voter
// that answered an AppendRequest at time t will not vote for anybody else before
// t + lease, which is what lets the active stop writing before another can be elected.
//
// Every controller that is not the active one answers requests it may not serve with
// NotActiveReply, which names the active controller when it knows one; clients follow it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/messages.h"

namespace herd::proto {

// The highest epoch herd ever accepts, from anyone: one election a millisecond would take
// 8,900 years to reach it, so an epoch above is forged or damaged. Refused wherever an
// epoch arrives (votes, leases, replies, vote files) and never reached by counting, so
// an epoch can neither be poisoned to 2^64-1 nor wrap to 0.
constexpr uint64_t kMaxEpoch = uint64_t{1} << 48;
inline bool SaneEpoch(uint64_t epoch) { return epoch <= kMaxEpoch; }

struct NotActiveReply {
  static constexpr MsgType kType = MsgType::kNotActiveReply;
  std::string active_name;  // "" when unknown (an election is going on)
  std::string active_addr;  // "tcp://host:port", "" when unknown
  uint64_t epoch = 0;       // the highest epoch this controller knows
  std::string role;         // what the answering controller is: passive, candidate, fenced
  // Version 1: why it cannot become active when something keeps it from it (its vote
  // cannot be saved: a full state disk), "" otherwise.
  std::string reason;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& active_name& active_addr& epoch& role;
    if (version >= 1) ar& reason;
  }
};

struct ControllerStatus {
  std::string name;
  std::string addr;
  std::string role;  // active, passive, candidate, witness, unreachable
  uint64_t epoch = 0;
  uint64_t last_seq = 0;  // last journal record it has durably
  bool in_sync = false;   // passive: acknowledged everything; eligible to take over
  int64_t lag_ms = -1;    // passive: age of the oldest record it has not acknowledged
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& addr& role& epoch& last_seq& in_sync& lag_ms;
  }
};

struct HaStatusRequest {
  static constexpr MsgType kType = MsgType::kHaStatusRequest;
  template <class A>
  void serialize(A&, unsigned) {}
};

struct HaStatusReply {
  static constexpr MsgType kType = MsgType::kHaStatusReply;
  std::string served_by;  // the controller that answered
  std::string role;       // its role
  uint64_t epoch = 0;
  std::string active;     // name of the active controller, "" when unknown
  uint64_t last_seq = 0;  // the answering controller's last durable record
  // Answered by the passive: how far it is behind the active, as far as it knows
  // (records it has not received, ms since it last heard from the active).
  uint64_t behind_records = 0;
  int64_t behind_ms = 0;
  std::vector<ControllerStatus> controllers;  // every voter, as the answering one sees it
  // Accounting (version 1): "" when not configured, else "sqlite"/"postgresql"; the link
  // "up", "down" or "connecting" with the last error; jobs and node events not yet stored.
  std::string acct_type;
  std::string acct_link;
  std::string acct_error;
  uint64_t acct_backlog = 0;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& served_by& role& epoch& active& last_seq& behind_records& behind_ms& controllers;
    if (version >= 1) ar& acct_type& acct_link& acct_error& acct_backlog;
  }
};

// hcontrol takeover [NAME]: sent to the active; it stops accepting writes, brings the
// other controller fully up to date, and hands it the role. The reply comes when the
// handover has started (StatusReply OK) or was refused.
struct TakeoverRequest {
  static constexpr MsgType kType = MsgType::kTakeoverRequest;
  std::string to;  // the controller to hand over to; "" = the other one
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& to;
  }
};

struct VoteRequest {
  static constexpr MsgType kType = MsgType::kVoteRequest;
  uint64_t epoch = 0;      // the epoch the candidate wants
  std::string candidate;   // controller name
  uint64_t log_epoch = 0;  // epoch of the active its journal came from
  uint64_t last_seq = 0;   // its last durable record
  bool handoff = false;    // the active asked it to take over (hcontrol takeover)
  // A pre-vote asks "would you vote for me?" and changes nothing at the voter: a
  // candidate raises its epoch only when a majority would elect it, so a controller that
  // cannot win (cut off, behind) never disturbs the active by raising the epoch.
  bool pre_vote = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& epoch& candidate& log_epoch& last_seq& handoff& pre_vote;
  }
};

struct VoteReply {
  static constexpr MsgType kType = MsgType::kVoteReply;
  uint64_t epoch = 0;  // the voter's epoch after handling the request
  bool granted = false;
  std::string voter;
  std::string reason;  // why not
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& epoch& granted& voter& reason;
  }
};

struct HaRecord {
  uint64_t seq = 0;
  uint16_t type = 0;
  std::string body;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& seq& type& body;
  }
};

struct AppendRequest {
  static constexpr MsgType kType = MsgType::kAppendRequest;
  uint64_t epoch = 0;
  std::string leader;       // the active's name
  std::string leader_addr;  // where clients should go
  uint64_t prev_seq = 0;    // records[0].seq - 1 (or the active's last seq when empty)
  std::vector<HaRecord> records;
  // To the witness: a controller that may not be elected (it has not got everything the
  // active acknowledged). "" = every controller is eligible.
  std::string excluded;
  bool release = false;  // the active gives up its lease (takeover): vote freely now
  bool handoff = false;  // to the passive: start an election now, you are up to date
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& epoch& leader& leader_addr& prev_seq& records& excluded& release& handoff;
  }
};

struct AppendReply {
  static constexpr MsgType kType = MsgType::kAppendReply;
  uint64_t epoch = 0;     // the voter's epoch (higher than the request's: the sender is fenced)
  bool ok = false;        // lease granted (and records, if any, durable)
  uint64_t last_seq = 0;  // the voter's last durable record (0 for the witness)
  bool need_snapshot = false;  // its journal does not continue the active's: send the state
  std::string voter;
  std::string reason;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& epoch& ok& last_seq& need_snapshot& voter& reason;
  }
};

struct BlobEntry {
  uint64_t job_id = 0;
  std::string script;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& script& argv& env;
  }
};

// The whole state at `seq`, replacing the passive's journal; answered with AppendReply.
struct InstallSnapshotRequest {
  static constexpr MsgType kType = MsgType::kInstallSnapshotRequest;
  uint64_t epoch = 0;
  std::string leader;
  std::string leader_addr;
  uint64_t seq = 0;
  std::string state;             // ClusterState::Snapshot()
  std::vector<BlobEntry> blobs;  // scripts of the jobs that have not finished
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& epoch& leader& leader_addr& seq& state& blobs;
  }
};

}  // namespace herd::proto

BOOST_CLASS_VERSION(herd::proto::NotActiveReply, 1)
BOOST_CLASS_VERSION(herd::proto::HaStatusReply, 1)
