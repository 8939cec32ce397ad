// herd — the controller's loop: one thread polling the ROUTER socket (requests from
// commands, node daemons and step daemons) and one DEALER per node (answers to launch /
// signal / terminate) and one DEALER per other voter (votes, lease renewals, records),
// feeding the core and sending what its durable flush returns.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "common/base/log_limit.h"
#include "common/net/sealed.h"
#include "common/net/zmq_endpoint.h"
#include "controller/core.h"

namespace herd::ctld {

class Server {
 public:
  // `sealed`: opens commands' sealed requests and seals their replies (common/net/sealed.h).
  Server(const ClusterConfig& config, ControllerCore& core, std::unique_ptr<net::RpcServer> rpc,
         net::SealedSessions sealed);
  // Runs until `stop` becomes true. A journal that cannot be written does not stop it
  // (see controller/limits.cc); the result is that of the final checkpoint.
  Status Run(const std::atomic<bool>& stop);

 private:
  void SendToPeers(const std::vector<PeerMsg>& msgs);
  // Hands one request to the core (opened first when it is sealed).
  void Receive(net::Incoming in);
  // Fresh connections to nodes and voters that stopped answering (checked twice a second).
  void ReviveSilentLinks();

  const ClusterConfig& config_;
  ControllerCore& core_;
  std::unique_ptr<net::RpcServer> rpc_;
  net::SealedSessions sealed_;
  std::chrono::steady_clock::time_point last_expiry_{};
  std::vector<std::unique_ptr<net::RpcClient>> nodes_;
  std::vector<std::unique_ptr<net::RpcClient>> peers_;  // the other voters (core.ha().peers())
  PeerLogLimiter refused_;                              // frames that are not one message
  // Replies refused because their client's send queue was full (counted, logged at most
  // every 10 s).
  uint64_t dropped_replies_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
  std::chrono::steady_clock::time_point last_revive_check_{};
};

}  // namespace herd::ctld
