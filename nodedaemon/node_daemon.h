// herd — herdd, the node daemon: one thread, one loop. It serves the controller's
// requests (launch a batch step or a step of hrun, signal or terminate every step of a
// job run) on a ROUTER socket, registers
// the node and heartbeats, reaps the step daemons it started and reports completions that
// a dead step daemon could not deliver. It never touches running steps when it stops.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/log_limit.h"
#include "common/config/config.h"
#include "common/net/rpc_client.h"
#include "common/net/zmq_endpoint.h"
#include "common/proto/messages.h"
#include "nodedaemon/health_check.h"
#include "nodedaemon/job_hooks.h"
#include "nodedaemon/lease.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/stepd/cgroup_limits.h"

namespace herd::noded {

inline constexpr char kHerdVersion[] = "0.1.0";

class NodeDaemon {
 public:
  using Clock = std::chrono::steady_clock;

  // `conf_path`: absolute path handed to herdstepd. The caller has blocked SIGCHLD,
  // SIGTERM, SIGINT and SIGHUP in every thread before calling Init().
  NodeDaemon(ClusterConfig config, std::string conf_path, NodeConfig node);
  ~NodeDaemon();
  NodeDaemon(const NodeDaemon&) = delete;
  NodeDaemon& operator=(const NodeDaemon&) = delete;

  // Discovers the hardware, prepares the spool directory, binds the socket.
  Status Init();
  // Serves until SIGTERM or SIGINT.
  void Run();

 private:
  // Incoming requests.
  void HandleIncoming(const net::Incoming& in);
  Status Dispatch(const proto::Frame& f);
  Status OnLaunch(const std::string& body);
  Status OnLaunchStep(const std::string& body);
  // Starts herdstepd for a step directory unless it is already there (a resend).
  // `uid`, `gid` and `user` say whose step it is.
  Status StartStep(uint64_t job_id, uint32_t run_seq, uint32_t step_id, const char* launch_file,
                   const std::string& body, uid_t uid, gid_t gid, const std::string& user);
  Status OnSignal(const proto::SignalJobRequest& req);
  // Every step of the job run on this node.
  Status TerminateJob(const proto::TerminateJobRequest& req);
  Status TerminateStep(const SpoolStep& s, uint32_t kill_wait_s);

  // Signals and children.
  void HandleSignals();
  void ReapChildren();
  // A batch step daemon we started leaves its completion to us (kNodeDaemonPidEnv).
  void ReportEndedBatchStep(const std::string& dir);
  bool Starting(const std::string& step_dir) const;

  // Controller link: registration, heartbeats, completions on behalf of dead steps.
  void OnTimers();
  // HealthCheckProgram (health_check.h): start it when due; drain the node when it failed.
  void RunHealthCheck();
  // Epilogs owed on this node (job_hooks.h): started once their run's steps are gone.
  void RunEpilogs();
  void SendDrain();
  // Tells the controller of each ended run in epilog_reports_ whose steps and Epilog are
  // gone here (epilog_reports.cc).
  void SendEpilogReports();
  Result<proto::Frame> CallController(const proto::Frame& f);
  void TryRegister();
  void SendHeartbeat();
  std::vector<proto::StepRef> CollectSteps();
  // Marks steps whose step daemon died without a status; sends pending completions.
  void ReconcileSpool(bool send_completions);
  bool SendCompletion(const SpoolStep& s);
  void ForgetStep(const SpoolStep& s);
  // An accepted answer from an active controller: the lease runs from now.
  void RenewLease();
  // NodeLease without one: stops every step still running here (once each).
  void EnforceLease();
  // Completions of the steps the lease stopped, before registering (so that they are
  // taken as lost with the node, not as failed). False when the controller did not answer.
  bool SendLeaseCompletions();

  ClusterConfig config_;
  CgroupHost cgroup_host_;  // the hierarchies that enforce the allocations (cgroup_limits.h)
  std::unique_ptr<HealthCheck> health_;
  std::unique_ptr<NodeEpilogs> epilogs_;
  bool epilogs_due_ = true;  // look for ended runs at the next timer
  // Ended runs (job, run) whose Epilog's end the controller waits for (COMPLETING). In
  // memory: the controller sends the terminate again until it hears.
  std::set<std::pair<uint64_t, uint32_t>> epilog_reports_;
  std::string pending_drain_;  // a failed check's or Epilog's reason, until the controller has it
  std::string conf_path_;
  NodeConfig node_;
  std::string spool_dir_;
  std::string stepd_path_;        // herdstepd
  std::string batch_stepd_path_;  // herdstepd-batch, or herdstepd when it is missing
  uint32_t admin_uid_ = 0;
  int64_t boot_time_ = 0;
  proto::HwInventory hw_;

  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<net::RpcServer> server_;
  std::unique_ptr<net::Caller> caller_;
  int signal_fd_ = -1;
  bool stop_ = false;

  bool registered_ = false;
  uint64_t heartbeat_seq_ = 0;
  uint64_t max_epoch_ = 0;
  PeerLogLimiter refusals_;  // refused requests: a few lines per sender and window
  int register_failures_ = 0;
  int heartbeat_failures_ = 0;
  Clock::time_point next_register_{};
  Clock::time_point next_heartbeat_{};
  Clock::time_point next_scan_{};
  // Reaped batch steps are reported at once from then on (after a failed report, the
  // next ones wait for the spool scan).
  Clock::time_point direct_completions_from_{};

  std::map<pid_t, std::string> children_;  // herdstepd pid -> step directory
  std::unique_ptr<NodeLease> lease_;
  std::set<std::string> lease_stopped_;  // step directories stopped for the lease
};

}  // namespace herd::noded
