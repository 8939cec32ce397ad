// herd — request/reply calls with authentication: sign the body, send, wait for the reply
// with the same request id, turn StatusReply errors into Status. Used by commands, node
// daemons and step daemons.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/auth/auth.h"
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
  // `addresses`: the servers to try, in order (the controllers, or one node daemon).
  Caller(std::vector<std::string> addresses, Authenticator* auth);

  // Signs and sends `f`, waits for its reply. Tries each address in turn when one does not
  // answer within `timeout`. kDeadlineExceeded when none answers.
  Result<proto::Frame> CallFrame(proto::Frame f, std::chrono::milliseconds timeout);

  template <class Rep, class Req>
  Result<Rep> Call(const Req& req, std::chrono::milliseconds timeout) {
    auto reply = CallFrame(proto::MakeFrame(req, 0), timeout);
    if (!reply.ok()) return reply.error();
    return DecodeReply<Rep>(*reply);
  }

  // A new request id (unique per process run).
  uint64_t NextRequestId();

 private:
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<RpcClient>> clients_;
  Authenticator* auth_;
  size_t current_ = 0;
  uint64_t next_id_;
};

}  // namespace herd::net
