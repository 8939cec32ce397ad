// herd — the scheduling pass.
#include "controller/sched/scheduler.h"

#include <algorithm>
#include <set>

#include "controller/sched/partition_rules.h"
#include "controller/sched/placement.h"

namespace herd::ctld {

uint32_t JobPriority(const Job& job) {
  // As a basic priority: newer jobs rank lower; nice lowers further.
  int64_t p = 4294901759LL - static_cast<int64_t>(job.id % 4000000000ULL) - job.spec.nice;
  return static_cast<uint32_t>(std::clamp<int64_t>(p, 1, 4294967295LL));
}

SchedulePlan Schedule(const ClusterState& state) {
  SchedulePlan plan;
  PlannedUse planned;
  std::vector<const Job*> pending;
  for (const auto& [id, job] : state.jobs()) {
    if (job.state == JobState::kPending) pending.push_back(&job);
  }
  bool any_nice =
      std::any_of(pending.begin(), pending.end(), [](const Job* j) { return j->spec.nice != 0; });
  if (any_nice) {
    std::stable_sort(pending.begin(), pending.end(), [](const Job* a, const Job* b) {
      return a->spec.nice < b->spec.nice;  // ids ascend already
    });
  }
  std::map<std::string, int32_t>& blocked = plan.blocked;
  for (const Job* job : pending) {
    if (job->hold != HoldKind::kNone) {
      plan.reasons.emplace_back(job->id, job->hold == HoldKind::kUser
                                             ? PendingReason::kJobHeldUser
                                             : PendingReason::kJobHeldAdmin);
      continue;
    }
    if (job->awaiting_kill) {
      plan.reasons.emplace_back(job->id, PendingReason::kRequeued);
      continue;
    }
    if (PendingReason r = PartitionHolds(state, *job); r != PendingReason::kNone) {
      plan.reasons.emplace_back(job->id, r);
      continue;
    }
    if (blocked.count(job->partition)) {
      plan.reasons.emplace_back(job->id, PendingReason::kPriority);
      continue;
    }
    auto placed = PlaceJob(state, *job, PlaceMode::kNow, &planned);
    if (!placed.ok()) {
      if (placed.error().code() == Code::kResourceExhausted) {
        plan.reasons.emplace_back(job->id, PendingReason::kResources);
        blocked.emplace(job->partition, job->spec.nice);
      } else {
        // Became impossible (nodes removed from the config, ...): it waits with the reason.
        plan.reasons.emplace_back(job->id, PendingReason::kBadConstraints);
      }
      continue;
    }
    planned.Take(state, *placed);
    plan.starts.push_back({job->id, std::move(*placed)});
  }
  return plan;
}

}  // namespace herd::ctld
