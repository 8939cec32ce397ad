// herd — what a controller does with the other voters' requests and replies, the
// planned takeover, and its status report.
#include <algorithm>

#include "common/base/log.h"
#include "common/proto/codec.h"
#include "controller/ha/ha_control.h"

namespace herd::ctld::ha {

proto::VoteReply HaControl::OnVote(const proto::VoteRequest& req, uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  const LogPos mine{log_epoch(), last_seq};
  proto::VoteReply rep = voter_.OnVote(req, &mine, now);
  HERD_LOG(Info) << (req.pre_vote ? "pre-vote" : "vote") << " for " << req.candidate << " in epoch "
                 << req.epoch << ": "
                 << (rep.granted ? std::string("granted") : "refused, " + rep.reason);
  if (rep.granted && !req.pre_vote) {
    if (role_ != Role::kPassive) StepDown("voted for " + req.candidate);
    leader_.clear();
    leader_addr_.clear();
    last_heard_ms_ = now;
    election_due_ms_ = now + ElectionTimeout();
  }
  return rep;
}

HaControl::AppendVerdict HaControl::OnAppend(const proto::AppendRequest& req, uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  AppendVerdict v;
  v.reply = voter_.OnLease(req, now, /*keeps_exclusion=*/false);
  v.reply.last_seq = last_seq;
  if (!v.reply.ok) return v;
  if (req.leader == self_) {  // cannot happen: two controllers with one name
    v.reply.ok = false;
    v.reply.reason = "both controllers are named " + self_;
    return v;
  }
  if (role_ != Role::kPassive) {
    StepDown(req.leader + " is active in epoch " + std::to_string(req.epoch));
  }
  if (leader_ != req.leader) {
    HERD_LOG(Info) << "following " << req.leader << " (" << req.leader_addr << ") in epoch "
                   << req.epoch;
  }
  leader_ = req.leader;
  leader_addr_ = req.leader_addr;
  last_heard_ms_ = now;
  synced_ = req.excluded != self_;
  leader_seq_ = std::max(req.prev_seq, req.records.empty() ? 0 : req.records.back().seq);
  election_due_ms_ = now + ElectionTimeout();
  if (req.handoff) {
    HERD_LOG(Info) << req.leader << " hands the active role over: starting an election";
    election_due_ms_ = now;
  }
  if (log_epoch() != req.epoch) {
    v.reply.need_snapshot = true;  // this journal may hold records the active never had
  } else if (req.prev_seq <= last_seq) {
    v.apply = true;
  }
  return v;
}

proto::AppendReply HaControl::OnSnapshot(const proto::InstallSnapshotRequest& req) {
  proto::AppendRequest lease;
  lease.epoch = req.epoch;
  lease.leader = req.leader;
  lease.leader_addr = req.leader_addr;
  lease.prev_seq = req.seq;
  lease.excluded = self_;  // not in sync before it has installed this
  AppendVerdict v = OnAppend(lease, 0);
  v.reply.need_snapshot = false;
  return v.reply;
}

Status HaControl::Installed(uint64_t epoch) { return voter_.SetLogEpoch(epoch); }

void HaControl::OnReply(size_t peer, const proto::Frame& f, uint64_t last_seq) {
  auto it = in_flight_.find(f.request_id);
  if (it == in_flight_.end() || it->second.peer != peer) return;  // late or unknown
  const InFlight sent = it->second;
  in_flight_.erase(it);
  peers_[peer].last_reply_ms = clock_.MonotonicMs();
  if (f.type == proto::MsgType::kVoteReply) {
    auto rep = proto::DecodeBody<proto::VoteReply>(f.body);
    if (rep.ok() && !FencedBy(peer, rep->epoch, rep->granted)) {
      OnVoteReply(peer, sent, *rep, last_seq);
    }
  } else if (f.type == proto::MsgType::kAppendReply) {
    auto rep = proto::DecodeBody<proto::AppendReply>(f.body);
    if (rep.ok() && !FencedBy(peer, rep->epoch, false)) OnAppendReply(peer, sent, *rep, last_seq);
  }
}

bool HaControl::FencedBy(size_t peer, uint64_t their_epoch, bool granted) {
  if (!proto::SaneEpoch(their_epoch)) {
    // Not believed, whoever said it: a voter never has such an epoch.
    HERD_LOG(Error) << peers_[peer].name << " answered with epoch " << their_epoch
                    << ", above the ceiling " << proto::kMaxEpoch << ": reply ignored";
    return true;
  }
  if (their_epoch <= epoch() || granted) return false;
  (void)voter_.AdoptEpoch(their_epoch);
  if (role_ != Role::kPassive) {
    StepDown(peers_[peer].name + " is in epoch " + std::to_string(their_epoch));
  }
  return true;
}

void HaControl::OnVoteReply(size_t peer, const InFlight& sent, const proto::VoteReply& rep,
                            uint64_t last_seq) {
  if (role_ != Role::kCandidate || sent.epoch != candidate_epoch_ || sent.pre != pre_vote_) return;
  Peer& p = peers_[peer];
  if (!rep.granted) {
    HERD_LOG(Info) << p.name << " refused its " << (sent.pre ? "pre-vote" : "vote") << ": "
                   << rep.reason;
    refused_[peer] = true;
    size_t open = 1;  // this controller's own vote
    for (size_t i = 0; i < peers_.size(); ++i) open += refused_[i] ? 0 : 1;
    if (open < Majority()) {  // cannot win now: try again soon, unless an active shows up
      SetRole(Role::kPassive, "the election cannot be won now");
      election_due_ms_ = clock_.MonotonicMs() + rand_(lease_ms_ / 20, lease_ms_ / 10);
    }
    return;
  }
  granted_[peer] = true;
  if (!sent.pre) p.granted_sent_ms = std::max(p.granted_sent_ms, sent.sent_ms);
  const size_t votes = 1 + static_cast<size_t>(std::count(granted_.begin(), granted_.end(), true));
  if (votes < Majority()) return;
  if (sent.pre) {
    StartVote(last_seq);
  } else {
    BecomeActive(last_seq);
  }
}

void HaControl::OnAppendReply(size_t peer, const InFlight& sent, const proto::AppendReply& rep,
                              uint64_t last_seq) {
  if (role_ != Role::kActive || sent.epoch != epoch() || !rep.ok) return;
  Peer& p = peers_[peer];
  p.granted_sent_ms = std::max(p.granted_sent_ms, sent.sent_ms);
  if (!p.controller) {
    if (sent.release) release_acked_ = true;
    const Peer* c = controller_peer();
    exclusion_confirmed_ = c != nullptr && sent.excluded == c->name;
  } else if (sent.type == proto::MsgType::kInstallSnapshotRequest) {
    p.snapshot_in_flight = false;
    p.confirmed = true;
    p.acked_seq = std::max(p.acked_seq, rep.last_seq);
    HERD_LOG(Info) << p.name << " installed the state at record " << rep.last_seq;
  } else if (rep.need_snapshot) {
    if (!p.snapshot_in_flight) p.need_snapshot = true;
  } else if (!p.snapshot_in_flight) {  // else: an answer from before the snapshot
    p.confirmed = true;
    if (rep.last_seq < sent.hi) p.sent_seq = rep.last_seq;  // a gap: send again from there
    p.acked_seq = std::max(p.acked_seq, std::min(rep.last_seq, last_seq));
  }
  while (!unacked_.empty() && unacked_.front().seq <= p.acked_seq) {
    unacked_.pop_front();
    unacked_ms_.pop_front();
  }
  UpdateLease();
}

Status HaControl::StartTakeover(const std::string& to, uint64_t last_seq) {
  const Peer* c = controller_peer();
  if (c == nullptr) return FailedPrecondition("only one controller is configured");
  if (!to.empty() && to != c->name && to != self_) {
    return NotFound("no controller named '" + to + "'");
  }
  if (to == self_) return FailedPrecondition(self_ + " is already the active controller");
  if (!Writable()) return FailedPrecondition(self_ + " is not the active controller");
  if (!c->in_sync) {
    return FailedPrecondition(c->name + " is not in sync (has " + std::to_string(c->acked_seq) +
                              " of " + std::to_string(last_seq) + " records); not handing over");
  }
  handing_over_ = true;
  handover_to_ = c->name;
  handover_deadline_ms_ = clock_.MonotonicMs() + std::max<int64_t>(5000, 4 * lease_ms_);
  release_sent_ = release_acked_ = false;
  HERD_LOG(Info) << "takeover requested: handing the active role to " << c->name;
  return Status::Ok();
}

void HaControl::ContinueHandover(uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  size_t ci = peers_.size(), wi = peers_.size();
  for (size_t i = 0; i < peers_.size(); ++i) (peers_[i].controller ? ci : wi) = i;
  if (now > handover_deadline_ms_ || ci == peers_.size() || !peers_[ci].in_sync) {
    HERD_LOG(Warning) << "takeover abandoned: " << handover_to_ << " did not catch up in time";
    handing_over_ = false;
    release_sent_ = release_acked_ = false;
    return;
  }
  if (peers_[ci].acked_seq < last_seq) return;  // records still on their way
  if (wi != peers_.size() && !release_sent_) {
    SendAppend(wi, /*release=*/true, false);
    release_sent_ = true;
    return;
  }
  if (wi != peers_.size() && !release_acked_) return;
  SendAppend(ci, false, /*handoff=*/true);
  const std::string to = peers_[ci].name, to_addr = peers_[ci].addr;
  StepDown("handed over to " + to);
  leader_ = to;  // where clients should go next
  leader_addr_ = to_addr;
  last_heard_ms_ = now;
  release_sent_ = release_acked_ = false;
}

proto::HaStatusReply HaControl::StatusReport(uint64_t last_seq) const {
  const int64_t now = clock_.MonotonicMs();
  proto::HaStatusReply r;
  r.served_by = self_;
  r.role = handing_over_ ? "handing-over" : RoleName(role_);
  r.epoch = epoch();
  r.active = leader_;
  r.last_seq = last_seq;
  if (role_ != Role::kActive && !leader_.empty()) {
    r.behind_ms = now - last_heard_ms_;
    r.behind_records = leader_seq_ > last_seq ? leader_seq_ - last_seq : 0;
  }
  proto::ControllerStatus me;
  me.name = self_;
  me.addr = self_addr_;
  me.role = r.role;
  me.epoch = epoch();
  me.last_seq = last_seq;
  me.in_sync = role_ == Role::kActive || (role_ == Role::kPassive && synced_ && !leader_.empty() &&
                                          now - last_heard_ms_ < lease_ms_);
  me.lag_ms = role_ == Role::kActive || leader_.empty() ? 0 : now - last_heard_ms_;
  r.controllers.push_back(me);
  for (const Peer& p : peers_) {
    proto::ControllerStatus s;
    s.name = p.name;
    s.addr = p.addr;
    const bool heard = p.last_reply_ms != INT64_MIN && now - p.last_reply_ms < 2 * lease_ms_;
    if (role_ == Role::kActive) {
      s.role = !heard ? "unreachable" : p.controller ? "passive" : "witness";
      s.epoch = epoch();
      if (p.controller) {
        s.last_seq = p.acked_seq;
        s.in_sync = p.in_sync;
        s.lag_ms = unacked_ms_.empty() ? 0 : now - unacked_ms_.front();
      }
    } else {
      s.role = p.name == leader_ ? "active" : p.controller ? "unknown" : "witness";
    }
    r.controllers.push_back(s);
  }
  return r;
}

}  // namespace herd::ctld::ha
