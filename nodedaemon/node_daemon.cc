// herd — herdd's loop and the requests it serves (controller link: node_daemon_link.cc).
#include "nodedaemon/node_daemon.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "common/net/cluster_keys.h"
#include "common/net/curve_keys.h"
#include "common/proto/codec.h"
#include "common/proto/ha_messages.h"
#include "common/proto/step_messages.h"
#include "nodedaemon/hooks.h"
#include "nodedaemon/hw/cpu_map.h"
#include "nodedaemon/hw/topology.h"
#include "nodedaemon/step_launcher.h"
#include "nodedaemon/stepd/proctree.h"
#include "nodedaemon/user_entry.h"

namespace herd::noded {
namespace {

constexpr int kMaxMessagesPerWake = 100;

}  // namespace

NodeDaemon::NodeDaemon(ClusterConfig config, std::string conf_path, NodeConfig node)
    : config_(std::move(config)), conf_path_(std::move(conf_path)), node_(std::move(node)) {}

NodeDaemon::~NodeDaemon() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

Status NodeDaemon::Init() {
  boot_time_ = static_cast<int64_t>(std::time(nullptr));
  spool_dir_ = NodeSpoolDir(config_.spool_dir, node_.name);
  HERD_RETURN_IF_ERROR(MakeDirs(spool_dir_, 0755));
  stepd_path_ = DefaultStepdPath();
  if (::access(stepd_path_.c_str(), X_OK) != 0) {
    HERD_LOG(Warning) << "cannot execute " << stepd_path_ << ": launches will fail";
  }
  // Batch steps need neither hwloc nor PMIx: their lighter supervisor when installed.
  batch_stepd_path_ = DefaultStepdPath("herdstepd-batch");
  if (::access(batch_stepd_path_.c_str(), X_OK) != 0) batch_stepd_path_ = stepd_path_;

  // A node that cannot enforce what the configuration says refuses to run jobs at all.
  auto cgroups = DetectCgroupHost(config_.cgroup, /*mount_missing=*/true);
  if (!cgroups.ok()) return cgroups.error();
  cgroup_host_ = std::move(*cgroups);
  if (cgroup_host_.version != 0) {
    HERD_LOG(Info) << "cgroup v" << cgroup_host_.version << " enforces the allocations"
                   << (config_.cgroup.constrain_cores ? " (cores)" : "")
                   << (config_.cgroup.constrain_ram ? " (memory)" : "")
                   << (config_.cgroup.constrain_swap ? " (swap)" : "");
  }

  epilogs_ = std::make_unique<NodeEpilogs>(config_, spool_dir_);
  health_ = std::make_unique<HealthCheck>(config_, node_.name, conf_path_,
                                          spool_dir_ + "/health_check.out");

  auto hw = DiscoverHardware(config_, node_);
  if (!hw.ok()) return Internal("cannot discover the hardware: " + hw.error().message());
  hw_ = std::move(*hw);
  // The real PUs, once, for every herdstepd this daemon starts (see kHostPusEnv).
  ::unsetenv(kHostPusEnv);
  if (auto map = CpuMap::FromHost(); map.ok()) {
    std::vector<std::string> pus;
    for (unsigned pu : map->real_pus()) pus.push_back(std::to_string(pu));
    ::setenv(kHostPusEnv, Join(pus, ",").c_str(), 1);
  }
  HERD_LOG(Info) << "hardware: " << hw_.topology << ", " << hw_.cpus << " cpus, " << hw_.memory_mb
                 << " MB, " << hw_.gpus << " gpus, nics " << Join(hw_.nics, ",");

  admin_uid_ = 0;
  if (struct passwd* pw = ::getpwnam(config_.admin_user.c_str())) {
    admin_uid_ = pw->pw_uid;
  } else if (config_.admin_user != "root") {
    HERD_LOG(Warning) << "AdminUser " << config_.admin_user << " is unknown; only root may "
                      << "send requests to this node";
  }

  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return Internal(std::string("signalfd: ") + std::strerror(errno));

  auth_ = MakeMungeAuth(config_.auth_socket);
  // Only a controller that proves it holds its secret key is sent anything or believed
  // (doc/security.md).
  HERD_RETURN_IF_ERROR(net::UseClusterKeys(config_, {}));
  HERD_ASSIGN_OR_RETURN(std::string secret, net::ReadSecretKey(config_.key_dir, node_.name));
  std::vector<std::string> controllers;
  for (const ControllerAddr& c : config_.controllers) {
    controllers.push_back(net::ControllerAddress(config_, c));
  }
  caller_ = std::make_unique<net::Caller>(controllers, auth_.get());

  lease_ = std::make_unique<NodeLease>(spool_dir_ + "/" + kLeaseFile, config_.NodeLeaseS() * 1000);
  lease_->Load(NodeLease::NowMs());

  std::string address = net::NodeAddress(node_);
  auto server = net::RpcServer::Bind(address, secret);
  if (!server.ok()) return server.error();
  server_ = std::move(*server);
  HERD_LOG(Info) << "listening on " << address << ", spool " << spool_dir_;
  return Status::Ok();
}

void NodeDaemon::Run() {
  auto now = Clock::now();
  next_register_ = now;
  next_scan_ = now;
  ReconcileSpool(/*send_completions=*/false);
  while (!stop_) {
    now = Clock::now();
    Clock::time_point wake = std::min(registered_ ? next_heartbeat_ : next_register_, next_scan_);
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
    timeout = std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(1000));

    zmq::pollitem_t items[2] = {{server_->socket().handle(), 0, ZMQ_POLLIN, 0},
                                {nullptr, signal_fd_, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, timeout);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) {
        HERD_LOG(Error) << "poll failed: " << e.what();
      }
      continue;
    }
    if (items[1].revents & ZMQ_POLLIN) HandleSignals();
    if (stop_) break;
    if (items[0].revents & ZMQ_POLLIN) {
      for (int i = 0; i < kMaxMessagesPerWake; ++i) {
        auto in = server_->TryRecv();
        if (!in.ok()) {
          if (in.error().code() != Code::kNotFound) {
            refusals_.Warn("a client", MonotonicNowMs(),
                           "dropping a message: " + in.error().message());
            continue;
          }
          break;
        }
        HandleIncoming(*in);
      }
    }
    OnTimers();
    refusals_.LogSummaries(MonotonicNowMs());
  }
  HERD_LOG(Info) << "stopping; running steps are left alone";
  // This daemon's parent group in each hierarchy goes when no step is left in it (the
  // kernel refuses while one is).
  const std::string rel = "herd/" + NodeInstance(node_.name, spool_dir_ + "/" + StepDirName(0, 0));
  std::vector<std::string> roots;
  if (const std::string v2 = FindCgroup2Root(); !v2.empty()) roots.push_back(v2);
  for (const std::string& c : cgroup_host_.v1_controllers) roots.push_back(cgroup_host_.v1.at(c));
  for (const std::string& root : roots) (void)::rmdir((root + "/" + rel).c_str());
}

void NodeDaemon::HandleSignals() {
  struct signalfd_siginfo si;
  while (::read(signal_fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    switch (si.ssi_signo) {
      case SIGCHLD:
        ReapChildren();
        break;
      case SIGTERM:
      case SIGINT:
        HERD_LOG(Info) << "got signal " << si.ssi_signo;
        stop_ = true;
        break;
      default:
        break;  // SIGHUP: nothing to reload yet
    }
  }
}

void NodeDaemon::ReapChildren() {
  std::vector<std::string> ended;
  ReapExited([&](pid_t pid, int status) {
    std::string failure;
    if (health_->OnReaped(pid, status, &failure)) {
      if (!failure.empty()) {
        HERD_LOG(Error) << "HealthCheckProgram failed: " << failure;
        pending_drain_ = failure;
      }
      return;
    }
    if (epilogs_->OnReaped(pid, status, &failure)) {
      if (!failure.empty()) {
        HERD_LOG(Error) << failure;
        pending_drain_ = failure;
      }
      return;
    }
    epilogs_due_ = true;  // a step ended: an Epilog may be due
    auto it = children_.find(pid);
    std::string dir = it != children_.end() ? it->second : "?";
    if (it != children_.end()) {
      ended.push_back(dir);
      children_.erase(it);
    }
    if (status != 0) {
      HERD_LOG(Warning) << "herdstepd " << pid << " (" << dir << ") ended with wait status "
                        << status;
    }
  });
  for (const std::string& dir : ended) ReportEndedBatchStep(dir);
}

void NodeDaemon::ReportEndedBatchStep(const std::string& dir) {
  uint64_t job = 0;
  uint32_t run = 0;
  uint32_t step = 0;
  const std::string name = dir.substr(dir.find_last_of('/') + 1);
  // Not registered, or the controller did not answer lately: the spool scan reports it
  // (a call to an unreachable controller blocks this loop for up to a second).
  if (!registered_ || heartbeat_failures_ > 0 || Clock::now() < direct_completions_from_ ||
      !ParseStepDirName(name, &job, &run, &step) || step != proto::kBatchStep) {
    return;
  }
  auto s = InspectStep(spool_dir_, job, run, step);
  if (s.ok() && s->has_status && !s->live && !SendCompletion(*s)) {
    direct_completions_from_ = next_scan_;
  }
}

bool NodeDaemon::Starting(const std::string& step_dir) const {
  for (const auto& [pid, dir] : children_) {
    if (dir == step_dir) return true;
  }
  return false;
}

void NodeDaemon::HandleIncoming(const net::Incoming& in) {
  const int64_t now = MonotonicNowMs();
  auto frame = proto::DecodeFrame(in.bytes.data(), in.bytes.size());
  if (!frame.ok()) {
    refusals_.Warn(in.from, now,
                   "dropping a malformed frame (" + std::to_string(in.bytes.size()) +
                       " bytes): " + frame.error().message());
    return;
  }
  const proto::Frame& f = *frame;
  auto reply = [&](const Status& st, proto::MsgType type = proto::MsgType::kStatusReply) {
    proto::Frame r = proto::MakeStatusFrame(st, f.request_id);
    r.type = type;
    server_->Send(in.peer, proto::EncodeFrame(r));
  };
  if (!proto::SupportedVersion(f)) {
    refusals_.Warn(in.from, now,
                   "refusing a request of protocol version " + std::to_string(f.version));
    reply(Unsupported("protocol version " + std::to_string(f.version) + " is not supported"),
          proto::MsgType::kUnsupportedReply);
    return;
  }
  auto who = auth_->Verify(f.auth, f.body);
  if (!who.ok()) {
    refusals_.Warn(
        in.from, now,
        std::string("refusing ") + proto::MsgTypeName(f.type) + ": " + who.error().message());
    reply(PermissionDenied("authentication failed: " + who.error().message()));
    return;
  }
  if (who->uid != 0 && who->uid != admin_uid_) {
    refusals_.Warn(in.from, now,
                   std::string("refusing ") + proto::MsgTypeName(f.type) + " from uid " +
                       std::to_string(who->uid));
    reply(PermissionDenied("only root or the AdminUser may send requests to a node daemon"));
    return;
  }
  if (!proto::SaneEpoch(f.epoch)) {
    HERD_LOG(Warning) << "refusing " << proto::MsgTypeName(f.type) << " with epoch " << f.epoch
                      << ", above the ceiling " << proto::kMaxEpoch;
    reply(InvalidArgument("controller epoch above the ceiling"));
    return;
  }
  if (f.epoch < max_epoch_) {
    refusals_.Warn(in.from, now,
                   std::string("refusing ") + proto::MsgTypeName(f.type) + " with stale epoch " +
                       std::to_string(f.epoch) + " (seen " + std::to_string(max_epoch_) + ")");
    reply(FailedPrecondition("stale controller epoch"));
    return;
  }
  max_epoch_ = f.epoch;
  // Replies to our own calls from a controller below this epoch are refused too.
  caller_->NoteEpoch(max_epoch_);
  reply(Dispatch(f));
}

Status NodeDaemon::Dispatch(const proto::Frame& f) {
  switch (f.type) {
    case proto::MsgType::kLaunchBatchRequest:
      return OnLaunch(f.body);
    case proto::MsgType::kLaunchStepRequest:
      return OnLaunchStep(f.body);
    case proto::MsgType::kSignalJobRequest: {
      auto req = proto::DecodeBody<proto::SignalJobRequest>(f.body);
      if (!req.ok()) return req.error();
      return OnSignal(*req);
    }
    case proto::MsgType::kTerminateJobRequest: {
      auto req = proto::DecodeBody<proto::TerminateJobRequest>(f.body);
      if (!req.ok()) return req.error();
      HERD_LOG(Info) << "terminate job " << req->job_id << " run " << req->run_seq << " (kill wait "
                     << req->kill_wait_s << " s)";
      return TerminateJob(*req);
    }
    default:
      HERD_LOG(Warning) << "unsupported request " << proto::MsgTypeName(f.type);
      return Unsupported(std::string("a node daemon does not serve ") + proto::MsgTypeName(f.type));
  }
}

Status NodeDaemon::OnLaunch(const std::string& body) {
  if (lease_->Expired(NodeLease::NowMs())) {
    return Unavailable("node " + node_.name + " has no lease (no answer from the controller)");
  }
  auto req = proto::DecodeBody<proto::LaunchBatchRequest>(body);
  if (!req.ok()) return req.error();
  if (req->job_id == 0) return InvalidArgument("job id 0");
  return StartStep(req->job_id, req->run_seq, proto::kBatchStep, kLaunchFile, body, req->uid,
                   req->gid, req->user);
}

Status NodeDaemon::OnLaunchStep(const std::string& body) {
  if (lease_->Expired(NodeLease::NowMs())) {
    return Unavailable("node " + node_.name + " has no lease (no answer from the controller)");
  }
  auto req = proto::DecodeBody<proto::LaunchStepRequest>(body);
  if (!req.ok()) return req.error();
  if (req->job_id == 0) return InvalidArgument("job id 0");
  if (req->step_id == proto::kBatchStep) return InvalidArgument("the batch step id is reserved");
  bool here = std::any_of(req->layout.begin(), req->layout.end(),
                          [&](const proto::StepNode& n) { return n.node == node_.name; });
  if (!here) {
    return InvalidArgument("step " + std::to_string(req->job_id) + "." +
                           std::to_string(req->step_id) + " has no tasks on " + node_.name);
  }
  return StartStep(req->job_id, req->run_seq, req->step_id, kLaunchStepFile, body, req->uid,
                   req->gid, req->user);
}

Status NodeDaemon::StartStep(uint64_t job_id, uint32_t run_seq, uint32_t step_id,
                             const char* launch_file, const std::string& body, uid_t uid, gid_t gid,
                             const std::string& user) {
  std::string dir = spool_dir_ + "/" + StepDirName(job_id, run_seq, step_id);
  auto existing = InspectStep(spool_dir_, job_id, run_seq, step_id);
  if (existing.ok() && existing->has_launch) {
    // The controller resends when a reply is lost: the step is already here.
    HERD_LOG(Info) << StepDirName(job_id, run_seq, step_id) << " is already launched here";
    return Status::Ok();
  }
  const std::string& stepd = step_id == proto::kBatchStep ? batch_stepd_path_ : stepd_path_;
  StepLaunch launch{stepd, conf_path_, node_.name, dir, launch_file, body, ""};
  // Unknown here: the step daemon looks the user up again and reports the failure.
  if (auto account = LookupUser(uid, gid); account.ok()) launch.user = EncodeUserEntry(*account);
  auto pid = StartStepDaemon(launch);
  if (!pid.ok()) {
    HERD_LOG(Error) << "cannot launch " << StepDirName(job_id, run_seq, step_id) << ": "
                    << pid.error().message();
    (void)RemoveTree(dir);
    return pid.error();
  }
  children_[*pid] = dir;
  HERD_LOG(Info) << "launched " << StepDirName(job_id, run_seq, step_id) << " for " << user
                 << " (herdstepd " << *pid << ")";
  return Status::Ok();
}

Status NodeDaemon::OnSignal(const proto::SignalJobRequest& req) {
  if (req.signal < 0 || req.signal >= NSIG) {
    return InvalidArgument("bad signal " + std::to_string(req.signal));
  }
  std::vector<SpoolStep> steps = JobRunSteps(spool_dir_, req.job_id, req.run_seq);
  // As Slurm's: a signal reaches the steps and not the batch script unless asked (-f), or
  // is SIGKILL; -b reaches the batch script's shell alone.
  proto::SignalScope scope = req.scope;
  if (scope == proto::SignalScope::kSteps && req.signal == SIGKILL) {
    scope = proto::SignalScope::kWholeJob;
  }
  int live = 0;
  int processes = 0;
  bool starting = false;
  for (const SpoolStep& s : steps) {
    if (!s.live) {
      starting = starting || (!s.has_pid && Starting(s.dir));
      continue;
    }
    ++live;
    const bool batch = s.step_id == proto::kBatchStep;
    if (scope == proto::SignalScope::kBatchShell) {
      if (batch) processes += SignalChildren(s.pid.pid, req.signal);
      continue;
    }
    if (scope == proto::SignalScope::kSteps && batch) continue;
    JobProcesses job{s.pid.pid, JobCgroup(JobCgroupPath(node_.name, s.dir))};
    processes += SignalJob(job, req.signal);
  }
  if (live == 0 && starting) {
    return Unavailable("job " + std::to_string(req.job_id) + " is still starting on " + node_.name +
                       "; retry");
  }
  if (live == 0) {
    return NotFound("job " + std::to_string(req.job_id) + " has no running step on " + node_.name);
  }
  HERD_LOG(Info) << "signal " << req.signal << " to job " << req.job_id << ": " << processes
                 << " processes in " << live << " steps";
  return Status::Ok();
}

Status NodeDaemon::TerminateJob(const proto::TerminateJobRequest& req) {
  const uint64_t job_id = req.job_id;
  const uint32_t run_seq = req.run_seq;
  std::vector<SpoolStep> steps = JobRunSteps(spool_dir_, job_id, run_seq);
  if (!config_.hooks.epilog.empty()) {
    // The job ended and none of its steps ran here: the Epilog runs here too, as Slurm's
    // does on every node of a job, with what the terminate says of the job.
    if (req.ended && steps.empty()) {
      struct group* gr = ::getgrgid(req.gid);
      HookJob job{"epilog",
                  node_.name,
                  config_.cluster_name,
                  conf_path_,
                  gr != nullptr ? gr->gr_name : std::to_string(req.gid),
                  req.wait_status};
      auto made = RecordIdleRun(spool_dir_, job_id, run_seq, TerminateHookEnv(req, job));
      if (!made.ok()) HERD_LOG(Warning) << "job " << job_id << ": " << made.error().message();
    }
    // The controller keeps the job COMPLETING until this node says its Epilog is done.
    epilog_reports_.insert({job_id, run_seq});
  }
  // The job ended: its Epilog here runs once its steps are gone (job_hooks.h).
  // NotFound still says that no process of the run is left (the controller counts it
  // as the kill confirmed).
  if (MarkJobRunEnded(spool_dir_, job_id, run_seq, req.ended ? &req.wait_status : nullptr)) {
    epilogs_due_ = true;
  }
  if (steps.empty()) return NotFound("job " + std::to_string(job_id) + " is not on " + node_.name);
  Status result = Status::Ok();
  for (const SpoolStep& s : steps) {
    Status st = TerminateStep(s, req.kill_wait_s);
    if (!st.ok()) result = st;
  }
  return result;
}

Status NodeDaemon::TerminateStep(const SpoolStep& s, uint32_t kill_wait_s) {
  pid_t target = 0;
  if (s.live) {
    target = s.pid.pid;
  } else {
    for (const auto& [pid, dir] : children_) {
      if (dir == s.dir && !s.has_status) target = pid;  // started, no pid file yet
    }
  }
  if (target == 0) return Status::Ok();  // already finished: its completion follows
  Status st = WriteKillWait(s.dir, kill_wait_s);
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  if (::kill(target, SIGTERM) != 0 && errno != ESRCH) {
    return Internal("cannot signal herdstepd " + std::to_string(target) + ": " +
                    std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace herd::noded
