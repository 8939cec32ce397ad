// herd — placement of one job on nodes at core granularity with memory (select/cores).
// Pure: reads the state, returns the cores and memory per node, changes nothing.
#pragma once

#include <vector>

#include "common/base/status.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

enum class PlaceMode {
  kNow,   // against free resources of usable nodes
  kEver,  // against the configured size of every node of the partition (submit check)
};

// kResourceExhausted: not now; kFailedPrecondition: never (with the reason in words).
Result<std::vector<NodeAlloc>> PlaceJob(const ClusterState& state, const Job& job, PlaceMode mode);

// Whether the scheduler may put new work on the node now.
bool NodeUsable(const NodeRecord& n);

// Memory a job takes on a node where it has `cpus` cpus, by the job's request and
// DefMemPerCPU.
uint64_t JobMemOnNode(const ClusterConfig& cfg, const SpecRecord& spec, uint32_t cpus);

}  // namespace herd::ctld
