// herd — a controller's part in high availability (doc/design.md §5, doc/ha.md): its role
// (passive, candidate, active), elections with pre-votes, the active's lease, and the
// replication of journal records to the other controller. Pure logic on an injected
// clock: it sends nothing itself but hands out frames for the server (or the simulator)
// to sign and deliver, so the same code runs in herdctld and in the simulation.
//
// Safety comes from three rules. (1) An election needs a majority of the voters for an
// epoch above any they have voted in. (2) A voter that renewed an active's lease at time t
// votes for nobody else before t + HaLeaseMs; the active counts its lease from the moment
// it *sent* the renewal and stops writing HaLeaseMs*0.9 later, so it stops before any
// voter can elect another. (3) While the passive is in sync, output of a flush (replies,
// node messages) is released only when the passive has the records durably; when the
// passive stops answering, the active first makes the witness record that the passive may
// not be elected, and only then goes on alone.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/base/clock.h"
#include "common/config/config.h"
#include "common/proto/envelope.h"
#include "common/proto/ha_messages.h"
#include "controller/ha/voter.h"

namespace herd::ctld::ha {

enum class Role : uint8_t { kPassive, kCandidate, kActive };
const char* RoleName(Role r);

// One other voter, as seen from this controller.
struct Peer {
  std::string name;
  std::string addr;  // tcp://host:port
  bool controller = false;
  // Replication (the other controller only).
  uint64_t acked_seq = 0;  // the last record it has durably
  uint64_t sent_seq = 0;   // the last record sent to it
  bool need_snapshot = false;
  bool snapshot_in_flight = false;
  int64_t snapshot_sent_ms = 0;
  bool in_sync = false;
  bool confirmed = false;  // it has answered that its journal continues this active's
  // Lease: the latest send time of a request it granted in this epoch.
  int64_t granted_sent_ms = INT64_MIN;
  int64_t last_reply_ms = INT64_MIN;
  int64_t last_send_ms = INT64_MIN;
};

struct HaOutgoing {
  size_t peer = 0;
  proto::Frame frame;  // unsigned; request id set
};

class HaControl {
 public:
  // `self`: this controller's name in config.controllers. `rand(lo, hi)`: uniform integer
  // for election jitter (the simulator passes its seeded generator).
  HaControl(const ClusterConfig& config, const std::string& self, Clock& clock, VoteStore& store,
            std::function<int64_t(int64_t, int64_t)> rand);

  Status Load();
  // herdctld --min-epoch: raise the persisted epoch to `epoch` (when below), so that this
  // controller's next election is above every epoch node daemons have seen (nodes fenced
  // by a controller that lost its state). Before the first Tick.
  Status RaiseEpoch(uint64_t epoch);

  Role role() const { return role_; }
  uint64_t epoch() const { return voter_.state().epoch; }
  uint64_t log_epoch() const { return voter_.state().log_epoch; }
  const std::string& self() const { return self_; }
  const std::string& active_name() const { return leader_; }
  const std::string& active_addr() const { return leader_addr_; }
  const std::vector<Peer>& peers() const { return peers_; }
  const Peer* controller_peer() const;
  // May this controller change state, schedule and launch right now?
  bool Writable() const;
  int64_t lease_until_ms() const { return lease_until_ms_; }
  int64_t last_heard_ms() const { return last_heard_ms_; }
  // Why the vote could not be saved last time (OK once it could): what keeps a controller
  // on a full state disk from being elected.
  const Status& vote_error() const { return voter_.save_error(); }

  // Requests from other voters. `last_seq`: this controller's journal position.
  proto::VoteReply OnVote(const proto::VoteRequest& req, uint64_t last_seq);
  struct AppendVerdict {
    proto::AppendReply reply;  // last_seq to be filled in after applying
    bool apply = false;        // the records continue this journal: apply those > last_seq
  };
  AppendVerdict OnAppend(const proto::AppendRequest& req, uint64_t last_seq);
  // An InstallSnapshotRequest: kOk when it may be installed (then call Installed()).
  proto::AppendReply OnSnapshot(const proto::InstallSnapshotRequest& req);
  Status Installed(uint64_t epoch);
  // A reply from peer `peer` to one of our frames.
  void OnReply(size_t peer, const proto::Frame& f, uint64_t last_seq);

  // Active: the records of this flush, in order (the local commit may still be running).
  void Committed(std::vector<proto::HaRecord> records);
  // Timers: elections, renewals, resends. `last_seq`: this controller's journal position.
  void Tick(uint64_t last_seq);
  std::vector<HaOutgoing> TakeOutgoing();
  // Output tied to records up to this seq may be released (UINT64_MAX: everything).
  uint64_t ReleasableSeq() const;
  // The passive needs the whole state; the core answers with SendSnapshot().
  bool WantsSnapshot() const;
  void SendSnapshot(proto::InstallSnapshotRequest req);

  // hcontrol takeover: hand the role to the other controller.
  Status StartTakeover(const std::string& to, uint64_t last_seq);
  bool handing_over() const { return handing_over_; }

  proto::HaStatusReply StatusReport(uint64_t last_seq) const;
  // Counts role changes, so that the core notices becoming active or stepping down.
  uint64_t role_changes() const { return role_changes_; }

 private:
  size_t Majority() const { return (peers_.size() + 1) / 2 + 1; }
  void SetRole(Role r, const std::string& why);
  void StepDown(const std::string& why);
  void StartPreVote(uint64_t last_seq);
  void StartVote(uint64_t last_seq);
  void BecomeActive(uint64_t last_seq);
  void SendVotes(bool pre, uint64_t last_seq);
  void SendAppend(size_t peer, bool release, bool handoff);
  void UpdateLease();
  void UpdateSync(uint64_t last_seq);
  void ContinueHandover(uint64_t last_seq);
  struct InFlight;
  // A voter answered with a higher epoch (and refused): adopt it, step down. True then.
  bool FencedBy(size_t peer, uint64_t their_epoch, bool granted);
  void OnVoteReply(size_t peer, const InFlight& sent, const proto::VoteReply& rep,
                   uint64_t last_seq);
  void OnAppendReply(size_t peer, const InFlight& sent, const proto::AppendReply& rep,
                     uint64_t last_seq);
  int64_t ElectionTimeout();
  uint64_t Send(size_t peer, proto::MsgType type, std::string body);

  const ClusterConfig& config_;
  std::string self_;
  std::string self_addr_;
  Clock& clock_;
  Voter voter_;
  std::function<int64_t(int64_t, int64_t)> rand_;
  int64_t lease_ms_;
  int64_t sync_timeout_ms_;
  std::vector<Peer> peers_;

  Role role_ = Role::kPassive;
  uint64_t role_changes_ = 0;
  std::string leader_, leader_addr_;
  int64_t last_heard_ms_ = 0;    // from the active (or our own start)
  bool synced_ = false;          // passive: the active counts it as in sync
  uint64_t leader_seq_ = 0;      // passive: the active's last record, as far as it told
  int64_t election_due_ms_ = 0;  // passive: start an election at this time
  int64_t lease_until_ms_ = 0;   // active: writes allowed before this
  int64_t next_renew_ms_ = 0;
  // Candidate.
  bool pre_vote_ = false;
  uint64_t candidate_epoch_ = 0;
  int64_t phase_deadline_ms_ = 0;
  int64_t phase_sent_ms_ = 0;
  std::vector<bool> granted_;
  std::vector<bool> refused_;
  // Active: records not yet acknowledged by the other controller, with commit times.
  std::deque<proto::HaRecord> unacked_;
  std::deque<int64_t> unacked_ms_;
  // The witness has recorded that the other controller may not be elected.
  bool exclusion_confirmed_ = false;
  // Takeover.
  bool handing_over_ = false;
  std::string handover_to_;
  int64_t handover_deadline_ms_ = 0;
  bool release_sent_ = false;
  bool release_acked_ = false;
  // Requests in flight, by request id.
  struct InFlight {
    size_t peer = 0;
    proto::MsgType type = proto::MsgType::kInvalid;
    int64_t sent_ms = 0;
    uint64_t epoch = 0;    // the epoch it was sent in (votes: the epoch asked for)
    uint64_t hi = 0;       // appends and snapshots: the last record it covers
    bool pre = false;      // a pre-vote
    std::string excluded;  // witness appends: what was sent
    bool release = false;
  };
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t next_request_id_ = 1;
  std::vector<HaOutgoing> out_;
};

}  // namespace herd::ctld::ha
