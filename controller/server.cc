// herd — the controller's loop.
#include "controller/server.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>

#include "common/base/log.h"
#include "common/net/cluster_keys.h"

namespace herd::ctld {
namespace {
// A node or voter that has not answered anything for this long gets a fresh connection
// (RpcClient::ReviveIfSilent): longer than any answer takes on a loaded cluster, short
// next to NodeTimeout and the outbox's resends (every 2 s).
constexpr std::chrono::milliseconds kSilentLink{3000};
}  // namespace

Server::Server(const ClusterConfig& config, ControllerCore& core,
               std::unique_ptr<net::RpcServer> rpc, net::SealedSessions sealed)
    : config_(config), core_(core), rpc_(std::move(rpc)), sealed_(std::move(sealed)) {
  for (const auto& n : config.nodes) {
    // CURVE clients expecting each node's and voter's key (net::UseClusterKeys).
    nodes_.push_back(std::make_unique<net::RpcClient>(net::NodeAddress(n)));
  }
  for (const ha::Peer& p : core.ha().peers()) {
    peers_.push_back(std::make_unique<net::RpcClient>(p.addr));
  }
  core_.set_early_peer_sender([this](std::vector<PeerMsg> msgs) { SendToPeers(msgs); });
}

void Server::ReviveSilentLinks() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_revive_check_ < std::chrono::milliseconds(500)) return;
  last_revive_check_ = now;
  for (auto* links : {&nodes_, &peers_}) {
    for (auto& c : *links) {
      if (c->ReviveIfSilent(kSilentLink)) {
        HERD_LOG(Info) << "no answer from " << c->address() << " for " << kSilentLink.count() / 1000
                       << " s: connecting afresh";
      }
    }
  }
}

void Server::SendToPeers(const std::vector<PeerMsg>& msgs) {
  for (const auto& m : msgs) {
    Status s = peers_[m.peer]->Send(m.bytes);
    if (!s.ok()) HERD_LOG(Debug) << s.message();
  }
}

void Server::Receive(net::Incoming in) {
  const auto now = std::chrono::steady_clock::now();
  if (Status s = sealed_.Accept(&in, now); !s.ok()) {
    refused_.Warn(in.from, MonotonicNowMs(), "dropping a message: " + s.message());
    return;
  }
  core_.HandleRequest(in.peer, in.bytes, in.from);
  if (now - last_expiry_ > std::chrono::seconds(10)) {
    sealed_.Expire(now);
    last_expiry_ = now;
  }
}

namespace {

// Drains one DEALER socket into `handle`.
template <class F>
void DrainReplies(net::RpcClient& c, F handle) {
  while (auto bytes = c.TryRecvBytes()) handle(*bytes);
}

}  // namespace

Status Server::Run(const std::atomic<bool>& stop) {
  std::vector<zmq::pollitem_t> items;
  items.push_back({rpc_->socket().handle(), 0, ZMQ_POLLIN, 0});
  for (auto& c : nodes_) items.push_back({c->socket().handle(), 0, ZMQ_POLLIN, 0});
  for (auto& c : peers_) items.push_back({c->socket().handle(), 0, ZMQ_POLLIN, 0});
  // Verdicts of the site's job_submit.lua, from its worker thread.
  if (core_.job_submit_fd() >= 0) items.push_back({nullptr, core_.job_submit_fd(), ZMQ_POLLIN, 0});
  // Ends of PrologSlurmctld and EpilogSlurmctld runs, from their threads.
  if (core_.ctld_hooks_fd() >= 0) items.push_back({nullptr, core_.ctld_hooks_fd(), ZMQ_POLLIN, 0});
  // With other voters the loop must wake often enough for lease renewals and elections.
  const auto poll_ms = std::chrono::milliseconds(
      peers_.empty() ? 100 : std::clamp<int64_t>(config_.ha_lease_ms / 20, 5, 100));
  constexpr int kBatch = 4096;  // requests per group commit, at most
  auto last_busy = std::chrono::steady_clock::now();
  auto last_trim = last_busy;
  while (!stop.load()) {
    try {
      // Queries left over from the last iteration (query_queue.h) are answered without
      // waiting, after whatever arrived meanwhile.
      zmq::poll(items.data(), items.size(),
                core_.queries_waiting() ? std::chrono::milliseconds(0) : poll_ms);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) HERD_LOG(Error) << "poll: " << e.what();
      continue;
    }
    for (int i = 0; i < kBatch; ++i) {
      auto in = rpc_->TryRecv();
      if (!in.ok()) {
        if (in.error().code() == Code::kNotFound) break;
        refused_.Warn("a client", MonotonicNowMs(), "dropping a message: " + in.error().message());
        continue;
      }
      Receive(std::move(*in));
    }
    for (size_t n = 0; n < nodes_.size(); ++n) {
      DrainReplies(*nodes_[n], [&](const std::string& b) { core_.HandleNodeReply(n, b); });
    }
    for (size_t p = 0; p < peers_.size(); ++p) {
      DrainReplies(*peers_[p], [&](const std::string& b) { core_.HandlePeerReply(p, b); });
    }
    core_.HandleFilteredSubmissions();
    core_.HandleCtldHooks();
    refused_.LogSummaries(MonotonicNowMs());
    ReviveSilentLinks();
    core_.Tick();
    // A failed commit (full or failing state disk) does not stop the controller: the core
    // holds what depended on it, refuses changes and tries again at every flush.
    FlushResult out = core_.Flush();
    for (const auto& r : out.replies) {
      // Sealed when its request was (a command's), never in the clear then.
      if (!sealed_.Send(*rpc_, r.peer, r.bytes)) dropped_replies_++;
    }
    if (dropped_replies_ > 0 &&
        std::chrono::steady_clock::now() - last_drop_log_ > std::chrono::seconds(10)) {
      HERD_LOG(Warning) << dropped_replies_
                        << " replies dropped: their clients do not read what they asked for";
      dropped_replies_ = 0;
      last_drop_log_ = std::chrono::steady_clock::now();
    }
    SendToPeers(out.peer_messages);
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
    } else if (now - last_busy > std::chrono::seconds(1) &&
               now - last_trim > std::chrono::seconds(10)) {
      malloc_trim(0);
      last_trim = now;
    }
  }
  return core_.MaybeCheckpoint(true);
}

}  // namespace herd::ctld
