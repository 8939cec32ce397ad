// herd — the partition's rules for starting a pending job (partition_rules.h).
#include "controller/sched/partition_rules.h"

namespace herd::ctld {

PendingReason PartitionHolds(const ClusterState& state, const Job& job) {
  const PartitionConfig* p = state.FindPartition(job.partition);
  if (p == nullptr) return PendingReason::kPartitionConfig;  // deleted since it was queued
  switch (p->state) {
    case PartitionState::kUp:
    case PartitionState::kDrain:
      break;
    case PartitionState::kDown:
      return PendingReason::kPartitionDown;
    case PartitionState::kInactive:
      return PendingReason::kPartitionInactive;
  }
  if (p->max_time_s >= 0 && (job.time_limit_s < 0 || job.time_limit_s > p->max_time_s)) {
    return PendingReason::kPartitionTimeLimit;
  }
  const uint32_t want_max = job.spec.max_nodes > 0 ? job.spec.max_nodes : job.spec.min_nodes;
  if ((p->max_nodes > 0 && job.spec.min_nodes > p->max_nodes) ||
      (p->min_nodes > 0 && want_max > 0 && want_max < p->min_nodes)) {
    return PendingReason::kPartitionNodeLimit;
  }
  return PendingReason::kNone;
}

}  // namespace herd::ctld
