// herd — what a job's partition says of its start, as Slurm's partition states and limits
// mean it: UP and DRAIN start queued jobs; DOWN and INACTIVE start none (DOWN accepts new
// jobs, DRAIN and INACTIVE refuse them at submission, jobs.cc). A pending job beyond the
// partition's MaxTime, MinNodes or MaxNodes (changed at runtime since it was queued)
// waits with PartitionTimeLimit or PartitionNodeLimit instead of vanishing.
#pragma once

#include "controller/state/cluster_state.h"

namespace herd::ctld {

// The reason `job` may not start now because of its partition; kNone when it may.
PendingReason PartitionHolds(const ClusterState& state, const Job& job);

}  // namespace herd::ctld
