// herd — the controller's read-only requests: jobs (paged), steps, nodes, partitions,
// configuration, ping. A component of the controller core (doc/design.md §11): it reads
// the state and changes nothing, so a passive controller answers them too (HandlerRole
// kRead). The core queues them behind every other request of a batch (query_queue.h).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/base/clock.h"
#include "common/config/config.h"
#include "common/proto/messages.h"
#include "controller/handler_table.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

// The filter's users, partitions, names and states (not its job ids) match `j`.
bool JobMatches(const proto::JobFilter& filter, const Job& j);
// Job ids as a user names them: an array's id stands for all its tasks (sorted, unique;
// an unknown id is kept).
std::vector<uint64_t> ExpandArrayIds(const ClusterState& state, const std::vector<uint64_t>& ids);
// The jobs `filter` names (its job ids, else every job), that match it.
std::vector<const Job*> SelectJobs(const ClusterState& state, const proto::JobFilter& filter);

// The audit record matches the query's since, user and entity (queries.cc).
bool AuditMatches(const proto::QueryAuditRequest& q, const proto::AuditRecord& r);

class Queries {
 public:
  // What a query shows of the core beside the state.
  struct View {
    std::function<uint64_t()> state_seq;  // the last journal record
    std::function<uint64_t()> epoch;      // the controller's epoch
    // The nodes talk to this controller (an active one): a passive, which hears no node
    // daemon, shows every node as responding.
    std::function<bool()> hears_nodes;
  };

  Queries(const ClusterConfig& config, const ClusterState& state, Clock& clock, View view)
      : config_(config), state_(state), clock_(clock), view_(std::move(view)) {}

  Status AddHandlers(HandlerTable* table);

  proto::Frame QueryJobs(const proto::Frame& f) const;
  proto::Frame QuerySteps(const proto::Frame& f) const;
  proto::Frame QueryNodes(const proto::Frame& f) const;
  proto::Frame QueryPartitions(const proto::Frame& f) const;
  proto::Frame QueryConfig() const;
  proto::Frame QueryAudit(const proto::Frame& f) const;
  // hprio and hshare (priority_queries.cc).
  proto::Frame QueryPriority(const proto::Frame& f) const;
  proto::Frame QueryShare() const;

 private:
  proto::Frame QueryJobsUnpaged(const proto::QueryJobsRequest& req, bool finished_wanted) const;
  proto::JobInfo ToInfo(const Job& j) const;
  proto::NodeInfo ToInfo(size_t index) const;

  const ClusterConfig& config_;
  const ClusterState& state_;
  Clock& clock_;
  View view_;
};

}  // namespace herd::ctld
