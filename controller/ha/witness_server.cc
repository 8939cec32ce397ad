// herd — the witness process: one socket, one loop.
#include <chrono>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/log_limit.h"
#include "common/net/curve_keys.h"
#include "common/net/zmq_endpoint.h"
#include "controller/ha/witness.h"

namespace herd::ctld::ha {

Status RunWitness(const ClusterConfig& config, const std::string& state_dir,
                  const std::atomic<bool>& stop) {
  HERD_RETURN_IF_ERROR(MakeDirs(state_dir, 0700));
  FileVoteStore store(state_dir + "/vote");
  auto auth = MakeMungeAuth(config.auth_socket);
  SystemClock clock;
  WitnessCore core(config, clock, store, *auth);
  HERD_RETURN_IF_ERROR(core.Load());
  const std::string addr = TcpEndpoint(config.witness_addr.host, config.witness_addr.port);
  HERD_ASSIGN_OR_RETURN(std::string secret,
                        net::ReadSecretKey(config.key_dir, config.witness_addr.name));
  HERD_ASSIGN_OR_RETURN(auto rpc, net::RpcServer::Bind(addr, secret));
  HERD_LOG(Info) << "witness " << config.witness_addr.name << " serving on " << addr << " (epoch "
                 << core.voter().state().epoch << ")";
  PeerLogLimiter refused;  // frames that are not one message
  zmq::pollitem_t item{rpc->socket().handle(), 0, ZMQ_POLLIN, 0};
  while (!stop.load()) {
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) HERD_LOG(Error) << "poll: " << e.what();
      continue;
    }
    while (true) {
      auto in = rpc->TryRecv();
      if (!in.ok()) {
        if (in.error().code() == Code::kNotFound) break;
        if (refused.Admit("a client", MonotonicNowMs())) {
          HERD_LOG(Warning) << "dropping a message: " << in.error().message();
        }
        continue;
      }
      std::string out = core.HandleRequest(in->bytes, in->from);
      if (!out.empty()) rpc->Send(in->peer, out);
    }
    core.Tick();
    refused.LogSummaries(MonotonicNowMs());
  }
  return Status::Ok();
}

}  // namespace herd::ctld::ha
