// herd — the controller's jobs (jobs.h).
#include "controller/jobs.h"

#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <set>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "controller/arrays.h"
#include "controller/queries.h"
#include "controller/sched/assoc_limits.h"
#include "controller/sched/placement.h"
#include "controller/sched/scheduler.h"
#include "controller/task_ids.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

namespace {

constexpr int32_t kMaxNice = 2147483645;

// Validates the parts of a request that do not depend on the cluster.
Status CheckSpec(const JobSpec& spec) {
  if (spec.interactive) {
    if (!spec.script.empty()) return InvalidArgument("an allocation has no batch script");
  } else if (spec.script.empty()) {
    return InvalidArgument("Batch script is empty");
  } else if (!StartsWith(spec.script, "#!")) {
    return InvalidArgument("Batch script does not start with #! (an interpreter line)");
  }
  if (spec.cpus_per_task == 0) return InvalidArgument("Invalid cpus-per-task: 0");
  if (spec.max_nodes > 0 && spec.max_nodes < spec.min_nodes) {
    return InvalidArgument("Invalid node count range: maximum below minimum");
  }
  if (spec.mem_per_node_mb > 0 && spec.mem_per_cpu_mb > 0) {
    return InvalidArgument("--mem and --mem-per-cpu are mutually exclusive");
  }
  if (spec.time_limit_s < -2) return InvalidArgument("Invalid time limit");
  if (spec.umask < -1 || spec.umask > 0777) return InvalidArgument("Invalid umask");
  // Slurm's nice range (the command checks it too; a request can be built by hand).
  if (spec.nice > kMaxNice || spec.nice < -kMaxNice) return InvalidArgument("Invalid --nice value");
  if (spec.begin_time < 0) return InvalidArgument("Invalid --begin time");
  if (spec.kill_on_invalid_dep < -1 || spec.kill_on_invalid_dep > 1) {
    return InvalidArgument("Invalid --kill-on-invalid-dep value");
  }
  return Status::Ok();
}

}  // namespace

Status Jobs::AddHandlers(HandlerTable* table) {
  return table->AddAll(this, HandlerRole::kActive,
                       {{MsgType::kSubmitJobRequest, &Jobs::Submit},
                        {MsgType::kCancelJobsRequest, &Jobs::Cancel},
                        {MsgType::kHoldJobsRequest, &Jobs::Hold},
                        {MsgType::kRequeueJobsRequest, &Jobs::Requeue},
                        {MsgType::kUpdateJobRequest, &Jobs::UpdateJob},
                        {MsgType::kStepCompleteRequest, &Jobs::StepComplete}});
}

// --reservation: one that has not ended, that the user (or the account the job is charged
// to: -A, else the user's default account) may use; Slurm's messages.
Status Jobs::CheckReservation(const JobSpec& spec, const std::string& user) const {
  if (spec.reservation.empty()) return Status::Ok();
  const proto::Reservation* r = p_.state.FindReservation(spec.reservation);
  if (r == nullptr || !proto::ResvWindow(*r, p_.clock.NowSeconds())) {
    return InvalidArgument("Requested reservation is invalid");
  }
  std::string account = spec.account;
  if (account.empty()) {
    const proto::UserRecord* u = p_.state.assoc().FindUser(user);
    if (u != nullptr) account = u->default_account;
  }
  if (!proto::ResvAllows(*r, user, account)) {
    return PermissionDenied("Access denied to requested reservation");
  }
  return Status::Ok();
}

Frame Jobs::Submit(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::SubmitJobRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  JobSpec& spec = req->spec;
  if (const Job* same = p_.state.FindByToken(who.uid, req->token); same != nullptr) {
    // Sent again because the answer to the first was lost: that job, not a second one.
    proto::SubmitJobReply rep;
    rep.job_id = same->id;
    rep.state = same->state;
    rep.alloc = same->alloc;
    return proto::MakeFrame(rep, 0);
  }
  Status ok = CheckSpec(spec);
  proto::ArraySpec array;
  if (ok.ok() && !spec.array.empty()) {
    auto a = proto::ParseArraySpec(spec.array, p_.config.max_array_size);
    if (spec.interactive) a = InvalidArgument("an allocation cannot be a job array");
    if (a.ok()) array = std::move(*a);
    ok = a.error();
  }
  if (ok.ok() && !spec.dependency.empty()) {
    auto deps = ParseDependency(spec.dependency);
    ok = deps.ok() ? CheckDependencyTargets(*deps, p_.state.next_job_id(),
                                            [this](uint64_t id) { return p_.state.FindJob(id); })
                   : deps.error();
  }
  if (!ok.ok()) return ErrorReply(ok);
  // A negative nice moves a job ahead of everyone's: root and AdminUser only, as in Slurm.
  // Checked here, whatever the command did (a request can be built by hand).
  if (spec.nice < 0 && !core_.IsAdmin(who.uid)) {
    return ErrorReply(PermissionDenied("Invalid --nice value " + std::to_string(spec.nice) +
                                       ": only root and AdminUser may set a negative nice"));
  }

  const PartitionConfig* part =
      spec.partition.empty() ? p_.state.DefaultPartition() : p_.state.FindPartition(spec.partition);
  if (part == nullptr) {
    return ErrorReply(InvalidArgument(spec.partition.empty()
                                          ? "No partition specified or system default partition"
                                          : "invalid partition name specified: " + spec.partition));
  }
  // DRAIN and INACTIVE accept no job; DOWN accepts them to wait (Slurm's meanings).
  if (part->state == PartitionState::kInactive || part->state == PartitionState::kDrain) {
    return ErrorReply(FailedPrecondition("Partition " + part->name + " is not accepting jobs (" +
                                         PartitionStateName(part->state) + ")"));
  }

  // AccountingStorageEnforce: the account and QOS it runs under, resolved and recorded.
  const std::string user = core_.UserName(who.uid);
  const AcctEnforce& enforce = p_.config.enforce;
  if (Status a = ResolveAssoc(p_.state.assoc(), enforce, user, &spec.account, &spec.qos); !a.ok()) {
    return ErrorReply(a);
  }
  if (Status r = CheckReservation(spec, user); !r.ok()) return ErrorReply(r);

  Job job;
  job.id = p_.state.next_job_id();
  job.client_token = req->token;
  job.uid = who.uid;
  job.gid = who.gid;
  job.user = user;
  job.partition = part->name;
  int64_t limit = spec.time_limit_s;
  if (limit == -2) limit = part->default_time_s != -1 ? part->default_time_s : part->max_time_s;
  if (limit == 0) limit = -1;  // as Slurm: a zero limit means none
  if (enforce.limits && spec.time_limit_s == -2) {
    // No --time: the association's (or QOS's) MaxWall is the limit, as in Slurm.
    const int64_t wall = EffectiveMaxWall(p_.state.assoc(), user, spec.account, spec.qos);
    if (wall >= 0 && (limit < 0 || limit > wall)) limit = wall;
  }
  if (part->max_time_s >= 0 && (limit < 0 || limit > part->max_time_s)) {
    return ErrorReply(InvalidArgument(
        "Requested time limit is invalid (missing or exceeds some limit): partition " + part->name +
        " allows at most " + FormatDuration(part->max_time_s)));
  }
  job.time_limit_s = limit;
  job.submit_time = p_.clock.NowSeconds();
  job.hold = spec.hold ? HoldKind::kUser : HoldKind::kNone;
  if (!array.ranges.empty()) {
    job.array_job_id = job.id;
    job.array_pending = std::move(array.ranges);
    job.array_throttle = array.throttle;
  }
  if (spec.name.empty()) spec.name = "wrap";
  job.spec = spec;
  job.priority = JobPriority(job);
  if (enforce.limits) {
    std::string which;
    const int64_t tasks = job.IsArrayRemainder() ? proto::TaskCount(job.array_pending) : 1;
    if (Status lim =
            CheckSubmitLimits(p_.state.assoc(), p_.state.assoc_usage(), job, tasks, &which);
        !lim.ok()) {
      HERD_LOG(Info) << "submission of uid " << who.uid << " refused: " << which;
      return ErrorReply(lim);
    }
  }

  auto fits = PlaceJob(p_.state, job, PlaceMode::kEver);
  if (!fits.ok()) return ErrorReply(fits.error());
  // Last, as it counts the space the job takes against the state disk's reserve.
  if (Status lim = hooks_.check_submit_limits(who, spec); !lim.ok()) return ErrorReply(lim);

  // The blob first: a job whose script could not be stored is refused, not recorded.
  JobBlob blob{std::move(spec.script), std::move(spec.argv), std::move(spec.env)};
  if (Status w = p_.blobs.Write(job.id, blob); !w.ok()) {
    HERD_LOG(Error) << "job " << job.id << ": cannot store its script: " << w.ToString();
    return ErrorReply(Unavailable("cannot store the batch script: " + w.message()));
  }
  JobSubmitted e;
  e.job = std::move(job);
  e.script = std::move(blob.script);
  e.argv = std::move(blob.argv);
  e.env = std::move(blob.env);
  Status s = p_.journal.Emit(e);
  if (!s.ok()) {
    p_.blobs.Remove(e.job.id);
    return ErrorReply(Internal("cannot record the job: " + s.message()));
  }
  hooks_.submitted(*p_.state.FindJob(e.job.id));
  proto::SubmitJobReply rep;
  rep.job_id = e.job.id;
  return proto::MakeFrame(rep, 0);
}

// A cancel, hold or release sent again (its answer was lost in a failover) that already
// took effect on this job: the job records the token of the request that last changed it.
bool Jobs::SameRequestAgain(const Job& j, const Identity& who, uint64_t token) const {
  return token != 0 && j.op_token == token && (j.uid == who.uid || core_.IsAdmin(who.uid));
}

// One job of a cancel request the sender may cancel: a pending job ends now, a running
// one is signalled or terminated on its nodes (it ends when its step reports), an
// allocation ends now.
Status Jobs::CancelOne(const Job& j, const Identity& who, const proto::CancelJobsRequest& req) {
  if (j.state == JobState::kPending) {
    if (req.signal != 0) return FailedPrecondition("Job is pending execution");
    JobEnded e;
    e.job_id = j.id;
    e.state = JobState::kCancelled;
    e.end_time = p_.clock.NowSeconds();
    e.reason = "Cancelled by " + core_.UserName(who.uid);
    e.token = req.token;
    const uint64_t id = j.id;
    Status s = p_.journal.Emit(e);
    if (s.ok()) DropJobBlob(p_.state, p_.blobs, id);
    return s;
  }
  if (req.signal != 0) {
    proto::SignalJobRequest sig;
    sig.job_id = j.id;
    sig.run_seq = j.run_seq;
    sig.signal = req.signal;
    sig.scope = req.scope;
    for (const auto& a : j.alloc) {
      int idx = p_.state.NodeIndex(a.node);
      if (idx >= 0) {
        p_.outbox.Queue(static_cast<size_t>(idx), MsgType::kSignalJobRequest, j.id, j.run_seq,
                        proto::EncodeBody(sig));
      }
    }
    return Status::Ok();
  }
  if (j.spec.interactive) {
    hooks_.end_interactive(j, JobState::kCancelled, SIGTERM,
                           "Cancelled by " + core_.UserName(who.uid), req.token);
    return Status::Ok();
  }
  Status s;
  if (j.intent == KillIntent::kNone) {
    JobKillIntent e;
    e.job_id = j.id;
    e.intent = KillIntent::kCancelled;
    e.token = req.token;
    s = p_.journal.Emit(e);
  }
  if (s.ok() && j.ctld_prolog_owed) {
    // Its PrologSlurmctld still runs: nothing of it was launched, so it ends now.
    return EndRunningJob(*p_.state.FindJob(j.id), 0, 0, "Cancelled by " + core_.UserName(who.uid));
  }
  if (s.ok()) TerminateOnNodes(j, "");
  return s;
}

// One job a cancel selects; `listed`: named by id (its outcome is always answered).
void Jobs::CancelSelected(const Job& j, const Identity& who, const proto::CancelJobsRequest& req,
                          bool listed, proto::JobActionResult r, proto::CancelJobsReply* rep) {
  r.job_id = j.id;
  if (SameRequestAgain(j, who, req.token)) {
    // This cancel ended it (or is ending it) already: its answer was lost.
    if (listed) rep->results.push_back(r);
    return;
  }
  if (proto::IsFinished(j.state)) {
    if (listed) {
      r.code = static_cast<int32_t>(Code::kFailedPrecondition);
      r.message = "Job/step already completing or completed";
      rep->results.push_back(r);
    }
    return;
  }
  if (j.uid != who.uid && !core_.IsAdmin(who.uid)) {
    r.code = static_cast<int32_t>(Code::kPermissionDenied);
    r.message = "Access/permission denied";
    HERD_LOG(Warning) << "uid " << who.uid << " may not cancel job " << j.id << " of " << j.user;
    rep->results.push_back(r);
    return;
  }
  const uint32_t owner = j.uid;
  const std::string was = proto::JobStateName(j.state);
  Status s = CancelOne(j, who, req);
  if (s.ok() && owner != who.uid) {  // an admin's action on another user's job
    (void)core_.Audit(who, "job=" + std::to_string(r.job_id),
                      req.signal != 0 ? "signal " + std::to_string(req.signal) : "cancel",
                      "JobState=" + was, "");
  }
  r.code = static_cast<int32_t>(s.code());
  r.message = s.message();
  if (!s.ok() || listed) rep->results.push_back(r);
}

// Whether `who` may have the pending tasks of `array` split off for `what` (their
// records then answer as any job's).
Status Jobs::MaySplit(const Job& array, const Identity& who) const {
  if (array.uid != who.uid && !core_.IsAdmin(who.uid)) {
    return PermissionDenied("Access/permission denied");
  }
  return Status::Ok();
}

Frame Jobs::Cancel(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::CancelJobsRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  const proto::JobFilter& fl = req->filter;
  if (fl.job_ids.empty() && fl.task_ids.empty() && fl.users.empty() && fl.partitions.empty() &&
      fl.names.empty() && fl.states.empty()) {
    return ErrorReply(InvalidArgument("No job identification provided"));
  }
  if (req->signal < 0 || req->signal >= NSIG) return ErrorReply(InvalidArgument("Invalid signal"));
  proto::CancelJobsReply rep;
  // Tasks by task id first: pending ones are split off (a signal reaches none of them).
  auto tasks = ResolveTaskIds(p_.state, p_.journal, fl.task_ids, [&](const Job& array) -> Status {
    if (req->signal != 0) return FailedPrecondition("Job is pending execution");
    return MaySplit(array, who);
  });
  if (!tasks.ok()) return ErrorReply(tasks.error());
  for (const NamedTask& t : *tasks) {
    proto::JobActionResult r;
    r.array_job_id = t.array_job_id;
    r.array_task_id = t.task_id;
    const Job* j = t.job_id != 0 ? p_.state.FindJob(t.job_id) : nullptr;
    if (j == nullptr) {
      r.code = static_cast<int32_t>(t.status.code());
      r.message = t.status.message();
      rep.results.push_back(r);
      continue;
    }
    CancelSelected(*j, who, *req, true, r, &rep);
  }
  std::set<uint64_t> seen;
  if (fl.job_ids.empty() == fl.task_ids.empty() || !fl.job_ids.empty()) {
    for (const Job* j : SelectJobs(p_.state, fl)) {
      seen.insert(j->id);
      CancelSelected(*j, who, *req, !fl.job_ids.empty(), proto::JobActionResult{}, &rep);
    }
  }
  for (uint64_t id : fl.job_ids) {
    if (!seen.count(id)) {
      proto::JobActionResult r;
      r.job_id = id;
      r.code = static_cast<int32_t>(Code::kNotFound);
      r.message = "Invalid job id specified";
      rep.results.push_back(r);
    }
  }
  core_.RequestSchedule();
  return proto::MakeFrame(rep, 0);
}

namespace {
const char* HoldName(HoldKind h) {
  switch (h) {
    case HoldKind::kAdmin:
      return "admin";
    case HoldKind::kUser:
      return "user";
    case HoldKind::kLaunchFailed:
      return "launch_failed";
    case HoldKind::kNone:
      break;
  }
  return "none";
}

// The job's nodes as a hostlist (SLURM_JOB_NODELIST).
std::string NodelistOf(const Job& job) {
  std::vector<std::string> names;
  names.reserve(job.alloc.size());
  for (const auto& a : job.alloc) names.push_back(a.node);
  return CompressHostlist(names);
}
}  // namespace

// One job of a hold or release named by id (nullptr: there is none).
Status Jobs::HoldOne(const Job* j, const Identity& who, const proto::HoldJobsRequest& req) {
  if (j == nullptr) return NotFound("Invalid job id specified");
  if (j->uid != who.uid && !core_.IsAdmin(who.uid)) {
    return PermissionDenied("Access/permission denied");
  }
  if (SameRequestAgain(*j, who, req.token) && proto::IsFinished(j->state)) {
    return Status::Ok();  // done already (a hold of a job that then ended)
  }
  // A running job may be held, as in Slurm: it runs on, and comes back held if requeued.
  if (j->state != JobState::kPending && j->state != JobState::kRunning) {
    return FailedPrecondition("Job has already finished");
  }
  if (!req.hold && j->hold == HoldKind::kAdmin && !core_.IsAdmin(who.uid)) {
    return PermissionDenied(
        "Job was held by an administrator; only an administrator may release it");
  }
  JobHold e;
  e.job_id = j->id;
  e.hold = !req.hold                                  ? HoldKind::kNone
           : core_.IsAdmin(who.uid) && !req.user_hold ? HoldKind::kAdmin
                                                      : HoldKind::kUser;
  e.token = req.token;
  const HoldKind was = j->hold;
  const uint32_t owner = j->uid;
  Status s = p_.journal.Emit(e);
  if (s.ok() && owner != who.uid) {  // an admin's action on another user's job
    (void)core_.Audit(who, "job=" + std::to_string(e.job_id), req.hold ? "hold" : "release",
                      std::string("Hold=") + HoldName(was),
                      std::string("Hold=") + HoldName(e.hold));
  }
  return s;
}

Frame Jobs::Hold(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::HoldJobsRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  if (req->filter.job_ids.empty() && req->filter.task_ids.empty()) {
    return ErrorReply(InvalidArgument("No job identification provided"));
  }
  // A pending task named by task id is split off and held or released on its own.
  auto rep = ActOnNamed(
      p_.state, p_.journal, req->filter, [&](const Job& array) { return MaySplit(array, who); },
      [&](const Job* j) { return HoldOne(j, who, *req); });
  if (!rep.ok()) return ErrorReply(rep.error());
  core_.RequestSchedule();
  return proto::MakeFrame(*rep, 0);
}

Status Jobs::StartJob(const Job& job, std::vector<NodeAlloc> alloc) {
  JobStarted e;
  e.job_id = job.id;
  e.run_seq = job.run_seq + 1;
  e.start_time = p_.clock.NowSeconds();
  e.alloc = std::move(alloc);
  if (job.IsArrayRemainder()) {  // its lowest pending task, split off (state/job.h)
    e.array_task_id = proto::MinTask(job.array_pending);
    e.task_job_id = proto::TaskCount(job.array_pending) == 1 ? job.id : p_.state.next_job_id();
  }
  HERD_RETURN_IF_ERROR(p_.journal.Emit(e));
  const bool waits = hooks_.started(*p_.state.FindJob(e.started_id()));
  const Job* started = p_.state.FindJob(e.started_id());
  if (!started->spec.interactive && !waits) SendLaunch(*started);
  return Status::Ok();
}

void Jobs::CtldPrologFailed(const Job& job, const std::string& reason) {
  if (job.spec.interactive) {
    hooks_.end_interactive(job, JobState::kFailed, 1 << 8, reason, 0);
    return;
  }
  // Nothing of it was launched: no node has anything to stop or wait for.
  JobRequeued e;
  e.job_id = job.id;
  e.reason = reason;
  Status s = p_.journal.Emit(e);
  HERD_LOG(Info) << "job " << e.job_id << " requeued: " << reason
                 << (s.ok() ? "" : " (" + s.ToString() + ")");
  core_.RequestSchedule();
}

void Jobs::SendLaunch(const Job& job) {
  // Not before its PrologSlurmctld succeeded (ctld_hooks.h), which sends it then.
  if (job.alloc.empty() || job.ctld_prolog_owed) return;
  int idx = p_.state.NodeIndex(job.alloc.front().node);
  if (idx < 0) return;
  auto blob = p_.blobs.Read(job.blob_id());
  proto::LaunchBatchRequest req;
  req.job_id = job.id;
  req.run_seq = job.run_seq;
  req.spec = job.spec.ToSpec();
  if (blob.ok()) {
    req.spec.script = std::move(blob->script);
    req.spec.argv = std::move(blob->argv);
    req.spec.env = std::move(blob->env);
  }
  if (job.array_job_id != 0) SetArrayTaskFields(job, &req.spec);
  if (!blob.ok() || req.spec.script.empty()) {
    std::string why = blob.ok() ? "empty" : blob.error().message();
    HERD_LOG(Error) << "job " << job.id << ": batch script unavailable: " << why;
    (void)EndRunningJob(job, 1 << 8, 0, "batch script unavailable: " + why);
    return;
  }
  req.uid = job.uid;
  req.gid = job.gid;
  req.user = job.user;
  req.partition = job.partition;
  req.alloc = job.alloc;
  req.nodelist = NodelistOf(job);
  req.time_limit_s = job.time_limit_s;
  req.controller_addr = self_addr_;
  p_.outbox.Queue(static_cast<size_t>(idx), MsgType::kLaunchBatchRequest, job.id, job.run_seq,
                  proto::EncodeBody(req));
}

void Jobs::TerminateOnNodes(const Job& job, const std::string& except_node) {
  const std::string body = TerminateBody(job);
  for (const auto& a : job.alloc) {
    if (a.node != except_node) QueueTerminate(job, a.node, body);
  }
}

void Jobs::TerminateOnNode(const Job& job, const std::string& node) {
  QueueTerminate(job, node, TerminateBody(job));
}

std::string Jobs::TerminateBody(const Job& job) const {
  proto::TerminateJobRequest t;
  t.job_id = job.id;
  t.run_seq = job.run_seq;
  t.kill_wait_s = p_.config.kill_wait_s;
  // What the Epilog of a node where none of its steps ran says of the job.
  t.ended = proto::IsFinished(job.state);
  t.user = job.user;
  t.uid = job.uid;
  t.gid = job.gid;
  t.name = job.spec.name;
  t.partition = job.partition;
  t.nodelist = NodelistOf(job);
  t.account = job.spec.account;
  t.constraints = Join(job.spec.constraints, ",");
  t.wait_status = job.wait_status;
  return proto::EncodeBody(t);
}

void Jobs::QueueTerminate(const Job& job, const std::string& node, const std::string& body) {
  const int idx = p_.state.NodeIndex(node);
  if (idx < 0) return;
  p_.outbox.Queue(static_cast<size_t>(idx), MsgType::kTerminateJobRequest, job.id, job.run_seq,
                  body);
}

Status Jobs::EndRunningJob(const Job& job, int32_t wait_status, int64_t end_time,
                           const std::string& message, const proto::StepUsage& usage,
                           const std::string& epilog_done_on) {
  JobEnded e;
  e.job_id = job.id;
  e.wait_status = wait_status;
  e.usage = usage;
  e.end_time = end_time > 0 ? end_time : p_.clock.NowSeconds();
  switch (job.intent) {
    case KillIntent::kCancelled:
      e.state = JobState::kCancelled;
      break;
    case KillIntent::kTimeout:
      e.state = JobState::kTimeout;
      break;
    case KillIntent::kNodeFail:
      e.state = JobState::kNodeFail;
      break;
    case KillIntent::kNone:
      if (message == proto::kOutOfMemory) {
        e.state = JobState::kOutOfMemory;
      } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 && message.empty()) {
        e.state = JobState::kCompleted;
      } else {
        e.state = JobState::kFailed;
      }
  }
  e.reason = message;
  if (e.reason.empty() && e.state == JobState::kFailed) e.reason = "NonZeroExitCode";
  if (e.reason.empty() && e.state == JobState::kTimeout) e.reason = "TimeLimit";  // as Slurm
  if (e.state == JobState::kOutOfMemory) e.reason = "OutOfMemory";  // Slurm's FAIL_OOM
  uint64_t id = job.id;
  const Job old = job;  // for the terminate messages below
  HERD_RETURN_IF_ERROR(p_.journal.Emit(e));
  hooks_.completing(id, epilog_done_on);
  DropJobBlob(p_.state, p_.blobs, id);
  p_.outbox.DropFor(id);
  bool had_steps = std::any_of(old.steps.begin(), old.steps.end(),
                               [](const StepRecord& s) { return s.state == JobState::kRunning; });
  // With a Prolog or Epilog every node of the job hears of its end: the nodes where a step
  // ran the Prolog then run the Epilog (nodedaemon/job_hooks.h).
  // The ended record: its terminate says the job ended, with its exit status.
  if (had_steps || NodesRunJobHooks()) TerminateOnNodes(*p_.state.FindJob(id), "");
  core_.RequestSchedule();
  return Status::Ok();
}

bool Jobs::NodesRunJobHooks() const {
  return !p_.config.hooks.prolog.empty() || !p_.config.hooks.epilog.empty();
}

Frame Jobs::StepComplete(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid))
    return ErrorReply(PermissionDenied("only node daemons report steps"));
  auto req = proto::DecodeBody<proto::StepCompleteRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  if (hooks_.kill_confirmed(req->node, req->step.job_id, req->step.run_seq)) {
    core_.RequestSchedule();
  }
  if (!req->drain_reason.empty()) hooks_.drain(req->node, req->drain_reason);
  if (req->step.step_id != proto::kBatchStep) {
    Frame rep = hooks_.step_node_complete(*req);
    const Job* j = p_.state.FindJob(req->step.job_id);
    if (req->message == proto::kPrologFailed && j != nullptr && j->state == JobState::kRunning &&
        j->run_seq == req->step.run_seq && j->intent == KillIntent::kNone) {
      // The Prolog failed on a node of the job at its step: the job never ran as asked
      // there, so it is requeued (whatever its --requeue, as after a batch Prolog).
      const uint64_t id = j->id;
      NodeLostJob(id, req->node, "Prolog error on " + req->node, /*node_alive=*/true,
                  /*always_requeue=*/true);
      HoldAfterPrologFailure(id);
    }
    return rep;
  }
  const Job* j = p_.state.FindJob(req->step.job_id);
  if (j == nullptr) return ErrorReply(NotFound("no such job"));
  if (j->state != JobState::kRunning || j->run_seq != req->step.run_seq) {
    return ErrorReply(FailedPrecondition("stale completion for job " + std::to_string(j->id)));
  }
  if (j->alloc.empty() || j->alloc.front().node != req->node) {
    return ErrorReply(
        FailedPrecondition("job " + std::to_string(j->id) + " does not run on " + req->node));
  }
  if (req->message == proto::kNodeLeaseExpired && j->intent == KillIntent::kNone) {
    // The node stopped it itself, having lost the controller: lost with its node.
    NodeLostJob(j->id, req->node,
                "NodeFail: " + req->node + " lost the controller for longer than NodeLease",
                /*node_alive=*/false);
    return proto::MakeStatusFrame(Status::Ok(), 0);
  }
  if (req->message == proto::kPrologFailed && j->intent == KillIntent::kNone) {
    return proto::MakeStatusFrame(RequeueAfterPrologFailure(*j, req->node), 0);
  }
  Status s =
      EndRunningJob(*j, req->step.wait_status, req->end_time, req->message, req->usage, req->node);
  return proto::MakeStatusFrame(s, 0);
}

// A batch job whose Prolog failed (its node is drained, nodes.cc) never ran: it is
// requeued so that it runs elsewhere.
Status Jobs::RequeueAfterPrologFailure(const Job& job, const std::string& node) {
  // The script never started and no step can have (they come from the script), so there
  // is nothing to wait for or kill on the job's nodes.
  JobRequeued e;
  e.job_id = job.id;
  e.reason = "Prolog error on " + node;
  const uint64_t id = job.id;
  const Job old = job;  // its nodes, whose record of the run's Prolog goes with the terminate
  HERD_RETURN_IF_ERROR(p_.journal.Emit(e));
  HoldAfterPrologFailure(id);
  p_.outbox.DropFor(id);
  TerminateOnNodes(old, "");
  HERD_LOG(Info) << "job " << id << " requeued and held: its Prolog failed on " << node;
  core_.RequestSchedule();
  return Status::Ok();
}

// A job requeued because a node's Prolog failed is held, as Slurm holds it ("launch
// failed requeued held": its owner or an admin releases it), unless it could not be
// requeued. Emitted in the same batch as its requeue, so it is journaled with it.
void Jobs::HoldAfterPrologFailure(uint64_t id) {
  const Job* j = p_.state.FindJob(id);
  if (j == nullptr || j->state != JobState::kPending || j->hold != HoldKind::kNone) return;
  JobHold h;
  h.job_id = id;
  h.hold = HoldKind::kLaunchFailed;
  if (Status s = p_.journal.Emit(h); !s.ok()) {
    HERD_LOG(Warning) << "job " << id
                      << ": cannot hold it after its Prolog failed: " << s.ToString();
  }
}

void Jobs::FailJobsOnNode(const std::string& node, const std::string& why, bool node_alive) {
  std::vector<uint64_t> ids;
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state != JobState::kRunning) continue;
    for (const auto& a : j.alloc) {
      if (a.node == node) ids.push_back(id);
    }
  }
  for (uint64_t id : ids) NodeLostJob(id, node, why, node_alive);
  core_.RequestSchedule();
}

void Jobs::NodeLostJob(uint64_t id, const std::string& node, const std::string& why,
                       bool node_alive, bool always_requeue) {
  const Job* j = p_.state.FindJob(id);
  if (j == nullptr || j->state != JobState::kRunning) return;
  const Job old = *j;  // its allocation, for the terminate messages
  p_.outbox.DropFor(id);
  // The processes of the old run on the surviving nodes must go; until the batch host
  // confirms (its step reports the old run's end), it gets no new work.
  const bool wait_for_host = !old.alloc.empty() && (node_alive || old.alloc.front().node != node);
  if ((always_requeue || (p_.config.job_requeue && old.spec.requeue)) && !old.spec.interactive) {
    JobRequeued e;
    e.job_id = id;
    e.reason = why;
    if (wait_for_host) {
      e.wait_node = old.alloc.front().node;
      e.wait_run = old.run_seq;
    }
    Status s = p_.journal.Emit(e);
    HERD_LOG(Info) << "job " << id << " requeued: " << why << (s.ok() ? "" : s.ToString());
  } else {
    JobKillIntent k;
    k.job_id = id;
    k.intent = KillIntent::kNodeFail;
    (void)p_.journal.Emit(k);
    (void)EndRunningJob(*p_.state.FindJob(id), 0, 0, why);
  }
  TerminateOnNodes(old, node_alive ? "" : node);
  if (wait_for_host) hooks_.await_kill(old.alloc.front().node, old.id, old.run_seq);
  core_.RequestSchedule();
}

void Jobs::CheckTimeLimits() {
  int64_t now = p_.clock.NowSeconds();
  std::vector<uint64_t> over;
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state == JobState::kRunning && j.intent == KillIntent::kNone && j.time_limit_s > 0 &&
        now >= j.start_time + j.time_limit_s) {
      over.push_back(id);
    }
  }
  for (uint64_t id : over) {
    const Job* j = p_.state.FindJob(id);
    if (j->spec.interactive) {
      HERD_LOG(Info) << "allocation " << id << " reached its time limit";
      hooks_.end_interactive(*j, JobState::kTimeout, SIGTERM, "TimeLimit", 0);
      continue;
    }
    JobKillIntent e;
    e.job_id = id;
    e.intent = KillIntent::kTimeout;
    if (p_.journal.Emit(e).ok()) {
      HERD_LOG(Info) << "job " << id << " reached its time limit";
      TerminateOnNodes(*p_.state.FindJob(id), "");
    }
  }
}

void Jobs::CancelInvalidDependents() {
  const std::set<uint64_t>& invalid = p_.state.dependencies().invalid();
  const std::vector<uint64_t> ids(invalid.begin(), invalid.end());
  for (uint64_t id : ids) {
    const Job* j = p_.state.FindJob(id);
    if (j == nullptr || j->state != JobState::kPending) continue;
    JobEnded e;
    e.job_id = id;
    e.state = JobState::kCancelled;
    e.end_time = p_.clock.NowSeconds();
    e.reason = PendingReasonName(PendingReason::kDependencyNeverSatisfied);
    if (Status s = p_.journal.Emit(e); !s.ok()) {
      HERD_LOG(Warning) << "job " << id << ": cannot cancel it: " << s.message();
      return;
    }
    HERD_LOG(Info) << "job " << id << " cancelled: its dependency can never be satisfied";
    DropJobBlob(p_.state, p_.blobs, id);
  }
  core_.RequestSchedule();
}

void Jobs::ForgetOldJobs(bool until_stored) {
  int64_t now = p_.clock.NowSeconds();
  std::vector<uint64_t> old;
  for (const auto& [id, j] : p_.state.jobs()) {
    // With accounting, a finished job stays until its record is stored (AcctStored).
    // A job a pending job depends on stays: how it ended is what the dependency tests.
    if (proto::IsFinished(j.state) && j.completing.empty() && !j.ctld_epilog_owed &&
        j.end_time + p_.config.min_job_age_s <= now && (!until_stored || j.acct_stored) &&
        !p_.state.dependencies().HasWaiters(id)) {
      old.push_back(id);
    }
  }
  for (uint64_t id : old) {
    p_.state.Forget(id);
    DropJobBlob(p_.state, p_.blobs, id);
  }
}

}  // namespace herd::ctld
