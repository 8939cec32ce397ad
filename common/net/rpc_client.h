// herd — request/reply calls with authentication: sign the body, send, wait for the reply
// with the same request id, turn StatusReply errors into Status. Used by commands, node
// daemons and step daemons.
//
// With more than one controller configured, a Caller finds the active one by itself
// (doc/design.md §5, doc/ha-clients.md): it starts with the controller that answered last,
// skips one it cannot connect to within a fraction of a second, follows a NotActiveReply to
// the active it names, backs off and goes round again while an election is going on, and
// refuses replies from a controller whose epoch is below the highest it has seen (fenced).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/net/peer_link.h"
#include "common/net/zmq_endpoint.h"
#include "common/proto/codec.h"

namespace herd::net {

// StatusReply with an error code -> that Status; the expected reply type -> decoded.
Status StatusFromFrame(const proto::Frame& f);
template <class Rep>
Result<Rep> DecodeReply(const proto::Frame& f) {
  if (f.type == proto::MsgType::kStatusReply || f.type == proto::MsgType::kUnsupportedReply) {
    Status st = StatusFromFrame(f);
    if (!st.ok()) return st;
  }
  if (f.type != Rep::kType) {
    return Internal(std::string("unexpected reply ") + proto::MsgTypeName(f.type) + ", wanted " +
                    proto::MsgTypeName(Rep::kType));
  }
  return proto::DecodeBody<Rep>(f.body);
}

class Caller {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // `addresses`: the servers to try (the controllers in their configured order, or one
  // node daemon).
  Caller(std::vector<std::string> addresses, Authenticator* auth);
  ~Caller();

  // Signs and sends `f` (a fresh credential and request id for every send), waits for the
  // reply, failing over between the addresses until `timeout` has passed in all.
  // `f.flags & kFlagFromPassive` (a read the passive may serve) tries the controllers
  // other than the active first. Errors: kDeadlineExceeded when no server answered at
  // all, kUnavailable "no active controller: ..." when the ones that answered were not
  // active (or fenced); a StatusReply error is returned as the frame it is.
  Result<proto::Frame> CallFrame(proto::Frame f, std::chrono::milliseconds timeout);

  // One send to addresses()[index] only, no failover: the reply frame as it came (also a
  // NotActiveReply), for questions to one particular controller (hcontrol ping). A refused
  // connection fails at once. Its epoch is remembered like any other.
  Result<proto::Frame> CallAt(size_t index, proto::Frame f, std::chrono::milliseconds timeout);

  template <class Rep, class Req>
  Result<Rep> Call(const Req& req, std::chrono::milliseconds timeout) {
    auto reply = CallFrame(proto::MakeFrame(req, 0), timeout);
    if (!reply.ok()) return reply.error();
    return DecodeReply<Rep>(*reply);
  }

  // A new request id (unique per process run).
  uint64_t NextRequestId();

  const std::vector<std::string>& addresses() const { return addresses_; }
  // Other addresses of the same servers, in the same order: a controller names the active
  // by its daemon address while commands call its command address.
  void SetAliases(std::vector<std::string> aliases);
  // The highest controller epoch seen in any reply (also NotActive ones, and NoteEpoch).
  uint64_t max_epoch() const { return max_epoch_; }
  // An epoch learnt elsewhere (a node daemon's requests from the controller): replies
  // below it are refused from now on.
  void NoteEpoch(uint64_t epoch);
  // Index of the server that gave the last accepted reply; kNone before the first.
  size_t answered() const { return answered_; }
  // Index of the controller known to be active; kNone when unknown.
  size_t active() const { return active_; }

 private:
  // Connects (giving up after `connect_budget` or a refusal, unless `wait_for_server`:
  // then until `deadline`), signs, sends and waits for the reply until `deadline`.
  Result<proto::Frame> Attempt(size_t index, proto::Frame& f,
                               std::chrono::steady_clock::time_point deadline,
                               std::chrono::milliseconds connect_budget, bool wait_for_server);
  // The order to try the servers in, for this call.
  std::vector<size_t> Order(bool from_passive) const;
  size_t IndexOf(const std::string& address) const;

  std::vector<std::string> addresses_;
  std::vector<std::string> aliases_;
  std::vector<std::unique_ptr<PeerLink>> links_;
  Authenticator* auth_;
  size_t current_ = 0;  // where the next call starts
  size_t answered_ = kNone;
  size_t active_ = kNone;
  uint64_t max_epoch_ = 0;
  uint64_t next_id_;
};

}  // namespace herd::net
