// herd — authenticated request/reply calls, and finding the active controller.
#include "common/net/rpc_client.h"

#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

#include "common/base/random.h"
#include "common/proto/ha_messages.h"

namespace herd::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long a controller that does not complete a connection may hold us up before the
// next one is tried. A live controller on a loaded network handshakes in a few ms; a dead
// one is refused at once; this bounds the stopped or unreachable ones.
constexpr milliseconds kConnectBudget{250};
// Between rounds when no controller could serve (an election is going on): short, as a
// takeover takes a few lease periods, and jittered so that a thousand node daemons do not
// come back in step.
constexpr int kRoundBackoffMinMs = 50;
constexpr int kRoundBackoffJitterMs = 50;

milliseconds Left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return std::max(left, milliseconds(0));
}

std::string JoinReasons(const std::vector<std::string>& why) {
  std::string out;
  for (const std::string& w : why) {
    if (w.empty()) continue;
    if (!out.empty()) out += "; ";
    out += w;
  }
  return out;
}

std::string DescribeNotActive(const std::string& address, const proto::NotActiveReply& na) {
  std::string s = address + " is " + (na.role.empty() ? "not active" : na.role);
  if (!na.reason.empty()) {
    s += " and " + na.reason;  // what keeps it from being elected
  } else if (na.active_addr.empty()) {
    s += ", no active known (election in progress)";
  } else {
    s += ", active is " + (na.active_name.empty() ? na.active_addr : na.active_name);
  }
  return s + ", epoch " + std::to_string(na.epoch);
}

}  // namespace

Caller::Caller(std::vector<std::string> addresses, Authenticator* auth)
    : addresses_(std::move(addresses)), auth_(auth) {
  next_id_ = RandomNonZeroU64() >> 1;  // room to count up
  links_.resize(addresses_.size());
}

Caller::~Caller() = default;

uint64_t Caller::NextRequestId() { return ++next_id_; }

void Caller::NoteEpoch(uint64_t epoch) {
  if (proto::SaneEpoch(epoch)) max_epoch_ = std::max(max_epoch_, epoch);
}

size_t Caller::IndexOf(const std::string& address) const {
  for (const auto* list : {&addresses_, &aliases_}) {
    auto it = std::find(list->begin(), list->end(), address);
    if (it != list->end()) return static_cast<size_t>(it - list->begin());
  }
  return kNone;
}

void Caller::SetAliases(std::vector<std::string> aliases) { aliases_ = std::move(aliases); }

std::vector<size_t> Caller::Order(bool from_passive) const {
  const size_t n = addresses_.size();
  std::vector<size_t> order;
  if (!from_passive) {
    const size_t first = active_ != kNone ? active_ : current_;
    for (size_t k = 0; k < n; ++k) order.push_back((first + k) % n);
    return order;
  }
  if (active_ == kNone) {
    // The first configured controller is the one meant to be active: ask the others first.
    for (size_t k = n; k-- > 0;) order.push_back(k);
    return order;
  }
  for (size_t k = 1; k <= n; ++k) order.push_back((active_ + k) % n);  // the active last
  return order;
}

Result<proto::Frame> Caller::Attempt(size_t index, proto::Frame& f, Clock::time_point deadline,
                                     milliseconds connect_budget, bool wait_for_server) {
  if (!links_[index]) links_[index] = std::make_unique<PeerLink>(addresses_[index]);
  PeerLink& link = *links_[index];
  const auto connect_until =
      wait_for_server ? deadline : std::min(deadline, Clock::now() + connect_budget);
  f.request_id = NextRequestId();
  if (auth_ != nullptr) {
    // A fresh credential per send: MUNGE refuses a credential seen twice. Signed before
    // the connection is waited for, so munged's round trip overlaps the handshake of a new
    // connection (a command's only call).
    auto cred = auth_->Sign(f.body);
    if (!cred.ok()) return cred.error();
    f.auth = std::move(*cred);
  }
  if (Status c = link.WaitConnected(connect_until, /*stop_on_refusal=*/!wait_for_server); !c.ok()) {
    // libzmq never retries a connection whose handshake failed: the next attempt makes a
    // fresh one (the real server may have its port back by then).
    if (link.handshake_failed()) link.Reset();
    return c;
  }
  HERD_RETURN_IF_ERROR(link.Send(proto::EncodeFrame(f)));
  auto reply = link.WaitReply(f.request_id, deadline);
  // A fresh socket: the lost or late request is never delivered to a server come back.
  if (!reply.ok()) link.Reset();
  return reply;
}

Result<proto::Frame> Caller::CallAt(size_t index, proto::Frame f, milliseconds timeout) {
  if (index >= addresses_.size()) return InvalidArgument("no server " + std::to_string(index));
  auto reply = Attempt(index, f, Clock::now() + timeout, timeout, /*wait_for_server=*/false);
  if (reply.ok() && !proto::SaneEpoch(reply->epoch)) {
    return DataLoss(addresses_[index] + " answered with epoch " + std::to_string(reply->epoch) +
                    ", above the ceiling " + std::to_string(proto::kMaxEpoch));
  }
  if (reply.ok()) NoteEpoch(reply->epoch);
  return reply;
}

Result<proto::Frame> Caller::CallFrame(proto::Frame f, milliseconds timeout) {
  const size_t n = addresses_.size();
  if (n == 0) return InvalidArgument("no server address configured");
  const auto deadline = Clock::now() + timeout;
  const bool from_passive = (f.flags & proto::kFlagFromPassive) != 0;
  std::vector<std::string> why(n);  // the last reason each server did not serve
  bool refused = false;             // some server answered but is not (or no longer) active
  std::minstd_rand jitter(static_cast<uint32_t>(next_id_));
  while (true) {
    std::vector<bool> tried(n, false);
    std::vector<size_t> order = Order(from_passive);
    size_t pos = 0;
    size_t jump = kNone;  // the active a NotActiveReply named
    while (Left(deadline).count() > 0) {
      size_t i = jump;
      jump = kNone;
      if (i == kNone) {
        while (pos < order.size() && tried[order[pos]]) ++pos;
        if (pos == order.size()) break;
        i = order[pos++];
      }
      tried[i] = true;
      // With one server there is nobody else to try: wait for it as long as the call may
      // take (it may be restarting), as a plain queued send would.
      auto reply = Attempt(i, f, deadline, kConnectBudget, /*wait_for_server=*/n == 1);
      if (!reply.ok()) {
        // An attempt cut short by the deadline says less than what this server answered
        // before (a NotActiveReply and its reason): keep that.
        if (why[i].empty() || Left(deadline).count() > 0) why[i] = reply.error().message();
        if (active_ == i) active_ = kNone;
        continue;
      }
      if (!proto::SaneEpoch(reply->epoch)) {
        why[i] = addresses_[i] + " answered with epoch " + std::to_string(reply->epoch) +
                 ", above the ceiling " + std::to_string(proto::kMaxEpoch) + " (not believed)";
        refused = true;
        if (active_ == i) active_ = kNone;
        continue;
      }
      if (reply->epoch < max_epoch_) {
        // A controller that lost an election it did not hear about: never trust it again
        // for this call; the others know better.
        why[i] = addresses_[i] + " is fenced (epoch " + std::to_string(reply->epoch) +
                 ", highest seen " + std::to_string(max_epoch_) + ")";
        refused = true;
        if (active_ == i) active_ = kNone;
        continue;
      }
      max_epoch_ = reply->epoch;
      if (reply->type == proto::MsgType::kNotActiveReply) {
        refused = true;
        if (active_ == i) active_ = kNone;
        auto na = proto::DecodeBody<proto::NotActiveReply>(reply->body);
        if (!na.ok()) {
          why[i] = addresses_[i] + ": " + na.error().message();
          continue;
        }
        NoteEpoch(na->epoch);
        why[i] = DescribeNotActive(addresses_[i], *na);
        const size_t named = na->active_addr.empty() ? kNone : IndexOf(na->active_addr);
        if (named != kNone && named != i) {
          active_ = named;
          if (!tried[named]) jump = named;
        }
        continue;
      }
      answered_ = i;
      // A read the passive served says nothing about where writes go.
      if ((reply->flags & proto::kFlagFromPassive) == 0) current_ = active_ = i;
      return reply;
    }
    const milliseconds left = Left(deadline);
    if (left.count() == 0) break;
    // A whole round and nobody served: an election, or every controller unreachable.
    const milliseconds pause(kRoundBackoffMinMs +
                             static_cast<int>(jitter() % kRoundBackoffJitterMs));
    std::this_thread::sleep_for(std::min(pause, left));
  }
  const std::string reasons = JoinReasons(why);
  if (refused) return Unavailable("no active controller: " + reasons);
  return DeadlineExceeded(reasons.empty() ? "no server answered" : reasons);
}

Status StatusFromFrame(const proto::Frame& f) { return proto::ReplyStatus(f); }

}  // namespace herd::net
