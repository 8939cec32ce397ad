// herd commands — the connection every command makes: the configuration ($HERD_CONF or
// the default path), the MUNGE authenticator and a Caller over the controllers in their
// configured order, with MessageTimeout as the per-request timeout.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/status.h"
#include "common/config/config.h"
#include "common/net/rpc_client.h"

namespace herd::cli {

class Client {
 public:
  // Loads the configuration and prepares (but does not open) the connections.
  static Result<std::unique_ptr<Client>> Create();

  template <class Rep, class Req>
  Result<Rep> Call(const Req& req) {
    return caller_->Call<Rep>(req, timeout_);
  }

  const ClusterConfig& config() const { return config_; }
  // "tcp://host:port" of every controller, in order.
  const std::vector<std::string>& addresses() const { return addresses_; }
  Authenticator* auth() { return auth_.get(); }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  Client() = default;

  ClusterConfig config_;
  std::vector<std::string> addresses_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<net::Caller> caller_;
  std::chrono::milliseconds timeout_{10000};
};

// No controller answering reads better to a user as "Unable to contact herd controller
// (...)": this rewrites kDeadlineExceeded and keeps every other status as it is.
Status DescribeCallError(const Status& st);

}  // namespace herd::cli
