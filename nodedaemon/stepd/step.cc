// herd — herdstepd: one batch step from launch to acknowledged completion.
#include "nodedaemon/stepd/step.h"

#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "common/proto/codec.h"
#include "common/proto/output_path.h"
#include "nodedaemon/hooks.h"
#include "nodedaemon/hw/cpu_map.h"
#include "nodedaemon/hw/fabric.h"
#include "nodedaemon/job_hooks.h"
#include "nodedaemon/lease.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/stepd/completion.h"
#include "nodedaemon/stepd/enforce.h"
#include "nodedaemon/stepd/job_env.h"
#include "nodedaemon/stepd/job_process.h"
#include "nodedaemon/stepd/task_hooks.h"
#include "nodedaemon/user_entry.h"

namespace herd::noded {
using proto::OutputFields;
using proto::ResolveOutputPath;
namespace {

constexpr int kFailedExit = 1 << 8;  // wait status of "exit 1"

std::string BaseName(const std::string& path) {
  size_t pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

bool ParentIsNodeDaemon() {
  const char* v = std::getenv(kNodeDaemonPidEnv);
  if (v == nullptr) return false;
  auto pid = ParseUint(v, INT32_MAX);
  return pid.ok() && static_cast<pid_t>(*pid) == ::getppid();
}

}  // namespace

StepDaemon::StepDaemon(ClusterConfig config, std::string conf_path, std::string node,
                       std::string step_dir, CpuMapSource cpu_map)
    : config_(std::move(config)),
      conf_path_(std::move(conf_path)),
      cpu_map_(cpu_map),
      node_(std::move(node)),
      dir_(std::move(step_dir)) {}

int StepDaemon::Run() {
  uint32_t step_id = 0;
  if (!ParseStepDirName(BaseName(dir_), &job_id_, &run_seq_, &step_id) ||
      step_id != proto::kBatchStep) {
    HERD_LOG(Error) << dir_ << " is not a step directory (job<ID>.<RUN>)";
    return 1;
  }
  Status st = WritePidFile(dir_, ::getpid());
  if (!st.ok()) {
    HERD_LOG(Error) << st.message();
  }
  job_.supervisor = ::getpid();

  st = Start();
  if (!st.ok()) {
    HERD_LOG(Error) << "job " << job_id_ << " could not start: " << st.message();
    if (message_.empty()) message_ = st.message();
    wait_status_ = kFailedExit;
    job_done_ = true;
  }
  Supervise();
  // The script is gone: nothing of the job may outlive it.
  if (!KillJob(job_, [this](pid_t pid, int status) { OnReaped(pid, status); })) {
    HERD_LOG(Error) << "some processes of job " << job_id_ << " do not die";
  }
  EndUsage();
  if (job_pid_ > 0) RunTaskEpilog();
  if (have_launch_ && message_ != proto::kPrologFailed) RunEpilog();
  end_time_ = static_cast<int64_t>(std::time(nullptr));
  HERD_LOG(Info) << "job " << job_id_ << " ended with wait status " << wait_status_
                 << (message_.empty() ? "" : " (" + message_ + ")");
  st = WriteUsageFile(dir_, usage_);
  if (st.ok() && !drain_reason_.empty()) {
    st = WriteFileAtomic(dir_ + "/" + kDrainFile, drain_reason_ + "\n", kSpoolDurable);
  }
  if (st.ok()) st = WriteStatusFile(dir_, wait_status_, message_);
  if (!st.ok()) {
    HERD_LOG(Error) << st.message();
  } else if (ParentIsNodeDaemon()) {
    // herdd reaps this process, reads the status file, reports the completion on its own
    // link to the controller and removes the cgroup and the directory: no connection and
    // no credential of our own (see kNodeDaemonPidEnv).
    return 0;
  }

  ReportCompletion();
  st = job_.cgroup.Remove();
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  st = RemoveTree(dir_);
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  return 0;
}

Status StepDaemon::Start() {
  HERD_ASSIGN_OR_RETURN(std::string body, ReadFile(dir_ + "/" + kLaunchFile));
  HERD_ASSIGN_OR_RETURN(launch_, proto::DecodeBody<proto::LaunchBatchRequest>(body));
  have_launch_ = true;
  if (launch_.job_id != job_id_ || launch_.run_seq != run_seq_) {
    return InvalidArgument("launch.bin is for job " + std::to_string(launch_.job_id) + " run " +
                           std::to_string(launch_.run_seq));
  }
  const proto::JobSpec& spec = launch_.spec;

  auto account = StepUser(launch_.uid, launch_.gid);
  if (!account.ok()) {
    return NotFound("user id " + std::to_string(launch_.uid) + " is unknown on " + node_);
  }
  JobLaunchPlan plan;
  plan.uid = account->uid;
  plan.gid = launch_.gid;
  plan.user = account->name;
  plan.groups = account->groups;
  std::string home = account->home;
  std::string shell = account->shell;
  struct group* gr = ::getgrgid(launch_.gid);
  group_ = gr != nullptr ? gr->gr_name : std::to_string(launch_.gid);
  HERD_RETURN_IF_ERROR(RunProlog(group_));

  plan.script_path = dir_ + "/" + kScriptFile;
  HERD_RETURN_IF_ERROR(WriteScript(plan.script_path, spec.script, plan.uid, plan.gid));
  plan.args = spec.argv;
  if (spec.umask >= 0 && spec.umask <= 0777) plan.umask = static_cast<mode_t>(spec.umask);
  plan.work_dir = !spec.work_dir.empty()     ? spec.work_dir
                  : !spec.submit_dir.empty() ? spec.submit_dir
                                             : home;
  OutputFields fields{launch_.job_id, spec.name, plan.user, node_};
  plan.stdout_path = ResolveOutputPath(spec.stdout_pattern, "", plan.work_dir, fields);
  plan.stderr_path =
      ResolveOutputPath(spec.stderr_pattern, spec.stdout_pattern, plan.work_dir, fields);

  for (const proto::NodeAlloc& a : launch_.alloc) {
    if (a.node != node_) continue;
    auto map = cpu_map_();
    if (map.ok()) {
      plan.cpus = map->RealPus(a.cpus);
    } else {
      HERD_LOG(Warning) << "no cpu binding: " << map.error().message();
    }
  }

  JobEnvContext ctx{node_, HostName(), config_.cluster_name, conf_path_,     plan.user,
                    home,  shell,      CompatDir(),          HasRdmaFabric()};
  plan.env = BuildJobEnv(launch_, ctx);

  auto cg = JobCgroup::Create(JobCgroupPath(node_, dir_));
  if (cg.ok()) {
    job_.cgroup = *cg;
  } else {
    HERD_LOG(Warning) << "cgroup tracking unavailable (" << cg.error().message()
                      << "); using the process tree instead";
  }
  StepAllocation alloc;
  alloc.job_cpus = alloc.step_cpus = plan.cpus;
  for (const proto::NodeAlloc& a : launch_.alloc) {
    if (a.node == node_) alloc.job_mem_mb = alloc.step_mem_mb = a.mem_mb;
  }
  HERD_ASSIGN_OR_RETURN(limits_, SetUpLimits(config_, node_, dir_, alloc, &job_.cgroup));
  plan_.uid = plan.uid;
  plan_.gid = plan.gid;
  plan_.user = plan.user;
  plan_.groups = plan.groups;
  plan_.umask = plan.umask;
  plan_.stderr_path = plan.stderr_path;
  if (!config_.hooks.task_prolog.empty()) {
    plan.task_prolog = config_.hooks.task_prolog;
    plan.task_prolog_wrapper = TaskPrologWrapperPath();
    if (::access(plan.task_prolog_wrapper.c_str(), X_OK) != 0) {
      return FailedPrecondition("TaskProlog is set but " + plan.task_prolog_wrapper +
                                " cannot be executed: " + std::strerror(errno));
    }
  }
  if (!config_.hooks.task_epilog.empty()) {
    plan_.env = plan.env;
    plan_.work_dir = plan.work_dir;
  }

  HERD_ASSIGN_OR_RETURN(JobStart started, StartJobProcess(plan, job_.cgroup));
  job_pid_ = started.pid;
  if (!started.in_cgroup && job_.cgroup.valid()) {
    (void)job_.cgroup.Remove();
    job_.cgroup = JobCgroup();
  }
  if (!started.failure.empty()) {
    message_ = started.failure;
    HERD_LOG(Error) << "job " << job_id_ << ": " << message_;
  } else {
    HERD_LOG(Info) << "job " << job_id_ << " run " << run_seq_ << " started as " << plan.user
                   << " (pid " << job_pid_ << ", output " << plan.stdout_path << ")";
  }
  return Status::Ok();
}

void StepDaemon::OnReaped(pid_t pid, int status) {
  if (pid == job_pid_ && !job_done_) {
    job_done_ = true;
    wait_status_ = status;
  }
}

void StepDaemon::BeginTerminate() {
  if (terminating_) return;
  terminating_ = true;
  uint32_t kill_wait = ReadKillWait(dir_, config_.kill_wait_s);
  int n = SignalJob(job_, SIGCONT);
  SignalJob(job_, SIGTERM);
  HERD_LOG(Info) << "terminating job " << job_id_ << ": SIGTERM to " << n
                 << " processes, SIGKILL in " << kill_wait << " s";
}

void StepDaemon::Supervise() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  using Clock = std::chrono::steady_clock;
  Clock::time_point kill_at = Clock::time_point::max();
  auto reap = [this](pid_t pid, int status) { OnReaped(pid, status); };

  // The node's lease (node_daemon.h, lease.h), as herdd last renewed it: a step daemon
  // whose herdd is dead, or as cut off as it, stops the job itself when the lease has run
  // out, as herdd would: the controller requeues it then.
  const std::string spool = dir_.substr(0, dir_.find_last_of('/'));
  NodeLease lease(spool + "/" + kLeaseFile, config_.NodeLeaseS() * 1000);
  auto next_lease_check = Clock::now();

  ReapExited(reap);
  while (!job_done_) {
    auto now = Clock::now();
    auto wait = std::chrono::milliseconds(1000);
    if (kill_at != Clock::time_point::max()) {
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - now),
                        std::chrono::milliseconds(0), wait);
    }
    struct timespec ts;
    ts.tv_sec = wait.count() / 1000;
    ts.tv_nsec = (wait.count() % 1000) * 1000000;
    siginfo_t info;
    int sig = ::sigtimedwait(&mask, &info, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      if (!terminating_) {
        BeginTerminate();
        kill_at = Clock::now() + std::chrono::seconds(ReadKillWait(dir_, config_.kill_wait_s));
      }
    }
    ReapExited(reap);
    if (!terminating_ && !job_done_ && Clock::now() >= next_lease_check) {
      next_lease_check = Clock::now() + std::chrono::seconds(1);
      lease.Load(NodeLease::NowMs());
      if (lease.Expired(NodeLease::NowMs())) {
        HERD_LOG(Warning) << "job " << job_id_ << ": the node has had no answer from an active "
                          << "controller for longer than NodeLease; stopping the job";
        Status st = WriteFileAtomic(dir_ + "/" + kLeaseStoppedFile, "\n", kSpoolDurable);
        if (!st.ok()) HERD_LOG(Warning) << st.message();
        message_ = proto::kNodeLeaseExpired;
        BeginTerminate();
        kill_at = Clock::now() + std::chrono::seconds(ReadKillWait(dir_, config_.kill_wait_s));
      }
    }
    if (!job_done_ && Clock::now() >= kill_at) {
      HERD_LOG(Info) << "job " << job_id_ << " outlived its kill wait: SIGKILL";
      KillJob(job_, reap);
      kill_at = Clock::time_point::max();
    }
  }
}

void StepDaemon::EndUsage() {
  usage_ = EndLimits(limits_);
  if (usage_.oom_kills == 0) return;
  const std::string line = OomLine(std::to_string(job_id_) + ".batch", usage_.oom_kills);
  HERD_LOG(Info) << "job " << job_id_ << ": " << line.substr(0, line.size() - 1);
  wait_status_ = proto::kOomWaitStatus;
  if (message_.empty()) message_ = proto::kOutOfMemory;
  if (!plan_.stderr_path.empty()) {
    Status st = AppendAsUser(plan_, plan_.stderr_path, line);
    if (!st.ok()) HERD_LOG(Warning) << st.message();
  }
}

Status StepDaemon::RunProlog(const std::string& group) {
  const HookConfig& hooks = config_.hooks;
  if (hooks.prolog.empty() && hooks.epilog.empty()) return Status::Ok();
  HookJob job{"prolog", node_, config_.cluster_name, conf_path_, group, 0};
  // The run's record on this node tells the steps of hrun here that it ran (job_hooks.h).
  auto once =
      RunPrologOnce(dir_.substr(0, dir_.find_last_of('/')), job_id_, run_seq_, PrologOwner::kBatch,
                    hooks.prolog, BatchHookEnv(launch_, job), hooks.prolog_epilog_timeout_s);
  if (once.ok() && once->ok) return Status::Ok();
  drain_reason_ = once.ok() ? once->reason : "Prolog error: " + once.error().message();
  message_ = proto::kPrologFailed;
  return Unavailable(drain_reason_);
}

void StepDaemon::RunEpilog() {
  const HookConfig& hooks = config_.hooks;
  if (hooks.epilog.empty()) return;
  HookJob job{"epilog", node_, config_.cluster_name, conf_path_, group_, wait_status_};
  auto run = RunHook(hooks.epilog, BatchHookEnv(launch_, job), dir_ + "/epilog.out",
                     hooks.prolog_epilog_timeout_s);
  if (run.ok() && run->wait_status == 0 && !run->timed_out) return;
  const std::string why = run.ok() ? HookFailure("Epilog", *run, hooks.prolog_epilog_timeout_s)
                                   : "Epilog error: " + run.error().message();
  HERD_LOG(Error) << "job " << job_id_ << ": " << why;
  if (drain_reason_.empty()) drain_reason_ = why;
}

// The batch script is a task too: the TaskEpilog runs after it, as the job's user.
void StepDaemon::RunTaskEpilog() {
  const HookConfig& hooks = config_.hooks;
  if (hooks.task_epilog.empty()) return;
  TaskUser user{plan_.uid, plan_.gid, plan_.groups, plan_.work_dir};
  const uint32_t timeout_s = TaskEpilogTimeoutS(hooks.prolog_epilog_timeout_s);
  auto run = noded::RunTaskEpilog(hooks.task_epilog, TaskEpilogEnv(plan_.env), user, timeout_s);
  if (!run.ok()) {
    HERD_LOG(Warning) << "job " << job_id_ << ": TaskEpilog: " << run.error().message();
  } else if (run->timed_out || !WIFEXITED(run->wait_status) || WEXITSTATUS(run->wait_status) != 0) {
    HERD_LOG(Warning) << "job " << job_id_ << ": " << HookFailure("TaskEpilog", *run, timeout_s);
  }
}

void StepDaemon::ReportCompletion() {
  proto::StepCompleteRequest req;
  req.node = node_;
  req.step.job_id = job_id_;
  req.step.step_id = proto::kBatchStep;
  req.step.run_seq = run_seq_;
  req.step.finished = true;
  req.step.wait_status = wait_status_;
  req.end_time = end_time_;
  req.message = message_;
  req.usage = usage_;
  req.drain_reason = drain_reason_;
  DeliverCompletion(config_, have_launch_ ? launch_.controller_addr : "", req);
}

}  // namespace herd::noded
