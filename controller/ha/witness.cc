// herd — the witness.
#include "controller/ha/witness.h"

#include <unistd.h>

#include "common/base/log.h"
#include "common/proto/codec.h"
#include "common/proto/ha_messages.h"

namespace herd::ctld::ha {

bool IsDaemonPeer(const Identity& who) { return who.uid == 0 || who.uid == ::getuid(); }

WitnessCore::WitnessCore(const ClusterConfig& config, Clock& clock, VoteStore& store,
                         Authenticator& auth)
    : config_(config),
      clock_(clock),
      voter_(config.witness_addr.name, store, config.ha_lease_ms, config.voters()),
      auth_(auth) {}

Status WitnessCore::Load() { return voter_.Load(clock_.MonotonicMs()); }

void WitnessCore::Tick() { refusals_.LogSummaries(clock_.MonotonicMs()); }

std::string WitnessCore::HandleRequest(const std::string& bytes, const std::string& from) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  if (!f.ok()) {
    refusals_.Warn(from.empty() ? "a client" : from, clock_.MonotonicMs(),
                   "dropping a malformed message: " + f.error().message());
    return "";
  }
  proto::Frame reply;
  if (!proto::SupportedVersion(*f)) {
    reply.type = proto::MsgType::kUnsupportedReply;
  } else {
    auto who = auth_.Verify(f->auth, f->body);
    if (!who.ok()) {
      refusals_.Warn(
          from.empty() ? "a client" : from, clock_.MonotonicMs(),
          std::string("refusing ") + proto::MsgTypeName(f->type) + ": " + who.error().message());
    }
    reply = who.ok() ? Dispatch(*who, *f) : proto::MakeStatusFrame(who.error(), 0);
  }
  reply.request_id = f->request_id;
  reply.epoch = voter_.state().epoch;
  return proto::EncodeFrame(reply);
}

proto::Frame WitnessCore::Dispatch(const Identity& who, const proto::Frame& f) {
  const int64_t now = clock_.MonotonicMs();
  const bool from_controller = IsDaemonPeer(who);
  switch (f.type) {
    case proto::MsgType::kVoteRequest: {
      if (!from_controller) return proto::MakeStatusFrame(PermissionDenied("not a controller"), 0);
      auto req = proto::DecodeBody<proto::VoteRequest>(f.body);
      if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
      proto::VoteReply rep = voter_.OnVote(*req, nullptr, now);
      HERD_LOG(Info) << (req->pre_vote ? "pre-vote" : "vote") << " for " << req->candidate
                     << " in epoch " << req->epoch << ": "
                     << (rep.granted ? std::string("granted") : "refused, " + rep.reason);
      return proto::MakeFrame(rep, 0);
    }
    case proto::MsgType::kAppendRequest: {
      if (!from_controller) return proto::MakeStatusFrame(PermissionDenied("not a controller"), 0);
      auto req = proto::DecodeBody<proto::AppendRequest>(f.body);
      if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
      const std::string before = voter_.state().excluded;
      const std::string holder = voter_.lease_holder();
      proto::AppendReply rep = voter_.OnLease(*req, now, /*keeps_exclusion=*/true);
      if (rep.ok && holder != req->leader) {
        HERD_LOG(Info) << req->leader << " is active in epoch " << req->epoch;
      }
      if (rep.ok && before != voter_.state().excluded) {
        HERD_LOG(Info) << (voter_.state().excluded.empty()
                               ? "every controller may be elected again"
                               : voter_.state().excluded + " may not be elected (behind)");
      }
      if (rep.ok) leader_addr_ = req->leader_addr;
      return proto::MakeFrame(rep, 0);
    }
    case proto::MsgType::kHaStatusRequest:
      return proto::MakeFrame(StatusReport(now), 0);
    case proto::MsgType::kPingRequest:
      return proto::MakeStatusFrame(Status::Ok(), 0);
    default: {
      proto::NotActiveReply n;
      if (voter_.lease_until_ms() > now) {
        n.active_name = voter_.lease_holder();
        n.active_addr = leader_addr_;
      }
      n.epoch = voter_.state().epoch;
      n.role = "witness";
      return proto::MakeFrame(n, 0);
    }
  }
}

proto::HaStatusReply WitnessCore::StatusReport(int64_t now_ms) const {
  proto::HaStatusReply r;
  r.served_by = config_.witness_addr.name;
  r.role = "witness";
  r.epoch = voter_.state().epoch;
  if (voter_.lease_until_ms() > now_ms) r.active = voter_.lease_holder();
  proto::ControllerStatus me;
  me.name = r.served_by;
  me.addr = TcpEndpoint(config_.witness_addr.host, config_.witness_addr.port);
  me.role = "witness";
  me.epoch = r.epoch;
  r.controllers.push_back(me);
  for (const ControllerAddr& c : config_.controllers) {
    proto::ControllerStatus s;
    s.name = c.name;
    s.addr = TcpEndpoint(c.host, c.port);
    s.role = c.name == r.active ? "active" : "unknown";
    s.in_sync = c.name != voter_.state().excluded;
    r.controllers.push_back(s);
  }
  return r;
}

}  // namespace herd::ctld::ha
