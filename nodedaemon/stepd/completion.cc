// herd — delivering a step's completion to the controller.
#include "nodedaemon/stepd/completion.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/log.h"
#include "common/net/rpc_client.h"
#include "common/proto/codec.h"
#include "nodedaemon/spool.h"

namespace herd::noded {

void DeliverCompletion(const ClusterConfig& config, const std::string& controller_addr,
                       const proto::StepCompleteRequest& req) {
  const std::string what = StepDirName(req.step.job_id, req.step.run_seq, req.step.step_id);
  std::vector<std::string> addresses;
  if (!controller_addr.empty()) addresses.push_back(controller_addr);
  for (const ControllerAddr& c : config.controllers) {
    std::string a = net::TcpAddress(c.host, c.port != 0 ? c.port : config.controller_port);
    if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) {
      addresses.push_back(a);
    }
  }
  if (addresses.empty()) {
    HERD_LOG(Error) << "no controller address: the completion of " << what << " is left to herdd";
    return;
  }
  auto auth = MakeMungeAuth(config.auth_socket);
  // The launching controller may have lost the active role since: Caller follows its
  // NotActiveReply to the new active, and skips it quickly when it is dead.
  net::Caller caller(addresses, auth.get());
  auto backoff = std::chrono::milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    // Caller signs every send afresh (MUNGE refuses a replayed credential).
    auto reply = caller.CallFrame(proto::MakeFrame(req, 0), std::chrono::milliseconds(2000));
    if (reply.ok() && (reply->type == proto::MsgType::kStatusReply ||
                       reply->type == proto::MsgType::kUnsupportedReply)) {
      HERD_LOG(Info) << "completion of " << what
                     << " delivered: " << net::StatusFromFrame(*reply).ToString();
      return;
    }
    if (attempt == 1 || attempt % 30 == 0) {
      HERD_LOG(Warning) << "completion of " << what << " not delivered yet (try " << attempt
                        << "): "
                        << (reply.ok() ? std::string("unexpected reply") : reply.error().message());
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace herd::noded
