// herd — the voting rules.
#include "controller/ha/voter.h"

#include "common/base/log.h"

namespace herd::ctld::ha {

Voter::Voter(std::string name, VoteStore& store, int64_t lease_ms, size_t voters)
    : name_(std::move(name)), store_(store), lease_ms_(lease_ms), voters_(voters) {}

Status Voter::Load(int64_t now_ms) {
  auto s = store_.Load();
  if (!s.ok()) return s.error();
  state_ = *s;
  grace_until_ms_ = now_ms + lease_ms_;
  return Status::Ok();
}

Status Voter::Save(VoteState next) {
  if (next == state_) return Status::Ok();
  save_error_ = store_.Save(next);
  HERD_RETURN_IF_ERROR(save_error_);
  state_ = std::move(next);
  return Status::Ok();
}

Status Voter::AdoptEpoch(uint64_t epoch) {
  if (epoch <= state_.epoch) return Status::Ok();
  if (!proto::SaneEpoch(epoch)) {
    return InvalidArgument("epoch " + std::to_string(epoch) + " is above the ceiling " +
                           std::to_string(proto::kMaxEpoch));
  }
  VoteState next = state_;
  next.epoch = epoch;
  next.voted_for.clear();
  return Save(std::move(next));
}

Status Voter::VoteForSelf(uint64_t epoch) {
  if (epoch == 0 || !proto::SaneEpoch(epoch)) {
    return FailedPrecondition("no epoch left to campaign in (" + std::to_string(epoch) +
                              " is above the ceiling " + std::to_string(proto::kMaxEpoch) + ")");
  }
  VoteState next = state_;
  next.epoch = epoch;
  next.voted_for = name_;
  return Save(std::move(next));
}

Status Voter::SetLogEpoch(uint64_t log_epoch) {
  VoteState next = state_;
  next.log_epoch = log_epoch;
  return Save(std::move(next));
}

void Voter::HoldLease(const std::string& holder, int64_t until_ms) {
  lease_holder_ = holder;
  lease_until_ms_ = until_ms;
}

bool Voter::LeaseHeldByOther(const std::string& candidate, int64_t now_ms) const {
  return !lease_holder_.empty() && lease_holder_ != candidate && now_ms < lease_until_ms_;
}

proto::VoteReply Voter::OnVote(const proto::VoteRequest& req, const LogPos* mine, int64_t now_ms) {
  proto::VoteReply rep;
  rep.voter = name_;
  rep.epoch = state_.epoch;
  auto deny = [&](std::string why) {
    rep.granted = false;
    rep.reason = std::move(why);
    return rep;
  };
  if (!proto::SaneEpoch(req.epoch)) {
    return deny("epoch " + std::to_string(req.epoch) + " is above the ceiling " +
                std::to_string(proto::kMaxEpoch));
  }
  const bool same_again = req.epoch == state_.epoch && state_.voted_for == req.candidate;
  if (req.epoch < state_.epoch || (req.epoch == state_.epoch && !same_again)) {
    return deny("epoch " + std::to_string(req.epoch) + " is not above " +
                std::to_string(state_.epoch) +
                (state_.voted_for.empty() ? "" : " (voted for " + state_.voted_for + ")"));
  }
  if (InStartGrace(now_ms)) return deny(name_ + " has just started");
  if (LeaseHeldByOther(req.candidate, now_ms)) {
    return deny(lease_holder_ + " holds a lease for another " +
                std::to_string(lease_until_ms_ - now_ms) + " ms");
  }
  if (!state_.excluded.empty() && state_.excluded == req.candidate) {
    return deny(req.candidate + " lacks records the active acknowledged");
  }
  if (mine != nullptr && LogPos{req.log_epoch, req.last_seq} < *mine) {
    return deny("journal of " + req.candidate + " (" + std::to_string(req.log_epoch) + "/" +
                std::to_string(req.last_seq) + ") is behind " + name_ + "'s (" +
                std::to_string(mine->log_epoch) + "/" + std::to_string(mine->last_seq) + ")");
  }
  if (!req.pre_vote) {
    VoteState next = state_;
    next.epoch = req.epoch;
    next.voted_for = req.candidate;
    if (Status s = Save(std::move(next)); !s.ok()) {
      HERD_LOG(Error) << "cannot save the vote: " << s.ToString();
      return deny("cannot save the vote");
    }
    // Until the new active renews it, this vote is its lease.
    HoldLease(req.candidate, now_ms + lease_ms_);
  }
  rep.epoch = state_.epoch;
  rep.granted = true;
  return rep;
}

proto::AppendReply Voter::OnLease(const proto::AppendRequest& req, int64_t now_ms,
                                  bool keeps_exclusion) {
  proto::AppendReply rep;
  rep.voter = name_;
  if (!proto::SaneEpoch(req.epoch)) {
    rep.epoch = state_.epoch;
    rep.reason = "epoch " + std::to_string(req.epoch) + " is above the ceiling " +
                 std::to_string(proto::kMaxEpoch);
    return rep;
  }
  if (req.epoch < state_.epoch) {
    rep.epoch = state_.epoch;
    rep.reason = "epoch " + std::to_string(req.epoch) + " is fenced (now " +
                 std::to_string(state_.epoch) + ")";
    return rep;
  }
  VoteState next = state_;
  if (req.epoch > next.epoch) {
    next.epoch = req.epoch;
    next.voted_for.clear();
  }
  if (keeps_exclusion) next.excluded = req.excluded;
  if (Status s = Save(std::move(next)); !s.ok()) {
    HERD_LOG(Error) << "cannot save the vote state: " << s.ToString();
    rep.epoch = state_.epoch;
    rep.reason = "cannot save the vote state";
    return rep;
  }
  if (req.release || req.handoff) {  // the active is handing its role over
    ReleaseLease();
  } else {
    HoldLease(req.leader, now_ms + lease_ms_);
  }
  rep.epoch = state_.epoch;
  rep.ok = true;
  return rep;
}

}  // namespace herd::ctld::ha
