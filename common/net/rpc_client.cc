// herd — authenticated request/reply calls.
#include "common/net/rpc_client.h"

#include <unistd.h>

#include <random>

namespace herd::net {

Caller::Caller(std::vector<std::string> addresses, Authenticator* auth)
    : addresses_(std::move(addresses)), auth_(auth) {
  std::random_device rd;
  next_id_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(getpid());
  clients_.resize(addresses_.size());
}

uint64_t Caller::NextRequestId() { return ++next_id_; }

Result<proto::Frame> Caller::CallFrame(proto::Frame f, std::chrono::milliseconds timeout) {
  if (addresses_.empty()) return InvalidArgument("no server address configured");
  Status last = DeadlineExceeded("no server answered");
  for (size_t attempt = 0; attempt < addresses_.size(); ++attempt) {
    size_t i = (current_ + attempt) % addresses_.size();
    if (!clients_[i]) clients_[i] = std::make_unique<RpcClient>(addresses_[i]);
    f.request_id = NextRequestId();
    if (auth_ != nullptr) {
      // A fresh credential per send: MUNGE refuses a credential seen twice.
      auto cred = auth_->Sign(f.body);
      if (!cred.ok()) return cred.error();
      f.auth = std::move(*cred);
    }
    Status sent = clients_[i]->Send(proto::EncodeFrame(f));
    if (!sent.ok()) {
      last = sent;
      continue;
    }
    auto reply = clients_[i]->WaitReply(f.request_id, timeout);
    if (reply.ok()) {
      current_ = i;
      return reply;
    }
    last = reply.error();
    // The server may be gone; a fresh socket avoids delivering the stale request later.
    clients_[i]->Reset();
  }
  return last;
}

Status StatusFromFrame(const proto::Frame& f) { return proto::ReplyStatus(f); }

}  // namespace herd::net
