// herd commands — configuration, authentication and the controller connection.
#include "commands/lib/client.h"

#include "common/net/zmq_endpoint.h"

namespace herd::cli {

Result<std::unique_ptr<Client>> Client::Create() {
  std::unique_ptr<Client> c(new Client());
  const std::string path = DefaultConfigPath();
  HERD_ASSIGN_OR_RETURN(c->config_, LoadConfig(path));
  if (c->config_.controllers.empty()) {
    return FailedPrecondition("no ControllerHost configured in " + path);
  }
  for (const ControllerAddr& ctl : c->config_.controllers) {
    const uint16_t port = ctl.port != 0 ? ctl.port : c->config_.controller_port;
    c->addresses_.push_back(net::TcpAddress(ctl.host, port));
  }
  c->auth_ = MakeMungeAuth(c->config_.auth_socket);
  if (!c->auth_) return Internal("cannot create the MUNGE authenticator");
  const uint32_t secs = c->config_.message_timeout_s > 0 ? c->config_.message_timeout_s : 10;
  c->timeout_ = std::chrono::milliseconds(static_cast<int64_t>(secs) * 1000);
  c->caller_ = std::make_unique<net::Caller>(c->addresses_, c->auth_.get());
  return c;
}

Status DescribeCallError(const Status& st) {
  if (st.code() == Code::kDeadlineExceeded) {
    return Status(st.code(), "Unable to contact herd controller (" + st.message() + ")");
  }
  return st;
}

}  // namespace herd::cli
