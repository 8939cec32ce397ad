// herd commands — configuration, authentication and the controller connection.
#include "commands/lib/client.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "commands/lib/cli.h"
#include "commands/lib/ha_format.h"
#include "common/net/cluster_keys.h"
#include "common/net/zmq_endpoint.h"

namespace herd::cli {

Result<std::unique_ptr<Client>> Client::Create() {
  std::unique_ptr<Client> c(new Client());
  const std::string path = ConfigPath();  // --conf, else $HERD_CONF, else the default
  HERD_ASSIGN_OR_RETURN(c->config_, LoadConfig(path));
  if (c->config_.controllers.empty()) {
    return FailedPrecondition("no ControllerHost configured in " + path);
  }
  // A controller's command port takes sealed requests (no session handshake); without one
  // commands use its daemon port and a CURVE session (doc/security.md "Commands").
  std::vector<std::string> daemon_addresses;
  for (const ControllerAddr& ctl : c->config_.controllers) {
    daemon_addresses.push_back(net::ControllerAddress(c->config_, ctl));
    const std::string command = net::CommandAddress(ctl);
    c->addresses_.push_back(command.empty() ? daemon_addresses.back() : command);
  }
  // Nothing (no script, no environment) goes to a process that cannot prove it is the
  // controller (doc/security.md).
  HERD_RETURN_IF_ERROR(net::UseClusterKeys(c->config_, {}));
  c->auth_ = MakeMungeAuth(c->config_.auth_socket);
  if (!c->auth_) return Internal("cannot create the MUNGE authenticator");
  const uint32_t secs = c->config_.message_timeout_s > 0 ? c->config_.message_timeout_s : 10;
  c->timeout_ = std::chrono::milliseconds(static_cast<int64_t>(secs) * 1000);
  c->caller_ = std::make_unique<net::Caller>(c->addresses_, c->auth_.get());
  c->caller_->SetAliases(std::move(daemon_addresses));
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

Result<proto::QueryJobsReply> Client::QueryAllJobs(const proto::JobFilter& filter, bool read) {
  proto::QueryJobsReply all;
  proto::QueryJobsRequest req;
  req.filter = filter;
  req.max_jobs = proto::kQueryPageMaxJobs;
  bool first = true;
  while (true) {
    auto page = read ? Read<proto::QueryJobsPage>(req) : Call<proto::QueryJobsPage>(req);
    if (!page.ok()) return page.error();
    if (first) all.now = page->now;
    first = false;
    for (proto::JobInfo& j : page->jobs) all.jobs.push_back(std::move(j));
    if (!page->more) return all;
    if (page->next_after <= req.after_job_id) {
      return Internal("the controller's next page starts at job " +
                      std::to_string(page->next_after) + ", not after " +
                      std::to_string(req.after_job_id));
    }
    req.after_job_id = page->next_after;
  }
}

Result<proto::QueryNodesReply> Client::QueryNodes(const std::vector<std::string>& names) {
  proto::QueryNodesRequest req;
  req.names = names;
  if (!names.empty()) return Read<proto::QueryNodesReply>(req);
  req.max_nodes = proto::kQueryPageMaxNodes;
  proto::QueryNodesReply all;
  while (true) {
    auto page = Read<proto::QueryNodesReply>(req);
    if (!page.ok()) return page.error();
    for (proto::NodeInfo& n : page->nodes) all.nodes.push_back(std::move(n));
    if (!page->more) return all;
    if (page->next_after <= req.after) {
      return Internal("the controller's next page of nodes starts at " +
                      std::to_string(page->next_after) + ", not after " +
                      std::to_string(req.after));
    }
    req.after = page->next_after;
  }
}

void PrintPassiveNote(const std::string& cmd, Client& client) {
  const std::string note = client.PassiveNote(cmd);
  if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
}

Status CheckNiceAllowed(int32_t nice, const ClusterConfig& config) {
  if (nice >= 0) return Status::Ok();
  const uid_t uid = ::getuid();
  if (uid == 0) return Status::Ok();
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      IsAdminUserName(config, found->pw_name)) {
    return Status::Ok();
  }
  return PermissionDenied("Invalid --nice value " + std::to_string(nice) +
                          ": only root and AdminUser may set a negative nice");
}

Status CheckJobSize(const ClusterConfig& config, const std::string& script,
                    const std::vector<std::string>& env, const std::vector<std::string>& argv) {
  if (script.size() > config.max_script_size) {
    return InvalidArgument("Batch script is too large: " + std::to_string(script.size()) +
                           " bytes, the limit (MaxScriptSize) is " +
                           std::to_string(config.max_script_size));
  }
  auto bytes = [](const std::vector<std::string>& v) {
    uint64_t n = 0;
    for (const std::string& s : v) n += s.size() + 1;
    return n;
  };
  if (bytes(env) > config.max_env_size) {
    return InvalidArgument("Job environment is too large: " + std::to_string(bytes(env)) +
                           " bytes, the limit (MaxEnvSize) is " +
                           std::to_string(config.max_env_size));
  }
  if (bytes(argv) > config.max_env_size) {
    return InvalidArgument("Job arguments are too large: " + std::to_string(bytes(argv)) +
                           " bytes, the limit (MaxEnvSize) is " +
                           std::to_string(config.max_env_size));
  }
  return Status::Ok();
}

Status DescribeCallError(const Status& st) {
  if (st.code() == Code::kDeadlineExceeded) {
    return Status(st.code(), "Unable to contact herd controller (" + st.message() + ")");
  }
  return st;
}

}  // namespace herd::cli
