// herd — the scheduling pass (sched/fifo): pending jobs in priority order, each started
// where it fits now; a job that does not fit blocks the lower-priority jobs of its
// partition (no backfill yet), so a large job is not starved by a stream of small ones.
//
// A pure function of a read-only view of the state: it returns a plan and changes
// nothing. The controller validates each planned start against the state and journals it
// (ControllerCore::ApplyPlan); the simulator runs the same controller, hence this code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/state/cluster_state.h"

namespace herd::ctld {

struct PlannedStart {
  uint64_t job_id = 0;
  std::vector<NodeAlloc> alloc;  // placed on the state plus the plan's earlier starts
};

// Room for the policies to come: jobs to preempt for a start, and the future starts a
// backfilling policy promises (none are planned by sched/fifo).
struct PlannedPreemption {
  uint64_t job_id = 0;  // the running job to preempt
  uint64_t for_job = 0;
};
struct PlannedReservation {
  uint64_t job_id = 0;
  int64_t expected_start = 0;  // wall clock, seconds
  std::vector<std::string> nodes;
};

struct SchedulePlan {
  // In the order they were planned: each one's allocation counts the earlier ones.
  std::vector<PlannedStart> starts;
  std::vector<PlannedPreemption> preemptions;
  std::vector<PlannedReservation> reservations;
  // Why each job that stays pending waits ("Resources", "Priority", "JobHeldUser", ...).
  std::vector<std::pair<uint64_t, PendingReason>> reasons;
  // Partitions where a job did not fit: a later job there cannot start before another
  // pass (unless it outranks the blocked one).
  // Value: the blocking job's nice (a later job with a lower nice is tried before it).
  std::map<std::string, int32_t> blocked;
};

SchedulePlan Schedule(const ClusterState& state);

// Priority shown for a job (higher runs first); jobs of equal nice run in id order.
uint32_t JobPriority(const Job& job);

}  // namespace herd::ctld
