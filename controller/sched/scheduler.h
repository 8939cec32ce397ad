// herd — the scheduling pass: pending jobs in priority order, each started where it fits
// now. The first job of a partition that does not fit stops the partition (reason
// Resources; the jobs behind it: Priority), so a large job is not starved by a stream of
// small ones. SchedulerType=sched/builtin stops there; sched/backfill (the default; EASY,
// backfill.h) gives that job a reservation at its expected start, and starts a job
// behind it only where that delays no reservation.
//
// A pure function of a read-only view of the state: it returns a plan and changes
// nothing. The controller validates each planned start against the state and journals it
// (ControllerCore::ApplyPlan); the simulator runs the same controller, hence this code.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/sched/fairshare.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

struct PlannedStart {
  uint64_t job_id = 0;
  std::vector<NodeAlloc> alloc;  // placed on the state plus the plan's earlier starts
};

// Room for the policies to come: jobs to preempt for a start. The future starts
// sched/backfill promises: a job's reservation.
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
  // Partitions where a job did not fit and a job submitted later cannot start before
  // another pass (unless it outranks the blocked one): no backfill there, or no room.
  // Value: the blocking job's nice (a later job with a lower nice is tried before it).
  std::map<std::string, int32_t> blocked;
  // Jobs were left untried (default_queue_depth, bf_max_job_test) in partitions that
  // were not stopped: worth another pass once this plan's starts are applied.
  bool more = false;
  // priority/multifactor: each pending job's priority as this pass computed it.
  std::vector<std::pair<uint64_t, uint32_t>> priorities;
};

// `now`: wall clock seconds, the time running jobs' expected ends are measured from.
// `shares`: the fair-share tree's source (priority/multifactor); nullptr: EqualShares.
SchedulePlan Schedule(const ClusterState& state, int64_t now, const ShareSource* shares = nullptr);

// Priority shown for a job (higher runs first); jobs of equal nice run in id order.
uint32_t JobPriority(const Job& job);

}  // namespace herd::ctld
