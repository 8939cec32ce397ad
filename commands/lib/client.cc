// herd commands — configuration, authentication and the controller connection.
#include "commands/lib/client.h"

#include <cstdio>

#include "commands/lib/ha_format.h"
#include "common/net/cluster_keys.h"
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
    c->addresses_.push_back(net::ControllerAddress(c->config_, ctl));
  }
  // Nothing (no script, no environment) goes to a process that cannot prove it is the
  // controller (doc/security.md).
  HERD_RETURN_IF_ERROR(net::UseClusterKeys(c->config_, {}));
  c->auth_ = MakeMungeAuth(c->config_.auth_socket);
  if (!c->auth_) return Internal("cannot create the MUNGE authenticator");
  const uint32_t secs = c->config_.message_timeout_s > 0 ? c->config_.message_timeout_s : 10;
  c->timeout_ = std::chrono::milliseconds(static_cast<int64_t>(secs) * 1000);
  c->caller_ = std::make_unique<net::Caller>(c->addresses_, c->auth_.get());
  c->from_passive_ = c->config_.read_from_passive;
  return c;
}

namespace {

Result<std::optional<proto::HaStatusReply>> HaStatusFrom(const Result<proto::Frame>& f) {
  if (!f.ok()) return f.error();
  if (f->type == proto::MsgType::kUnsupportedReply ||
      (f->type == proto::MsgType::kStatusReply &&
       net::StatusFromFrame(*f).code() == Code::kUnsupported)) {
    return std::optional<proto::HaStatusReply>();  // a controller from before the pair
  }
  HERD_ASSIGN_OR_RETURN(proto::HaStatusReply st, net::DecodeReply<proto::HaStatusReply>(*f));
  return std::optional<proto::HaStatusReply>(std::move(st));
}

}  // namespace

Result<std::optional<proto::HaStatusReply>> Client::HaStatusOf(size_t index,
                                                               std::chrono::milliseconds timeout) {
  return HaStatusFrom(
      caller_->CallAt(index, proto::MakeFrame(proto::HaStatusRequest{}, 0), timeout));
}

Result<std::optional<proto::HaStatusReply>> Client::HaStatusAt(const std::string& address,
                                                               std::chrono::milliseconds timeout) {
  net::Caller one({address}, auth_.get());
  return HaStatusFrom(one.CallAt(0, proto::MakeFrame(proto::HaStatusRequest{}, 0), timeout));
}

Result<proto::HaStatusReply> Client::HaStatus() {
  return Call<proto::HaStatusReply>(proto::HaStatusRequest{});
}

std::string Client::PassiveNote(const std::string& cmd) {
  const size_t who = passive_served_;
  if (who == net::Caller::kNone) return "";
  // The question goes to the passive that served: it knows how far behind it is.
  auto st = HaStatusOf(who, timeout_);
  if (!st.ok() || !st->has_value()) {
    const std::string name =
        who < config_.controllers.size() ? config_.controllers[who].name : addresses_[who];
    return cmd + ": served by the passive controller " + name + " (how far behind: unknown)";
  }
  return cli::PassiveNote(cmd, **st);
}

void PrintPassiveNote(const std::string& cmd, Client& client) {
  const std::string note = client.PassiveNote(cmd);
  if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
}

Status DescribeCallError(const Status& st) {
  if (st.code() == Code::kDeadlineExceeded) {
    return Status(st.code(), "Unable to contact herd controller (" + st.message() + ")");
  }
  return st;
}

}  // namespace herd::cli
