// herd — controller core: scontrol update JobId= (the job update handler). The request
// names Slurm's keys; the new values of every field an update may change go into one
// journaled JobUpdated, after the job's new shape has been checked to fit the cluster.
#include <algorithm>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "common/proto/feature_expr.h"
#include "controller/jobs.h"
#include "controller/sched/placement.h"
#include "controller/sched/scheduler.h"
#include "controller/task_ids.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

namespace {

constexpr int64_t kMaxNice = 2147483645;

Status NotPending() { return FailedPrecondition("Job is no longer pending execution"); }

Status Invalid(const std::string& key, const std::string& value) {
  return InvalidArgument("Invalid " + key + " value: " + value);
}

Result<uint32_t> Count(const std::string& key, const std::string& value) {
  auto n = ParseUint(Trim(value), UINT32_MAX);
  if (!n.ok() || *n == 0) return Invalid(key, value);
  return static_cast<uint32_t>(*n);
}

Status CheckNodeList(const std::string& key, const std::string& value) {
  if (value.empty()) return Status::Ok();  // clears it
  auto hosts = ExpandHostlist(value);
  if (!hosts.ok() || hosts->empty()) return Invalid(key, value);
  return Status::Ok();
}

}  // namespace

// One key of the request into `e`. `admin`: the caller is root or an AdminUser.
Status Jobs::ApplyUpdateKey(const Job& j, const std::string& key, const std::string& value,
                            bool admin, JobUpdated* e) {
  const bool pending = j.state == JobState::kPending;
  const std::string k = ToLower(key);
  if (k == "timelimit") {
    auto t = ParseTimeLimit(Trim(value));
    if (!t.ok()) return Invalid(key, value);
    const int64_t limit = *t <= 0 ? -1 : *t;
    const bool longer = (limit < 0 && e->time_limit_s >= 0) ||
                        (limit >= 0 && e->time_limit_s >= 0 && limit > e->time_limit_s);
    // As Slurm: users may only lower a job's time limit.
    if (longer && !admin) return PermissionDenied("Access/permission denied");
    if (longer && !pending) {
      return FailedPrecondition("the time limit of a running job can only be lowered in herd");
    }
    e->time_limit_s = limit;
  } else if (k == "jobname" || k == "name") {
    e->name = value;
  } else if (k == "nice") {
    if (!pending) return NotPending();
    auto n = ParseInt(Trim(value));
    if (!n.ok() || *n > kMaxNice || *n < -kMaxNice) return Invalid(key, value);
    if (*n < 0 && !admin) return PermissionDenied("Access/permission denied");
    e->nice = static_cast<int32_t>(*n);
  } else if (k == "priority") {
    // As Slurm: an admin sets a job's priority (it then stays whatever the factors say).
    if (!pending) return NotPending();
    if (!admin) return PermissionDenied("Access/permission denied");
    auto n = ParseUint(Trim(value), 4294967294ULL);
    if (!n.ok() || *n == 0) return Invalid(key, value);
    e->admin_priority = static_cast<uint32_t>(*n);
  } else if (k == "partition") {
    if (Trim(value) == e->partition) return Status::Ok();  // no change, as Slurm
    if (!pending) return NotPending();
    if (p_.state.FindPartition(Trim(value)) == nullptr) {
      return InvalidArgument("Invalid partition name specified");
    }
    e->partition = Trim(value);
  } else if (k == "numnodes" || k == "minnodes") {
    if (!pending) return NotPending();
    const std::string v = Trim(value);
    const size_t dash = v.find('-');
    HERD_ASSIGN_OR_RETURN(e->min_nodes, Count(key, v.substr(0, dash)));
    e->max_nodes = 0;
    if (dash != std::string::npos) {
      HERD_ASSIGN_OR_RETURN(e->max_nodes, Count(key, v.substr(dash + 1)));
      if (e->max_nodes < e->min_nodes) return Invalid(key, value);
    }
  } else if (k == "numtasks") {
    if (!pending) return NotPending();
    HERD_ASSIGN_OR_RETURN(e->num_tasks, Count(key, value));
  } else if (k == "reqnodelist" || k == "nodelist") {
    if (!pending) return NotPending();
    HERD_RETURN_IF_ERROR(CheckNodeList(key, Trim(value)));
    e->nodelist = Trim(value);
  } else if (k == "excnodelist") {
    if (!pending) return NotPending();
    HERD_RETURN_IF_ERROR(CheckNodeList(key, Trim(value)));
    e->exclude = Trim(value);
  } else if (k == "features") {
    if (!pending) return NotPending();
    const std::string v = Trim(value);
    if (v.empty()) {
      e->constraints.clear();
    } else {
      auto parsed = proto::ParseFeatures(v);
      if (!parsed.ok()) return parsed.error();
      e->constraints = proto::IsFeatureExpression(v) ? std::vector<std::string>{v} : parsed->names;
    }
  } else if (k == "starttime") {
    // As scontrol sends it: the time as seconds since the epoch (hcontrol reads Slurm's
    // forms, "now+1hour" or "2024-05-01T10:00", into it); 0: no --begin.
    if (!pending) return NotPending();
    auto t = ParseInt(Trim(value));
    if (!t.ok() || *t < 0) return Invalid(key, value);
    e->begin_time = *t;
  } else if (k == "arraytaskthrottle") {  // on the array's id: how many tasks at once
    if (j.array_job_id != j.id || !j.IsArrayRemainder()) {
      return InvalidArgument("ArrayTaskThrottle is the throttle of a job array's pending tasks");
    }
    auto n = ParseUint(Trim(value), UINT32_MAX);
    if (!n.ok()) return Invalid(key, value);
    e->array_throttle = static_cast<int64_t>(*n);
  } else {
    return InvalidArgument("Update of this parameter is not supported: " + key + "=" + value);
  }
  return Status::Ok();
}

Frame Jobs::UpdateJob(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::UpdateJobRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  if (req->keys.size() != req->values.size() || req->keys.empty()) {
    return ErrorReply(InvalidArgument("No changes specified"));
  }
  const Job* j = p_.state.FindJob(req->job_id);
  if (req->array_task_id != proto::kNoArrayTask) {
    // One task: its record, a pending one split off its array's first (as a hold does).
    auto tasks = ResolveTaskIds(p_.state, p_.journal,
                                {{req->job_id, {{req->array_task_id, req->array_task_id, 1}}}},
                                [&](const Job& array) { return MaySplit(array, who); });
    if (!tasks.ok()) return ErrorReply(tasks.error());
    if (tasks->size() != 1) return ErrorReply(NotFound("Invalid job id specified"));
    const NamedTask& t = tasks->front();
    if (t.job_id == 0) return ErrorReply(t.status);
    j = p_.state.FindJob(t.job_id);
  }
  if (j == nullptr) return ErrorReply(NotFound("Invalid job id specified"));
  const bool admin = core_.IsAdmin(who.uid);
  if (j->uid != who.uid && !admin) return ErrorReply(PermissionDenied("Access/permission denied"));
  if (j->state != JobState::kPending && j->state != JobState::kRunning) {
    return ErrorReply(FailedPrecondition("Job has already finished"));
  }
  JobUpdated e;
  e.job_id = j->id;
  e.name = j->spec.name.str();
  e.partition = j->partition.str();
  e.time_limit_s = j->time_limit_s;
  e.nice = j->spec.nice;
  e.min_nodes = j->spec.min_nodes;
  e.max_nodes = j->spec.max_nodes;
  e.num_tasks = j->spec.num_tasks;
  e.nodelist = j->spec.nodelist.str();
  e.exclude = j->spec.exclude.str();
  e.constraints = j->spec.constraints;
  if (j->array_job_id != 0) e.array_throttle = j->array_throttle;
  e.admin_priority = j->admin_priority;
  e.begin_time = j->spec.begin_time;
  for (size_t i = 0; i < req->keys.size(); ++i) {
    Status s = ApplyUpdateKey(*j, req->keys[i], req->values[i], admin, &e);
    if (!s.ok()) return ErrorReply(s);
  }
  Job trial = *j;
  ApplyJobUpdate(e, &trial);
  e.priority = JobPriority(trial);
  if (j->state == JobState::kPending) {
    // The new shape must fit the partition, as a submission must.
    auto fits = PlaceJob(p_.state, trial, PlaceMode::kEver);
    if (!fits.ok()) return ErrorReply(fits.error());
  }
  Status s = p_.journal.Emit(e);
  if (!s.ok()) return ErrorReply(s);
  HERD_LOG(Info) << "job " << e.job_id << " updated by uid " << who.uid;
  core_.RequestSchedule();
  return proto::MakeStatusFrame(Status::Ok(), 0);
}

}  // namespace herd::ctld
