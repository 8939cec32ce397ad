// herd — the scheduling pass (sched/fifo): pending jobs in priority order, each started
// where it fits now; a job that does not fit blocks the lower-priority jobs of its
// partition (no backfill yet), so a large job is not starved by a stream of small ones.
// Pure apart from the `start` callback, through which the controller applies (and
// journals) each start before the pass looks at the next job.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "controller/state/cluster_state.h"

namespace herd::ctld {

using StartFn = std::function<Status(const Job& job, std::vector<NodeAlloc> alloc)>;

struct SchedulePass {
  uint32_t started = 0;
  // Why each job still pending waits ("Resources", "Priority", "JobHeldUser", ...).
  std::vector<std::pair<uint64_t, PendingReason>> reasons;
  // Partitions where a job did not fit: a later job there cannot start before another
  // pass (unless it outranks the blocked one).
  // Value: the blocking job's nice (a later job with a lower nice is tried before it).
  std::map<std::string, int32_t> blocked;
};

SchedulePass Schedule(const ClusterState& state, const StartFn& start);

// Priority shown for a job (higher runs first); jobs of equal nice run in id order.
uint32_t JobPriority(const Job& job);

}  // namespace herd::ctld
