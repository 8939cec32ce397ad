// herd — controller core: the other voters' requests, the passive's side of replication,
// becoming active and stepping down, and output held until the passive has its records.
#include <unistd.h>

#include <set>

#include "common/base/log.h"
#include "controller/core.h"
#include "controller/ha/witness.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

Status ControllerCore::AddHaHandlers() {
  const auto m = &ControllerCore::HaRequest;
  return handlers_.AddAll(this, HandlerRole::kAnyRole,
                          {{MsgType::kVoteRequest, m},
                           {MsgType::kAppendRequest, m},
                           {MsgType::kInstallSnapshotRequest, m},
                           {MsgType::kHaStatusRequest, m},
                           {MsgType::kTakeoverRequest, m}});
}

Frame ControllerCore::HaRequest(const Identity& who, const Frame& f) {
  const bool between_voters = f.type == MsgType::kVoteRequest ||
                              f.type == MsgType::kAppendRequest ||
                              f.type == MsgType::kInstallSnapshotRequest;
  if (between_voters && !ha::IsDaemonPeer(who)) {
    return ErrorReply(PermissionDenied("only controllers and the witness may send this"));
  }
  switch (f.type) {
    case MsgType::kVoteRequest: {
      auto req = proto::DecodeBody<proto::VoteRequest>(f.body);
      if (!req.ok()) return ErrorReply(req.error());
      proto::VoteReply rep = ha_->OnVote(*req, store_.LastSeq());
      CheckRole();
      return proto::MakeFrame(rep, 0);
    }
    case MsgType::kAppendRequest:
      return AppendRecords(f);
    case MsgType::kInstallSnapshotRequest:
      return InstallSnapshot(f);
    case MsgType::kHaStatusRequest: {
      proto::HaStatusReply rep = ha_->StatusReport(store_.LastSeq());
      if (acct_ != nullptr) acct_->Describe(&rep);
      return proto::MakeFrame(rep, 0);
    }
    case MsgType::kTakeoverRequest: {
      if (!IsAdmin(who.uid))
        return ErrorReply(PermissionDenied("takeover needs root or AdminUser"));
      auto req = proto::DecodeBody<proto::TakeoverRequest>(f.body);
      if (!req.ok()) return ErrorReply(req.error());
      if (!ha_->Writable()) return NotActive();
      return ErrorReply(ha_->StartTakeover(req->to, store_.LastSeq()));
    }
    default:
      return ErrorReply(Unsupported("not a high-availability message"));
  }
}

Frame ControllerCore::NotActive() const {
  proto::NotActiveReply n;
  if (ha_->active_name() != ha_->self()) {
    n.active_name = ha_->active_name();
    n.active_addr = ha_->active_addr();
  }
  n.epoch = ha_->epoch();
  n.role = ha_->handing_over() ? "handing-over" : ha::RoleName(ha_->role());
  if (!ha_->vote_error().ok()) n.reason = "cannot save its vote: " + ha_->vote_error().message();
  return proto::MakeFrame(n, 0);
}

Frame ControllerCore::AppendRecords(const Frame& f) {
  auto req = proto::DecodeBody<proto::AppendRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  ha::HaControl::AppendVerdict v = ha_->OnAppend(*req, store_.LastSeq());
  CheckRole();
  if (v.apply) {
    for (const proto::HaRecord& r : req->records) {
      if (r.seq <= store_.LastSeq()) continue;   // a resend
      if (r.seq != store_.LastSeq() + 1) break;  // a gap: the active sends again from here
      Status s = state_.ApplyRecord(r.type, r.body);
      if (!s.ok()) {
        // As in recovery: a record that no longer applies (its job forgotten) is kept in
        // the journal, so that sequence numbers stay those of the active.
        HERD_LOG(Warning) << "replicated record " << r.seq << " not applied: " << s.message();
      }
      store_.Append(r.type, r.body);
      if (s.ok()) AfterReplicatedRecord(r.type, r.body);
    }
  }
  // Sent after the flush has made these records durable.
  v.reply.last_seq = store_.LastSeq();
  return proto::MakeFrame(v.reply, 0);
}

void ControllerCore::AfterReplicatedRecord(uint16_t type, const std::string& body) {
  if (type == static_cast<uint16_t>(EventType::kJobSubmitted)) {
    auto e = proto::DecodeBodyAs<JobSubmitted>(body, "JobSubmitted");
    if (!e.ok()) return;
    Status w = blobs_.Write(e->job.id, {e->script, e->argv, e->env});
    if (!w.ok()) HERD_LOG(Error) << "cannot write job blob: " << w.ToString();
  } else if (type == static_cast<uint16_t>(EventType::kJobEnded)) {
    auto e = proto::DecodeBodyAs<JobEnded>(body, "JobEnded");
    if (e.ok()) DropJobBlob(state_, blobs_, e->job_id);
  }
}

Frame ControllerCore::InstallSnapshot(const Frame& f) {
  auto req = proto::DecodeBody<proto::InstallSnapshotRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  proto::AppendReply rep = ha_->OnSnapshot(*req);
  CheckRole();
  if (!rep.ok) return proto::MakeFrame(rep, 0);
  Status s = state_.Restore(req->state);
  for (const proto::BlobEntry& b : req->blobs) {
    if (!s.ok()) break;
    s = blobs_.Write(b.job_id, {b.script, b.argv, b.env});
  }
  if (s.ok()) ForgetUnneededBlobs();
  if (s.ok()) s = store_.Install(req->state, req->seq);
  if (s.ok()) s = ha_->Installed(req->epoch);
  if (!s.ok()) {
    HERD_LOG(Error) << "cannot install the active's state: " << s.ToString();
    rep.ok = false;
    rep.reason = s.message();
    return proto::MakeFrame(rep, 0);
  }
  size_t jobs = state_.jobs().size();
  HERD_LOG(Info) << "installed the state of " << req->leader << " at record " << req->seq << " ("
                 << jobs << " jobs)";
  rep.last_seq = store_.LastSeq();
  return proto::MakeFrame(rep, 0);
}

proto::InstallSnapshotRequest ControllerCore::MakeSnapshot() {
  proto::InstallSnapshotRequest req;
  req.seq = store_.LastSeq();
  req.state = state_.Snapshot();
  std::set<uint64_t> sent;  // an array's tasks share its blob
  for (const auto& [id, j] : state_.jobs()) {
    if (proto::IsFinished(j.state) || !sent.insert(j.blob_id()).second) continue;
    auto blob = blobs_.Read(j.blob_id());
    if (!blob.ok()) continue;
    req.blobs.push_back(
        {j.blob_id(), std::move(blob->script), std::move(blob->argv), std::move(blob->env)});
  }
  return req;
}

void ControllerCore::CheckRole() {
  if (ha_->role_changes() == seen_role_changes_) return;
  seen_role_changes_ = ha_->role_changes();
  const bool active = ha_->role() == ha::Role::kActive;
  if (active && !acting_) BecameActive();
  if (!active && acting_) SteppedDown();
}

void ControllerCore::BecameActive() {
  acting_ = true;
  // Every node gets a full NodeTimeout from now: heartbeats missed during the takeover
  // are not the nodes' fault. They register again (their first heartbeat is answered
  // "not registered") and report what runs, which reconciles launches in flight.
  nodes_.RestartLiveness(/*must_register=*/true);
  outbox_.Clear();
  output_.BecameActive();
  if (acct_ != nullptr) acct_->Resync();  // the former active may have sent less
  need_schedule_ = true;
  size_t pending = 0, running = 0;
  for (const auto& [id, j] : state_.jobs()) {
    if (j.state == JobState::kPending) pending++;
    if (j.state == JobState::kRunning) running++;
  }
  HERD_LOG(Info) << "active in epoch " << ha_->epoch() << " with journal at " << store_.LastSeq()
                 << ": " << pending << " pending and " << running << " running jobs";
}

void ControllerCore::SteppedDown() {
  acting_ = false;
  // Replies whose records the passive has durably are true acknowledgments; everything
  // else (and every node message) is dropped: the new active decides.
  const ha::Peer* peer = ha_->controller_peer();
  const uint64_t durable = peer != nullptr ? peer->acked_seq : 0;
  output_.SteppedDown(durable);
  deferred_.clear();
  outbox_.Clear();
  HERD_LOG(Info) << "no longer active (epoch " << ha_->epoch() << ")";
}

std::vector<PeerMsg> ControllerCore::SignPeerMessages() {
  std::vector<PeerMsg> out;
  for (ha::HaOutgoing& o : ha_->TakeOutgoing()) {
    auto cred = auth_.Sign(o.frame.body);
    if (!cred.ok()) {
      HERD_LOG(Error) << "cannot sign a message to " << ha_->peers()[o.peer].name << ": "
                      << cred.error().message();
      continue;
    }
    o.frame.auth = std::move(*cred);
    out.push_back({o.peer, proto::EncodeFrame(o.frame)});
  }
  return out;
}

void ControllerCore::HandlePeerReply(size_t peer, const std::string& bytes) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  if (!f.ok() || peer >= ha_->peers().size()) {
    HERD_LOG(Warning) << "malformed answer from a voter";
    return;
  }
  ha_->OnReply(peer, *f, store_.LastSeq());
  CheckRole();
}

}  // namespace herd::ctld
