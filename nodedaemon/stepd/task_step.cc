// herd — herdstepd in step mode: setting the step up, starting its tasks, and the end.
#include "nodedaemon/stepd/task_step.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "nodedaemon/hw/binding.h"
#include "nodedaemon/hw/cpu_map.h"
#include "nodedaemon/hw/fabric.h"
#include "nodedaemon/hw/topology.h"
#include "nodedaemon/job_hooks.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/stepd/completion.h"
#include "nodedaemon/stepd/enforce.h"
#include "nodedaemon/stepd/step_env.h"
#include "nodedaemon/stepd/task_process.h"
#include "nodedaemon/user_entry.h"

namespace herd::noded {
namespace {

constexpr int kFailedExit = 1 << 8;  // wait status of "exit 1"
// At the end: how long hrun may take no frame before the rest is given up, and how long
// ZeroMQ may still try to deliver what it holds once everything was handed to it.
constexpr auto kHrunStall = std::chrono::milliseconds(HrunLink::kStallLimit);
constexpr auto kHrunLinger = std::chrono::milliseconds(10000);

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// A private directory owned by the job's user.
Status MakeUserDir(const std::string& path, uid_t uid, gid_t gid) {
  HERD_RETURN_IF_ERROR(MakeDirs(path, 0700));
  if (::chown(path.c_str(), uid, gid) != 0 || ::chmod(path.c_str(), 0700) != 0) {
    return Internal("cannot hand " + path + " to uid " + std::to_string(uid) + ": " +
                    std::strerror(errno));
  }
  return Status::Ok();
}

// A pipe whose `ours` end is non-blocking; both ends close-on-exec.
Status MakePipe(int* read_end, int* write_end, bool ours_is_read) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  int ours = ours_is_read ? fds[0] : fds[1];
  ::fcntl(ours, F_SETFL, ::fcntl(ours, F_GETFL) | O_NONBLOCK);
  *read_end = fds[0];
  *write_end = fds[1];
  return Status::Ok();
}

// Exit codes compare as such; death by signal N counts as 128+N.
int ExitRank(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 0;
}

}  // namespace

TaskStep::TaskStep(ClusterConfig config, std::string conf_path, std::string node,
                   std::string step_dir)
    : config_(std::move(config)),
      conf_path_(std::move(conf_path)),
      node_(std::move(node)),
      dir_(std::move(step_dir)) {}

TaskStep::~TaskStep() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
}

int TaskStep::Run() {
  std::string base = dir_.substr(dir_.find_last_of('/') + 1);
  if (!ParseStepDirName(base, &job_id_, &run_seq_, &step_id_) || step_id_ == proto::kBatchStep) {
    HERD_LOG(Error) << dir_ << " is not a step directory (job<ID>.<RUN>.<STEP>)";
    return 1;
  }
  Status st = WritePidFile(dir_, ::getpid());
  if (!st.ok()) {
    HERD_LOG(Error) << st.message();
  }
  job_.supervisor = ::getpid();
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

  st = signal_fd_ < 0 ? Internal(std::string("signalfd: ") + std::strerror(errno)) : Load();
  if (st.ok()) st = Launch();
  if (!st.ok()) FailLaunch(st.message());
  Loop();
  Finish();
  return 0;
}

Status TaskStep::Load() {
  HERD_ASSIGN_OR_RETURN(std::string body, ReadFile(dir_ + "/" + kLaunchStepFile));
  HERD_ASSIGN_OR_RETURN(launch_, proto::DecodeBody<proto::LaunchStepRequest>(body));
  have_launch_ = true;
  if (launch_.job_id != job_id_ || launch_.run_seq != run_seq_ || launch_.step_id != step_id_) {
    return InvalidArgument("launch_step.bin is for step " + std::to_string(launch_.job_id) + "." +
                           std::to_string(launch_.step_id) + " run " +
                           std::to_string(launch_.run_seq));
  }
  auto here = std::find_if(launch_.layout.begin(), launch_.layout.end(),
                           [&](const proto::StepNode& n) { return n.node == node_; });
  if (here == launch_.layout.end()) return InvalidArgument("the step has no tasks on " + node_);
  node_index_ = static_cast<uint32_t>(here - launch_.layout.begin());
  for (size_t i = 0; i < here->tasks.size(); ++i) {
    Task t;
    t.rank = here->tasks[i];
    t.local_id = static_cast<uint32_t>(i);
    t.out.id = 1;
    t.err.id = 2;
    tasks_.push_back(std::move(t));
  }
  if (!launch_.spec.io_addr.empty()) {
    link_ = std::make_unique<HrunLink>(launch_.spec.io_addr, launch_.spec.io_key, launch_.token);
    Status st = link_->Open();
    if (!st.ok()) {
      HERD_LOG(Warning) << st.message() << "; the step runs without hrun";
      link_.reset();
    }
  }
  if (link_) link_->Send(proto::StepHello{node_, node_index_, false});
  next_heartbeat_ = Clock::now() + std::chrono::seconds(1);
  if (launch_.spec.time_limit_s > 0) {
    time_limit_at_ = Clock::now() + std::chrono::seconds(launch_.spec.time_limit_s);
  }
  return Status::Ok();
}

Status TaskStep::PrepareTmpDir(uid_t uid, gid_t gid) {
  // The step's private directory: the MPI plugin's tmpdir (PMIx sockets, Open MPI's
  // shared-memory segments) and Open MPI's vader backing directory for any step. On tmpfs
  // when there is one; removed with the step (by herdd if this daemon dies), so killed
  // ranks leave nothing in /dev/shm and simulated nodes sharing a host do not collide
  // (doc/pmix.md, traps 3 and 5). The path stays short: PMIx puts Unix sockets there.
  tmp_dir_ = StepTmpDir(node_, dir_);
  return MakeUserDir(tmp_dir_, uid, gid);
}

Status TaskStep::SetUpStepLimits() {
  StepAllocation alloc;
  const proto::StepNode& here = launch_.layout[node_index_];
  alloc.step_mem_mb = here.mem_mb;
  auto map = CpuMap::FromHost();
  if (map.ok()) alloc.step_cpus = map->RealPus(here.cpus);
  for (const proto::NodeAlloc& a : launch_.job_alloc) {
    if (a.node != node_) continue;
    alloc.job_mem_mb = a.mem_mb;
    if (map.ok()) alloc.job_cpus = map->RealPus(a.cpus);
  }
  HERD_ASSIGN_OR_RETURN(limits_, SetUpLimits(config_, node_, dir_, alloc, &job_.cgroup));
  return Status::Ok();
}

Result<std::vector<std::vector<uint32_t>>> TaskStep::Bind(
    std::vector<std::vector<unsigned>>* real) {
  const proto::StepSpec& spec = launch_.spec;
  HERD_ASSIGN_OR_RETURN(CpuBind bind, ParseCpuBind(spec.cpu_bind));
  HERD_ASSIGN_OR_RETURN(CpuDistribution dist, ParseCpuDistribution(spec.distribution));
  real->assign(tasks_.size(), {});
  std::string synthetic;
  const NodeConfig* conf = config_.FindNode(node_);
  if (EqualsIgnoreCase(config_.hardware_source, "config") && conf != nullptr) {
    synthetic = SyntheticDescription(*conf);
  }
  auto topo = LoadCpuTopology(synthetic);
  auto map = CpuMap::FromHost();
  if (!topo.ok() || !map.ok()) {
    HERD_LOG(Warning) << "tasks run unbound: "
                      << (topo.ok() ? map.error().message() : topo.error().message());
    return std::vector<std::vector<uint32_t>>(tasks_.size());
  }
  BindRequest req;
  req.step_cpus = launch_.layout[node_index_].cpus;
  req.num_tasks = static_cast<uint32_t>(tasks_.size());
  req.cpus_per_task = std::max<uint32_t>(1, spec.cpus_per_task);
  req.distribution = dist;
  req.bind = bind;
  HERD_ASSIGN_OR_RETURN(auto sets, ComputeBinding(*topo, req));
  for (size_t i = 0; i < sets.size(); ++i) (*real)[i] = map->RealPus(sets[i]);
  return sets;
}

Status TaskStep::StartMpi() {
  // No --mpi at all: the cluster's MpiDefault.
  const std::string& type = launch_.spec.mpi.empty() ? config_.mpi_default : launch_.spec.mpi;
  HERD_ASSIGN_OR_RETURN(mpi_, plugin::MakeMpiServer(type));
  HERD_RETURN_IF_ERROR(mpi_host_.Init());
  plugin::MpiStepInfo info;
  info.job_id = job_id_;
  info.step_id = step_id_;
  info.nspace = "herd." + std::to_string(job_id_) + "." + std::to_string(step_id_);
  info.uid = launch_.uid;
  info.gid = launch_.gid;
  info.node_index = node_index_;
  info.tmpdir = tmp_dir_;
  for (const proto::StepNode& n : launch_.layout) {
    info.nodes.push_back({n.node, n.tasks});
    info.num_tasks += static_cast<uint32_t>(n.tasks.size());
  }
  if (launch_.num_tasks != 0) info.num_tasks = launch_.num_tasks;
  HERD_RETURN_IF_ERROR(mpi_->Start(info, &mpi_host_));
  mpi_started_ = true;
  return Status::Ok();
}

Status TaskStep::Launch() {
  const proto::StepSpec& spec = launch_.spec;
  if (spec.argv.empty() || spec.argv[0].empty()) return InvalidArgument("no program to run");
  auto account = StepUser(launch_.uid, launch_.gid);
  if (!account.ok()) {
    return NotFound("user id " + std::to_string(launch_.uid) + " is unknown on " + node_);
  }
  const std::string user = account->name;
  const std::string home = account->home;
  const std::string shell = account->shell;
  const std::vector<gid_t> groups = account->groups;
  const std::string work_dir = spec.cwd.empty() ? home : spec.cwd;
  HERD_RETURN_IF_ERROR(RunProlog(launch_.gid));

  auto cg = JobCgroup::Create(JobCgroupPath(node_, dir_));
  if (cg.ok()) {
    job_.cgroup = *cg;
  } else {
    HERD_LOG(Warning) << "cgroup tracking unavailable (" << cg.error().message()
                      << "); using the process tree instead";
  }
  HERD_RETURN_IF_ERROR(SetUpStepLimits());
  HERD_RETURN_IF_ERROR(PrepareTmpDir(launch_.uid, launch_.gid));
  std::vector<std::vector<unsigned>> real;
  HERD_ASSIGN_OR_RETURN(auto logical, Bind(&real));
  HERD_ASSIGN_OR_RETURN(CpuBind bind, ParseCpuBind(spec.cpu_bind));
  HERD_RETURN_IF_ERROR(StartMpi());

  JobEnvContext ctx{node_, HostName(), config_.cluster_name, conf_path_,     user,
                    home,  shell,      CompatDir(),          HasRdmaFabric()};
  std::vector<std::string> base_env = BuildStepEnv(launch_, ctx, node_index_);
  if (!FindEnv(spec.env, "OMPI_MCA_btl_vader_backing_directory", nullptr)) {
    SetEnv(&base_env, "OMPI_MCA_btl_vader_backing_directory", tmp_dir_);
  }
  std::string path_var;
  FindEnv(base_env, "PATH", &path_var);
  StepOutputFields fields{job_id_, step_id_, 0, node_index_, node_, launch_.job_name, user};

  const std::string wrapper = TaskPrologWrapperPath();
  if (!config_.hooks.task_prolog.empty() && ::access(wrapper.c_str(), X_OK) != 0) {
    return FailedPrecondition("TaskProlog is set but " + wrapper +
                              " cannot be executed: " + std::strerror(errno));
  }
  task_user_ = TaskUser{launch_.uid, launch_.gid, groups, work_dir};
  for (size_t i = 0; i < tasks_.size(); ++i) {
    Task& t = tasks_[i];
    fields.task = t.rank;
    TaskPlan plan;
    plan.rank = t.rank;
    plan.argv = spec.argv;
    plan.exec_paths = ExecCandidates(spec.argv[0], path_var);
    plan.env = base_env;
    AddTaskEnv(&plan.env, t.rank, t.local_id);
    HERD_ASSIGN_OR_RETURN(std::vector<std::string> mpi_env, mpi_->TaskEnv(t.rank));
    for (const std::string& e : mpi_env) {
      size_t eq = e.find('=');
      if (eq != std::string::npos && eq > 0) SetEnv(&plan.env, e.substr(0, eq), e.substr(eq + 1));
    }
    plan.work_dir = work_dir;
    plan.uid = launch_.uid;
    plan.gid = launch_.gid;
    plan.groups = groups;
    if (spec.umask >= 0 && spec.umask <= 0777) plan.umask = static_cast<mode_t>(spec.umask);
    plan.cpus = real[i];
    if (bind.verbose) plan.bind_line = VerboseBindLine(bind, t.rank, node_, logical[i]);
    if (!config_.hooks.task_prolog.empty()) {
      plan.task_prolog = config_.hooks.task_prolog;
      plan.task_prolog_wrapper = wrapper;
    }
    if (!config_.hooks.task_epilog.empty()) t.env = plan.env;

    std::vector<int> child_ends;
    HERD_RETURN_IF_ERROR(PlanStreams(t, work_dir, fields, &plan, &child_ends));
    auto started = StartTask(plan, job_.cgroup);
    for (int fd : child_ends) ::close(fd);
    if (!started.ok()) return started.error();
    t.pid = started->pid;
    t.running = true;
    if (!started->in_cgroup) job_.outside_cgroup = true;
    if (!started->failure.empty()) {
      HERD_LOG(Warning) << "task " << t.rank << ": " << started->failure;
      SendOutput(t, 2,
                 "herdstepd: error: " + node_ + ": task " + std::to_string(t.rank) + ": " +
                     started->failure + "\n");
    }
  }
  HERD_LOG(Info) << "step " << job_id_ << "." << step_id_ << ": " << tasks_.size()
                 << " tasks started as " << user << " (" << spec.argv[0] << ")";
  return Status::Ok();
}

Status TaskStep::PlanStreams(Task& t, const std::string& work_dir, const StepOutputFields& fields,
                             TaskPlan* plan, std::vector<int>* child_ends) {
  // Our ends of the pipes stay here; the child's ends are closed once it has started.
  const proto::StepSpec& spec = launch_.spec;
  if (spec.stdin_pattern.empty() && t.rank == 0) {
    HERD_RETURN_IF_ERROR(MakePipe(&plan->in.fd, &stdin_fd_, /*ours_is_read=*/false));
    child_ends->push_back(plan->in.fd);
  } else if (!spec.stdin_pattern.empty() && spec.stdin_pattern != "none") {
    plan->in.path = ResolveStepPath(spec.stdin_pattern, work_dir, fields);
  }
  if (spec.stdout_pattern.empty()) {
    HERD_RETURN_IF_ERROR(MakePipe(&t.out.fd, &plan->out.fd, /*ours_is_read=*/true));
    child_ends->push_back(plan->out.fd);
  } else {
    plan->out.path = ResolveStepPath(spec.stdout_pattern, work_dir, fields);
    plan->out.truncate = opened_files_.insert(plan->out.path).second;
  }
  // Without -e, stderr goes where stdout goes.
  std::string err_path = spec.stderr_pattern.empty()
                             ? plan->out.path
                             : ResolveStepPath(spec.stderr_pattern, work_dir, fields);
  if (!err_path.empty() && err_path == plan->out.path) {
    plan->err_to_out = true;
  } else if (err_path.empty()) {
    HERD_RETURN_IF_ERROR(MakePipe(&t.err.fd, &plan->err.fd, /*ours_is_read=*/true));
    child_ends->push_back(plan->err.fd);
  } else {
    plan->err.path = err_path;
    plan->err.truncate = opened_files_.insert(err_path).second;
  }
  return Status::Ok();
}

Status TaskStep::RunProlog(gid_t gid) {
  const HookConfig& hooks = config_.hooks;
  if (hooks.prolog.empty() && hooks.epilog.empty()) return Status::Ok();
  struct group* gr = ::getgrgid(gid);
  HookJob job{"prolog",
              node_,
              config_.cluster_name,
              conf_path_,
              gr != nullptr ? gr->gr_name : std::to_string(gid),
              0};
  auto once =
      RunPrologOnce(dir_.substr(0, dir_.find_last_of('/')), job_id_, run_seq_, PrologOwner::kStep,
                    hooks.prolog, StepHookEnv(launch_, job), hooks.prolog_epilog_timeout_s);
  if (once.ok() && once->ok) return Status::Ok();
  const std::string why = once.ok() ? once->reason : "Prolog error: " + once.error().message();
  // The node is drained once, by the step whose run failed.
  if (!once.ok() || once->ran_here) drain_reason_ = why;
  message_ = proto::kPrologFailed;
  return Unavailable(why);
}

void TaskStep::FailLaunch(const std::string& why) {
  HERD_LOG(Error) << "step " << job_id_ << "." << step_id_ << " cannot start here: " << why;
  if (message_.empty()) message_ = why;
  if (link_) link_->Send(proto::StepAbort{node_, 1, node_ + ": " + why});
  SignalTasks(SIGKILL);
}

int32_t TaskStep::StepWaitStatus() const {
  int32_t worst = 0;
  for (const Task& t : tasks_) {
    int32_t st = t.pid == 0 ? kFailedExit : t.wait_status;
    if (ExitRank(st) > ExitRank(worst)) worst = st;
  }
  if (worst == 0 && !message_.empty() && tasks_.empty()) worst = kFailedExit;
  return worst;
}

void TaskStep::Finish() {
  // Nothing of the step may outlive its tasks.
  if (!KillJob(job_, [this](pid_t pid, int status) { OnReaped(pid, status); })) {
    HERD_LOG(Error) << "some processes of step " << job_id_ << "." << step_id_ << " do not die";
  }
  for (Task& t : tasks_) {
    ReadStream(t, t.out, /*final=*/true);
    ReadStream(t, t.err, /*final=*/true);
    if (!t.exit_sent) {
      if (t.pid == 0) t.wait_status = kFailedExit;  // never started
      SendTaskExit(t);
    }
  }
  CloseStdin();
  if (mpi_started_) mpi_->Stop();
  const proto::StepUsage usage = EndLimits(limits_);
  if (usage.oom_kills > 0) {
    const std::string line =
        OomLine(std::to_string(job_id_) + "." + std::to_string(step_id_), usage.oom_kills);
    HERD_LOG(Info) << line.substr(0, line.size() - 1);
    if (!tasks_.empty()) SendOutput(tasks_.front(), 2, line);
    if (message_.empty()) message_ = proto::kOutOfMemory;
  }
  const int32_t status = usage.oom_kills > 0 ? proto::kOomWaitStatus : StepWaitStatus();
  const int64_t end_time = static_cast<int64_t>(std::time(nullptr));
  HERD_LOG(Info) << "step " << job_id_ << "." << step_id_ << " ended here with wait status "
                 << status << (message_.empty() ? "" : " (" + message_ + ")");
  Status st = WriteStatusFile(dir_, status);
  if (!st.ok()) {
    HERD_LOG(Error) << st.message();
  }
  // Nothing of the step needs its private directory any more; it goes before anything
  // waits (on hrun or the controller).
  RemoveTmpDir();
  if (link_) link_->Send(proto::StepNodeDone{node_, message_});

  // The controller hears of the end at once, while the rest of the output still flows to
  // hrun: a slow hrun must not hold up the next step of the allocation, nor its release.
  proto::StepCompleteRequest req;
  req.node = node_;
  req.step.job_id = job_id_;
  req.step.step_id = step_id_;
  req.step.run_seq = run_seq_;
  req.step.finished = true;
  req.step.wait_status = status;
  req.end_time = end_time;
  req.message = message_;
  req.usage = usage;
  req.drain_reason = drain_reason_;
  const std::string controller = have_launch_ ? launch_.controller_addr : "";
  std::thread completion(
      [this, &req, &controller] { DeliverCompletion(config_, controller, req); });
  if (link_) {
    link_->Close(kHrunStall, kHrunLinger);
    if (link_->dropped_bytes() > 0) {
      HERD_LOG(Warning) << link_->dropped_bytes() << " bytes of task output were dropped";
    }
  }
  completion.join();
  Cleanup();
}

void TaskStep::RemoveTmpDir() {
  if (tmp_dir_.empty()) return;
  Status st = RemoveTree(tmp_dir_);
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  tmp_dir_.clear();
}

void TaskStep::Cleanup() {
  RemoveTmpDir();
  Status st = job_.cgroup.Remove();
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  st = RemoveTree(dir_);
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
}

}  // namespace herd::noded
