// herd — placement of one job on nodes at core granularity with memory (select/cores).
// Pure: reads the state, returns the cores and memory per node, changes nothing.
#pragma once

#include <unordered_map>
#include <vector>

#include "common/base/status.h"
#include "common/proto/feature_expr.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

enum class PlaceMode {
  kNow,   // against free resources of usable nodes
  kEver,  // against the configured size of every node of the partition (submit check)
};

// What a plan being made has taken of the nodes so far, on top of the state's use: a
// placement made against it sees both (the state itself is not changed by planning).
class PlannedUse {
 public:
  struct Use {
    std::vector<bool> cpu_used;
    uint64_t mem_used_mb = 0;
    uint32_t jobs = 0;
  };
  // The use of node `index` with the plan's share, or null when the plan took none of it.
  const Use* Find(size_t index) const;
  // Adds a planned allocation (the nodes' use starts from the state's).
  void Take(const ClusterState& state, const std::vector<NodeAlloc>& alloc);
  // Gives an allocation back (a running job's end, as a backfill plan looks ahead).
  void Release(const ClusterState& state, const std::vector<NodeAlloc>& alloc);

 private:
  Use& At(const ClusterState& state, size_t index);  // the node's use, from the state's

  std::unordered_map<size_t, Use> nodes_;
};

// kResourceExhausted: not now; kFailedPrecondition: never (with the reason in words;
// "Invalid feature specification" for a --constraint naming a feature no node has). Among
// the nodes that fit, the lowest Weight first, then the partition's order.
// `planned`: kNow places on what the state and the plan leave free. `avoid` (by node
// index, kNow only): nodes it must not use (held for a reservation).
Result<std::vector<NodeAlloc>> PlaceJob(const ClusterState& state, const Job& job, PlaceMode mode,
                                        const PlannedUse* planned = nullptr,
                                        const std::vector<bool>* avoid = nullptr);

// A job's --constraint (JobSpec::constraints, names ANDed or one expression) as
// alternatives to try in order (proto/feature_expr.h); one that needs nothing if empty.
Result<proto::FeatureRequest> JobFeatures(const std::vector<std::string>& constraints);

// Whether `alloc`, placed for `job` earlier, is still free on the state now (a plan's
// start is checked so before it is applied). kResourceExhausted with the reason if not.
Status StillFree(const ClusterState& state, const Job& job, const std::vector<NodeAlloc>& alloc);

// Whether the scheduler may put new work on the node now.
bool NodeUsable(const NodeRecord& n);

// Memory a job takes on a node where it has `cpus` cpus, by the job's request and
// DefMemPerCPU.
uint64_t JobMemOnNode(const ClusterConfig& cfg, const SpecRecord& spec, uint32_t cpus);

}  // namespace herd::ctld
