// herd — the controller's loop: one thread polling the ROUTER socket (requests from
// commands, node daemons and step daemons) and one DEALER per node (answers to launch /
// signal / terminate) and one DEALER per other voter (votes, lease renewals, records),
// feeding the core and sending what its durable flush returns.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "common/net/zmq_endpoint.h"
#include "controller/core.h"

namespace herd::ctld {

class Server {
 public:
  Server(const ClusterConfig& config, ControllerCore& core, std::unique_ptr<net::RpcServer> rpc);
  // Runs until `stop` becomes true. Returns non-OK if the journal fails (the controller
  // must stop: it can no longer promise durability).
  Status Run(const std::atomic<bool>& stop);

 private:
  void SendToPeers(const std::vector<PeerMsg>& msgs);

  const ClusterConfig& config_;
  ControllerCore& core_;
  std::unique_ptr<net::RpcServer> rpc_;
  std::vector<std::unique_ptr<net::RpcClient>> nodes_;
  std::vector<std::unique_ptr<net::RpcClient>> peers_;  // the other voters (core.ha().peers())
  // Replies refused because their client's send queue was full (counted, logged at most
  // every 10 s).
  uint64_t dropped_replies_ = 0;
  std::chrono::steady_clock::time_point last_drop_log_{};
};

}  // namespace herd::ctld
