// herd commands — the connection every command makes: the configuration (--conf FILE,
// else $HERD_CONF, else the default path: cli::ConfigPath()), the MUNGE authenticator and
// a Caller over the controllers in their configured order, with MessageTimeout as the
// per-request timeout. The Caller finds the active controller of a pair by itself; reads
// may go to the passive (doc/ha-clients.md).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/status.h"
#include "common/config/config.h"
#include "common/net/rpc_client.h"
#include "common/proto/ha_messages.h"

namespace herd::cli {

class Client {
 public:
  // Loads the configuration and prepares (but does not open) the connections.
  static Result<std::unique_ptr<Client>> Create();

  template <class Rep, class Req>
  Result<Rep> Call(const Req& req) {
    auto reply = caller_->CallFrame(proto::MakeFrame(req, 0), timeout_);
    if (!reply.ok()) return reply.error();
    return net::DecodeReply<Rep>(*reply);
  }

  // A query the passive controller may answer (--from-passive, ReadFromPassive=yes):
  // marked kFlagFromPassive when reads from the passive are on, else a plain Call.
  template <class Rep, class Req>
  Result<Rep> Read(const Req& req) {
    proto::Frame f = proto::MakeFrame(req, 0);
    if (from_passive_) f.flags |= proto::kFlagFromPassive;
    auto reply = caller_->CallFrame(std::move(f), timeout_);
    // Remembered for PassiveNote, whatever is called in between.
    passive_served_ = reply.ok() && (reply->flags & proto::kFlagFromPassive) != 0
                          ? caller_->answered()
                          : net::Caller::kNone;
    if (!reply.ok()) return reply.error();
    return net::DecodeReply<Rep>(*reply);
  }
  // Every job matching `filter`, asked page after page (QueryJobsRequest::max_jobs): the
  // controller holds one page per request, never the whole answer. Pages are made one after
  // the other, so they are not one snapshot: a job shows once, in the state it had when its
  // page was made; jobs submitted while the pages are fetched may show, purged ones not.
  // `read`: as Read (the passive may answer), else as Call. `now` is the first page's.
  Result<proto::QueryJobsReply> QueryAllJobs(const proto::JobFilter& filter, bool read = true);
  // Every node, page after page (QueryNodesRequest::max_nodes), as Read; or the named ones
  // in one request.
  Result<proto::QueryNodesReply> QueryNodes(const std::vector<std::string>& names = {});
  bool from_passive() const { return from_passive_; }
  void set_from_passive(bool on) { from_passive_ = on; }
  // Whether the last Read was served by the passive controller (it marks what it serves).
  bool served_by_passive() const { return passive_served_ != net::Caller::kNone; }
  // Index (in addresses()) of the controller that gave the last reply; Caller::kNone.
  size_t answered() const { return caller_->answered(); }
  // The one line `cmd` prints on stderr after a Read the passive served: who served it and
  // how far behind the active it is (asked of that passive); "" otherwise.
  std::string PassiveNote(const std::string& cmd);

  // HaStatusRequest to controllers[index] alone (no failover), within `timeout`. The
  // status is unset when it answered but does not know the request.
  Result<std::optional<proto::HaStatusReply>> HaStatusOf(size_t index,
                                                         std::chrono::milliseconds timeout);
  // The same to any address (the witness).
  Result<std::optional<proto::HaStatusReply>> HaStatusAt(const std::string& address,
                                                         std::chrono::milliseconds timeout);
  // HaStatusRequest through the normal routing (the active, or whoever answers).
  Result<proto::HaStatusReply> HaStatus();

  const ClusterConfig& config() const { return config_; }
  // "tcp://host:port" of every controller, in order.
  const std::vector<std::string>& addresses() const { return addresses_; }
  Authenticator* auth() { return auth_.get(); }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  Client() = default;

  ClusterConfig config_;
  std::vector<std::string> addresses_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<net::Caller> caller_;
  std::chrono::milliseconds timeout_{10000};
  bool from_passive_ = false;
  size_t passive_served_ = net::Caller::kNone;  // the passive that served the last Read
};

// Prints client.PassiveNote(cmd) on stderr when the last read was served by the passive.
void PrintPassiveNote(const std::string& cmd, Client& client);

// A negative --nice is for root and AdminUser only (Slurm's rule). The controller decides;
// this check gives the same answer before anything is sent. Error: "Invalid --nice value".
Status CheckNiceAllowed(int32_t nice, const ClusterConfig& config);

// No controller answering reads better to a user as "Unable to contact herd controller
// (...)": this rewrites kDeadlineExceeded and keeps every other status as it is.
Status DescribeCallError(const Status& st);

// What the controller would refuse for its size (MaxScriptSize for `script`, MaxEnvSize for
// `env`, and for `argv`), checked before anything is sent so that a too large job fails at
// once with the limit named; the controller checks again.
Status CheckJobSize(const ClusterConfig& config, const std::string& script,
                    const std::vector<std::string>& env, const std::vector<std::string>& argv = {});

}  // namespace herd::cli
