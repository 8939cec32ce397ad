// herd — elections, the lease and the replication stream of one controller.
#include "controller/ha/ha_control.h"

#include <algorithm>

#include "common/base/log.h"
#include "common/proto/codec.h"

namespace herd::ctld::ha {
namespace {

// The active's share of the lease: it stops writing this much earlier than the voters
// stop honouring it, which covers clock rate differences between hosts.
int64_t SafeLease(int64_t lease_ms) { return lease_ms - lease_ms / 10; }
// Records per AppendRequest, so that one message stays small.
constexpr size_t kMaxRecordsPerAppend = 4096;
// Records kept for a passive that does not answer; beyond this it gets a snapshot.
constexpr size_t kMaxUnacked = 200000;

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kPassive:
      return "passive";
    case Role::kCandidate:
      return "candidate";
    case Role::kActive:
      return "active";
  }
  return "?";
}

HaControl::HaControl(const ClusterConfig& config, const std::string& self, Clock& clock,
                     VoteStore& store, std::function<int64_t(int64_t, int64_t)> rand)
    : config_(config),
      self_(self),
      clock_(clock),
      voter_(self, store, config.ha_lease_ms, config.voters()),
      rand_(std::move(rand)),
      lease_ms_(config.ha_lease_ms),
      sync_timeout_ms_(config.ha_sync_timeout_ms) {
  for (const ControllerAddr& c : config.controllers) {
    std::string addr = TcpEndpoint(c.host, c.port);
    if (c.name == self) {
      self_addr_ = addr;
      continue;
    }
    Peer p;
    p.name = c.name;
    p.addr = addr;
    p.controller = true;
    peers_.push_back(p);
  }
  if (config.has_witness()) {
    Peer w;
    w.name = config.witness_addr.name;
    w.addr = TcpEndpoint(config.witness_addr.host, config.witness_addr.port);
    peers_.push_back(w);
  }
}

Status HaControl::Load() {
  const int64_t now = clock_.MonotonicMs();
  HERD_RETURN_IF_ERROR(voter_.Load(now));
  last_heard_ms_ = now;
  election_due_ms_ = peers_.empty() ? now : now + ElectionTimeout();
  HERD_LOG(Info) << "high availability: " << peers_.size() + 1 << " voter(s), epoch " << epoch()
                 << ", journal from epoch " << log_epoch() << ", lease " << lease_ms_ << " ms";
  return Status::Ok();
}

Status HaControl::RaiseEpoch(uint64_t epoch) {
  if (epoch <= voter_.state().epoch) return Status::Ok();
  HERD_LOG(Warning) << "epoch raised from " << voter_.state().epoch << " to " << epoch
                    << " (--min-epoch): the next election is above it";
  return voter_.AdoptEpoch(epoch);
}

const Peer* HaControl::controller_peer() const {
  for (const Peer& p : peers_) {
    if (p.controller) return &p;
  }
  return nullptr;
}

bool HaControl::Writable() const {
  return role_ == Role::kActive && !handing_over_ && clock_.MonotonicMs() < lease_until_ms_;
}

int64_t HaControl::ElectionTimeout() {
  // With no active known (at start), the preferred controller (listed first) goes first;
  // jitter keeps the two apart. When the other one was active, this one is the only
  // candidate and need not wait longer.
  int64_t rank = 0;
  for (size_t i = 0; i < config_.controllers.size() && leader_.empty(); ++i) {
    if (config_.controllers[i].name == self_) rank = static_cast<int64_t>(i);
  }
  return lease_ms_ + rank * lease_ms_ / 4 + rand_(0, lease_ms_ / 4);
}

void HaControl::SetRole(Role r, const std::string& why) {
  if (r == role_) return;
  HERD_LOG(Info) << "role " << RoleName(role_) << " -> " << RoleName(r) << " in epoch " << epoch()
                 << ": " << why;
  role_ = r;
  role_changes_++;
}

void HaControl::StepDown(const std::string& why) {
  const int64_t now = clock_.MonotonicMs();
  if (role_ == Role::kActive && voter_.lease_holder() == self_) voter_.ReleaseLease();
  unacked_.clear();
  unacked_ms_.clear();
  handing_over_ = false;
  exclusion_confirmed_ = false;
  lease_until_ms_ = 0;
  if (role_ != Role::kPassive) {
    leader_.clear();
    leader_addr_.clear();
  }
  SetRole(Role::kPassive, why);
  election_due_ms_ = now + ElectionTimeout();
}

uint64_t HaControl::Send(size_t peer, proto::MsgType type, std::string body) {
  const uint64_t id = next_request_id_++;
  HaOutgoing o;
  o.peer = peer;
  o.frame.type = type;
  o.frame.request_id = id;
  o.frame.epoch = epoch();
  o.frame.body = std::move(body);
  out_.push_back(std::move(o));
  InFlight f;
  f.peer = peer;
  f.type = type;
  f.sent_ms = clock_.MonotonicMs();
  f.epoch = epoch();
  in_flight_[id] = f;
  peers_[peer].last_send_ms = f.sent_ms;
  return id;
}

std::vector<HaOutgoing> HaControl::TakeOutgoing() {
  std::vector<HaOutgoing> out;
  out.swap(out_);
  return out;
}

void HaControl::Tick(uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    it = now - it->second.sent_ms > 30000 ? in_flight_.erase(it) : std::next(it);
  }
  switch (role_) {
    case Role::kPassive:
      if (now >= election_due_ms_ && !voter_.InStartGrace(now) &&
          !voter_.LeaseHeldByOther(self_, now)) {
        StartPreVote(last_seq);
      }
      return;
    case Role::kCandidate:
      if (now >= phase_deadline_ms_) {
        SetRole(Role::kPassive, std::string(pre_vote_ ? "pre-vote" : "vote") + " timed out");
        election_due_ms_ = now + rand_(lease_ms_ / 20, lease_ms_ / 10);
      }
      return;
    case Role::kActive:
      break;
  }
  UpdateLease();
  if (now >= lease_until_ms_) {
    StepDown("lease expired: no majority answered within " + std::to_string(lease_ms_) + " ms");
    return;
  }
  UpdateSync(last_seq);
  if (handing_over_) ContinueHandover(last_seq);
  if (role_ != Role::kActive) return;
  if (now >= next_renew_ms_) {
    next_renew_ms_ = now + std::max<int64_t>(1, lease_ms_ / 4);
    for (size_t i = 0; i < peers_.size(); ++i) {
      if (!peers_[i].controller && release_sent_) continue;  // released for the takeover
      SendAppend(i, false, false);
    }
  }
  for (Peer& p : peers_) {
    if (p.snapshot_in_flight &&
        now - p.snapshot_sent_ms > std::max<int64_t>(10000, 10 * lease_ms_)) {
      p.snapshot_in_flight = false;  // lost: send it again
      p.need_snapshot = true;
    }
  }
}

void HaControl::SendVotes(bool pre, uint64_t last_seq) {
  proto::VoteRequest req;
  req.epoch = candidate_epoch_;
  req.candidate = self_;
  req.log_epoch = log_epoch();
  req.last_seq = last_seq;
  req.pre_vote = pre;
  for (size_t i = 0; i < peers_.size(); ++i) {
    uint64_t id = Send(i, proto::MsgType::kVoteRequest, proto::EncodeBody(req));
    in_flight_[id].epoch = candidate_epoch_;
    in_flight_[id].pre = pre;
  }
}

void HaControl::StartPreVote(uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  SetRole(Role::kCandidate, leader_.empty() ? "no active controller"
                                            : "nothing heard from " + leader_ + " for " +
                                                  std::to_string(now - last_heard_ms_) + " ms");
  pre_vote_ = true;
  candidate_epoch_ = epoch() + 1;
  granted_.assign(peers_.size(), false);
  refused_.assign(peers_.size(), false);
  phase_sent_ms_ = now;
  // A pre-vote changes nothing, so it may be retried soon; live voters answer in ms.
  phase_deadline_ms_ = now + std::max<int64_t>(50, lease_ms_ / 10);
  SendVotes(true, last_seq);
  if (1 >= Majority()) StartVote(last_seq);
}

void HaControl::StartVote(uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  if (Status s = voter_.VoteForSelf(candidate_epoch_); !s.ok()) {
    HERD_LOG(Error) << "cannot save the vote: " << s.ToString();
    SetRole(Role::kPassive, "cannot save the vote");
    election_due_ms_ = now + ElectionTimeout();
    return;
  }
  pre_vote_ = false;
  granted_.assign(peers_.size(), false);
  refused_.assign(peers_.size(), false);
  for (Peer& p : peers_) p.granted_sent_ms = INT64_MIN;
  phase_sent_ms_ = now;
  phase_deadline_ms_ = now + std::max<int64_t>(50, lease_ms_ / 2);
  SendVotes(false, last_seq);
  if (1 >= Majority()) BecomeActive(last_seq);
}

void HaControl::BecomeActive(uint64_t last_seq) {
  const int64_t now = clock_.MonotonicMs();
  if (Status s = voter_.SetLogEpoch(epoch()); !s.ok()) {
    HERD_LOG(Error) << "cannot save the vote state: " << s.ToString();
    SetRole(Role::kPassive, "cannot save the vote state");
    election_due_ms_ = now + ElectionTimeout();
    return;
  }
  leader_ = self_;
  leader_addr_ = self_addr_;
  for (Peer& p : peers_) {
    p.acked_seq = 0;
    p.sent_seq = last_seq;
    p.need_snapshot = false;
    p.snapshot_in_flight = false;
    p.in_sync = false;
    p.confirmed = false;
  }
  unacked_.clear();
  unacked_ms_.clear();
  exclusion_confirmed_ = false;
  handing_over_ = false;
  release_sent_ = release_acked_ = false;
  next_renew_ms_ = now;
  SetRole(Role::kActive, "won the election with journal at " + std::to_string(last_seq));
  UpdateLease();
}

void HaControl::UpdateLease() {
  if (peers_.empty()) {
    lease_until_ms_ = INT64_MAX;
    return;
  }
  std::vector<int64_t> sent;
  for (const Peer& p : peers_) sent.push_back(p.granted_sent_ms);
  std::sort(sent.rbegin(), sent.rend());
  const int64_t t = sent[Majority() - 2];  // the others needed besides this controller
  lease_until_ms_ = t == INT64_MIN ? 0 : t + SafeLease(lease_ms_);
  voter_.HoldLease(self_, lease_until_ms_);
}

void HaControl::UpdateSync(uint64_t last_seq) {
  Peer* p = nullptr;
  for (Peer& q : peers_) {
    if (q.controller) p = &q;
  }
  if (p == nullptr) return;
  const int64_t now = clock_.MonotonicMs();
  if (p->in_sync) {
    const bool late = !unacked_ms_.empty() && now - unacked_ms_.front() > sync_timeout_ms_;
    if (p->need_snapshot || p->snapshot_in_flight || late) {
      p->in_sync = false;
      exclusion_confirmed_ = false;
      next_renew_ms_ = now;  // tell the witness at once
      HERD_LOG(Warning) << p->name << " fell behind (acknowledged " << p->acked_seq << " of "
                        << last_seq << "): going on without it";
    }
  } else if (p->confirmed && !p->need_snapshot && !p->snapshot_in_flight &&
             p->acked_seq >= last_seq && now - p->last_reply_ms < lease_ms_) {
    p->in_sync = true;
    next_renew_ms_ = now;
    HERD_LOG(Info) << p->name << " is in sync at record " << last_seq;
  }
}

void HaControl::SendAppend(size_t i, bool release, bool handoff) {
  Peer& p = peers_[i];
  proto::AppendRequest req;
  req.epoch = epoch();
  req.leader = self_;
  req.leader_addr = self_addr_;
  req.release = release;
  req.handoff = handoff;
  uint64_t hi = 0;
  if (p.controller) {
    if (!p.need_snapshot && !p.snapshot_in_flight) {
      if (!unacked_.empty() && p.sent_seq + 1 < unacked_.front().seq) {
        p.need_snapshot = true;  // what it needs is no longer kept
      } else {
        for (const proto::HaRecord& r : unacked_) {
          if (r.seq <= p.sent_seq) continue;
          if (req.records.size() >= kMaxRecordsPerAppend) break;
          req.records.push_back(r);
        }
      }
    }
    req.prev_seq = p.sent_seq;
    if (!req.records.empty()) p.sent_seq = req.records.back().seq;
    if (!p.in_sync) req.excluded = p.name;  // tells the passive how the active sees it
    hi = p.sent_seq;
  } else {
    const Peer* c = controller_peer();
    if (c != nullptr && !c->in_sync) req.excluded = c->name;
  }
  const std::string excluded = req.excluded;
  uint64_t id = Send(i, proto::MsgType::kAppendRequest, proto::EncodeBody(req));
  in_flight_[id].excluded = excluded;
  in_flight_[id].release = release;
  in_flight_[id].hi = hi;
}

void HaControl::Committed(std::vector<proto::HaRecord> records) {
  if (role_ != Role::kActive || records.empty()) return;
  const Peer* c = controller_peer();
  if (c == nullptr) return;
  const int64_t now = clock_.MonotonicMs();
  for (auto& r : records) {
    unacked_.push_back(std::move(r));
    unacked_ms_.push_back(now);
  }
  if (unacked_.size() > kMaxUnacked) {
    unacked_.clear();
    unacked_ms_.clear();
    for (Peer& p : peers_) {
      if (p.controller) p.need_snapshot = true;
    }
  }
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i].controller) SendAppend(i, false, false);
  }
}

bool HaControl::WantsSnapshot() const {
  const Peer* c = controller_peer();
  return role_ == Role::kActive && c != nullptr && c->need_snapshot && !c->snapshot_in_flight;
}

void HaControl::SendSnapshot(proto::InstallSnapshotRequest req) {
  for (size_t i = 0; i < peers_.size(); ++i) {
    Peer& p = peers_[i];
    if (!p.controller) continue;
    req.epoch = epoch();
    req.leader = self_;
    req.leader_addr = self_addr_;
    p.need_snapshot = false;
    p.snapshot_in_flight = true;
    p.snapshot_sent_ms = clock_.MonotonicMs();
    p.sent_seq = req.seq;
    HERD_LOG(Info) << "sending the whole state at record " << req.seq << " to " << p.name << " ("
                   << req.state.size() << " bytes, " << req.blobs.size() << " job scripts)";
    uint64_t id = Send(i, proto::MsgType::kInstallSnapshotRequest, proto::EncodeBody(req));
    in_flight_[id].hi = req.seq;
  }
}

uint64_t HaControl::ReleasableSeq() const {
  if (role_ != Role::kActive) return 0;
  const Peer* c = controller_peer();
  if (c == nullptr) return UINT64_MAX;
  if (c->in_sync) return c->acked_seq;
  return exclusion_confirmed_ ? UINT64_MAX : c->acked_seq;
}

}  // namespace herd::ctld::ha
