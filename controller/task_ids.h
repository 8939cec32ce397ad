// herd — array tasks named by their task ids in a request ("123_4", "123_[1-5,7]";
// proto::JobFilter::task_ids): which records they are, once the pending ones among them
// are split off their array's remainder (one journaled ArrayTasksSplit per array), so that
// a cancel or hold then acts on each task as on any job (doc/arrays.md).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"
#include "controller/journal.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

// One task named: its record (job_id 0 when there is none, with why in `status`).
struct NamedTask {
  uint64_t array_job_id = 0;
  uint32_t task_id = proto::kNoArrayTask;
  uint64_t job_id = 0;
  Status status;
};

// The tasks the selectors name that exist, in order; a selector of one task id names it
// even when it does not exist (NotFound "Invalid job id specified", as Slurm). Pending
// tasks are split off when `may_split(array record)` allows it, else they carry its
// refusal. An error: the split could not be journaled.
Result<std::vector<NamedTask>> ResolveTaskIds(const ClusterState& state, Journal& journal,
                                              const std::vector<proto::ArrayTaskIds>& selectors,
                                              const std::function<Status(const Job&)>& may_split);

// The answers of an action on the jobs and array tasks `filter` names by id, in order: the
// tasks (resolved as ResolveTaskIds does), then the job ids, each `act` on its record
// (nullptr: there is none). An error: a split could not be journaled.
Result<proto::CancelJobsReply> ActOnNamed(const ClusterState& state, Journal& journal,
                                          const proto::JobFilter& filter,
                                          const std::function<Status(const Job&)>& may_split,
                                          const std::function<Status(const Job*)>& act);

}  // namespace herd::ctld
