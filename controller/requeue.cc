// herd — hcontrol requeue|requeuehold (jobs.h): a running or finished batch job goes back
// to PENDING with the same id (doc/requeue.md).
#include "common/base/log.h"
#include "controller/jobs.h"
#include "controller/task_ids.h"

namespace herd::ctld {

using proto::Frame;

// One job of a requeue the sender named (nullptr: there is none). Refusals as Slurm's.
Status Jobs::RequeueOne(const Job* j, const Identity& who, const proto::RequeueJobsRequest& req) {
  if (j == nullptr) return NotFound("Invalid job id specified");
  const bool admin = core_.IsAdmin(who.uid);
  if (j->uid != who.uid && !admin) return PermissionDenied("Access/permission denied");
  if (SameRequestAgain(*j, who, req.token)) return Status::Ok();  // resent after a failover
  if (j->spec.interactive) return InvalidArgument("Only batch jobs are accepted or processed");
  if (j->state == JobState::kPending) return FailedPrecondition("Job is pending execution");
  const bool running = j->state == JobState::kRunning;
  if ((running && j->intent != KillIntent::kNone) || !j->completing.empty() ||
      (!running && !proto::IsFinished(j->state))) {
    return FailedPrecondition("Job can not be altered now, try again later");
  }
  if (!p_.config.job_requeue || !j->spec.requeue) {
    return FailedPrecondition("Requested operation is presently disabled");
  }
  if (!p_.blobs.Exists(j->blob_id())) {
    return FailedPrecondition("Job's batch script is no longer kept");
  }
  JobRequeueAsked e;
  e.job_id = j->id;
  e.hold = !req.hold ? HoldKind::kNone : admin ? HoldKind::kAdmin : HoldKind::kUser;
  e.time = p_.clock.NowSeconds();
  e.token = req.token;
  const Job old = *j;  // its run, for the terminate messages
  // The old run's processes must be gone before it starts again: its batch host confirms
  // (its step reports the end, or it answers the terminate with nothing left), as after a
  // node failure (JobRequeued).
  if (running && !old.alloc.empty()) {
    e.wait_node = old.alloc.front().node;
    e.wait_run = old.run_seq;
  }
  HERD_RETURN_IF_ERROR(p_.journal.Emit(e));
  HERD_LOG(Info) << "job " << old.id << (req.hold ? " requeued held" : " requeued") << " by uid "
                 << who.uid;
  if (old.uid != who.uid) {
    (void)core_.Audit(who, "job=" + std::to_string(old.id), req.hold ? "requeuehold" : "requeue",
                      std::string("JobState=") + proto::JobStateName(old.state),
                      "JobState=PENDING");
  }
  if (!running) return Status::Ok();
  p_.outbox.DropFor(old.id);
  TerminateOnNodes(old, "");
  hooks_.await_kill(e.wait_node, old.id, old.run_seq);
  return Status::Ok();
}

Frame Jobs::Requeue(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::RequeueJobsRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  if (req->filter.job_ids.empty() && req->filter.task_ids.empty()) {
    return ErrorReply(InvalidArgument("No job identification provided"));
  }
  // A pending task of an array's record is not split off: it is pending, as Slurm answers.
  auto rep = ActOnNamed(
      p_.state, p_.journal, req->filter,
      [](const Job&) { return FailedPrecondition("Job is pending execution"); },
      [&](const Job* j) { return RequeueOne(j, who, *req); });
  if (!rep.ok()) return ErrorReply(rep.error());
  core_.RequestSchedule();
  return proto::MakeFrame(*rep, 0);
}

}  // namespace herd::ctld
