// herd — controller core: a scheduling pass. The scheduler (sched/scheduler.h) plans on a
// read-only view of the state; here each planned start is checked against the state and
// journaled (JobStarted) with its launch queued, as any other change is.
#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "controller/core.h"
#include "controller/sched/placement.h"

namespace herd::ctld {

void ControllerCore::RunScheduler() {
  // A --begin or after+N time that came lets its job be offered to the scheduler: the
  // state keeps those times in order, so this costs nothing until one is due.
  if (state_.AdvanceTime(clock_.NowSeconds())) need_schedule_ = true;
  if (!state_.dependencies().invalid().empty()) jobs_.CancelInvalidDependents();
  // A start that ends at once (its batch script is gone) frees its nodes for the jobs the
  // plan had to leave waiting: plan again, as a pass that started jobs one by one would.
  while (need_schedule_) {
    need_schedule_ = false;
    ApplyPlan(Schedule(state_, clock_.NowSeconds()));
  }
}

void ControllerCore::OnJobSubmitted(const Job& job) {
  if (job.hold != HoldKind::kNone) {
    state_.SetPendingReason(job.id, PendingReason::kJobHeldUser);
  } else if (job.wait != PendingReason::kNone) {
    state_.SetPendingReason(job.id, job.wait);
  } else if (auto b = blocked_partitions_.find(job.partition);
             b != blocked_partitions_.end() && job.spec.nice >= b->second && !need_schedule_) {
    state_.SetPendingReason(job.id, PendingReason::kPriority);
  } else {
    need_schedule_ = true;
  }
  if (job.spec.interactive) deferred_job_ = job.id;
}

void ControllerCore::ApplyPlan(SchedulePlan plan) {
  for (PlannedStart& s : plan.starts) {
    const Job* job = state_.FindJob(s.job_id);
    Status ok = job == nullptr                      ? NotFound("no such job")
                : job->state != JobState::kPending  ? FailedPrecondition("not pending")
                : job->hold != HoldKind::kNone      ? FailedPrecondition("held")
                : job->wait != PendingReason::kNone ? FailedPrecondition("not eligible yet")
                : job->awaiting_kill                ? FailedPrecondition("awaiting a kill")
                                                    : StillFree(state_, *job, s.alloc);
    if (ok.ok()) ok = jobs_.StartJob(*job, std::move(s.alloc));
    if (!ok.ok()) {
      HERD_LOG(Warning) << "job " << s.job_id << ": planned start refused: " << ok.message();
      if (job != nullptr) state_.SetPendingReason(s.job_id, PendingReason::kResources);
      continue;
    }
    const Job* started = state_.FindJob(s.job_id);
    if (started != nullptr && started->state != JobState::kRunning) need_schedule_ = true;
  }
  for (const auto& [id, why] : plan.reasons) state_.SetPendingReason(id, why);
  for (const auto& [id, priority] : plan.priorities) state_.SetPriority(id, priority);
  std::unordered_map<uint64_t, std::string> sched_nodes;
  for (const PlannedReservation& r : plan.reservations) {
    state_.SetPendingReason(r.job_id, PendingReason::kResources, r.expected_start);
    sched_nodes.emplace(r.job_id, CompressHostlist(r.nodes));
  }
  state_.SetSchedNodes(std::move(sched_nodes));
  blocked_partitions_ = std::move(plan.blocked);
  if (plan.more && !plan.starts.empty()) need_schedule_ = true;
}

}  // namespace herd::ctld
