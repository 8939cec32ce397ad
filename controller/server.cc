// herd — the controller's loop.
#include "controller/server.h"

#include <malloc.h>

#include <chrono>

#include "common/base/log.h"

namespace herd::ctld {

Server::Server(const ClusterConfig& config, ControllerCore& core,
               std::unique_ptr<net::RpcServer> rpc)
    : config_(config), core_(core), rpc_(std::move(rpc)) {
  for (const auto& n : config.nodes) {
    nodes_.push_back(std::make_unique<net::RpcClient>(net::TcpAddress(n.addr, n.port)));
  }
}

Status Server::Run(const std::atomic<bool>& stop) {
  std::vector<zmq::pollitem_t> items;
  items.push_back({rpc_->socket().handle(), 0, ZMQ_POLLIN, 0});
  for (auto& c : nodes_) items.push_back({c->socket().handle(), 0, ZMQ_POLLIN, 0});
  constexpr int kBatch = 4096;  // requests per group commit, at most
  auto last_busy = std::chrono::steady_clock::now();
  auto last_trim = last_busy;
  while (!stop.load()) {
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) HERD_LOG(Error) << "poll: " << e.what();
      continue;
    }
    for (int i = 0; i < kBatch; ++i) {
      auto in = rpc_->TryRecv();
      if (!in.ok()) {
        if (in.error().code() == Code::kNotFound) break;
        HERD_LOG(Warning) << "dropping a message: " << in.error().message();
        continue;
      }
      core_.HandleRequest(in->peer, in->bytes);
    }
    for (size_t n = 0; n < nodes_.size(); ++n) {
      while (true) {
        try {
          zmq::message_t m;
          if (!nodes_[n]->socket().recv(m, zmq::recv_flags::dontwait)) break;
          core_.HandleNodeReply(n, std::string(static_cast<const char*>(m.data()), m.size()));
        } catch (const zmq::error_t&) {
          break;
        }
      }
    }
    core_.Tick();
    FlushResult out = core_.Flush();
    if (!out.status.ok()) {
      HERD_LOG(Error) << "journal commit failed, stopping: " << out.status.ToString();
      return out.status;
    }
    for (const auto& r : out.replies) rpc_->Send(r.peer, r.bytes);
    for (const auto& m : out.node_messages) {
      Status s = nodes_[m.node]->Send(m.bytes);
      if (!s.ok()) HERD_LOG(Warning) << s.message();
    }
    Status c = core_.MaybeCheckpoint(false);
    if (!c.ok()) HERD_LOG(Error) << "checkpoint failed: " << c.ToString();
    // Give memory freed after a burst back to the system once things are quiet (request
    // buffers of a submission storm otherwise stay resident).
    bool busy = !out.replies.empty() || !out.node_messages.empty();
    auto now = std::chrono::steady_clock::now();
    if (busy) {
      last_busy = now;
    } else if (now - last_busy > std::chrono::seconds(1) && now - last_trim > std::chrono::seconds(10)) {
      malloc_trim(0);
      last_trim = now;
    }
  }
  return core_.MaybeCheckpoint(true);
}

}  // namespace herd::ctld
