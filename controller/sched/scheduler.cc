// herd — the scheduling pass.
#include "controller/sched/scheduler.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "controller/sched/backfill.h"
#include "controller/sched/partition_rules.h"
#include "controller/sched/placement.h"

namespace herd::ctld {
namespace {

// The cpus free now on the usable nodes of `partition` (after the plan's starts): a job
// asking for more cannot start there.
uint64_t FreeCpus(const ClusterState& state, const std::string& partition,
                  const PlannedUse& planned) {
  const PartitionConfig* part = state.config().FindPartition(partition);
  if (part == nullptr) return 0;
  uint64_t free = 0;
  for (const auto& name : part->nodes) {
    const int idx = state.NodeIndex(name);
    if (idx < 0 || !NodeUsable(state.nodes()[static_cast<size_t>(idx)])) continue;
    const PlannedUse::Use* p = planned.Find(static_cast<size_t>(idx));
    const std::vector<bool>& used =
        p ? p->cpu_used : state.nodes()[static_cast<size_t>(idx)].cpu_used;
    free += static_cast<uint64_t>(std::count(used.begin(), used.end(), false));
  }
  return free;
}

// The fewest cpus `job` can run on.
uint64_t MinCpus(const Job& job) {
  const SpecRecord& s = job.spec;
  const uint64_t tasks = std::max<uint64_t>({s.num_tasks, s.min_nodes, 1});
  return tasks * std::max<uint32_t>(1, s.cpus_per_task);
}

// What a placement depends on besides the task count and the time limit. Among jobs of
// one shape, a job with as many tasks or more and as long a limit or longer than one that
// could not start in this pass cannot either: the plan only takes resources, more tasks
// need more, and a longer job must keep off more reservations.
using Shape = std::tuple<std::string, std::string, std::string, std::vector<std::string>, uint64_t,
                         uint64_t, uint32_t, uint32_t, uint32_t, uint32_t, bool>;
Shape ShapeOf(const Job& j) {
  const SpecRecord& s = j.spec;
  return {j.partition.str(), s.nodelist.str(),  s.exclude.str(), s.constraints,
          s.mem_per_node_mb, s.mem_per_cpu_mb,  s.min_nodes,     s.max_nodes,
          s.cpus_per_task,   s.ntasks_per_node, s.exclusive};
}

class NoFit {
 public:
  bool Covers(const Shape& shape, const Job& job) const {
    auto it = failed_.find(shape);
    if (it == failed_.end()) return false;
    const auto [tasks, limit] = Key(job);
    for (const auto& f : it->second) {
      if (f.first <= tasks && f.second <= limit) return true;
    }
    return false;
  }
  void Add(Shape shape, const Job& job) { failed_[std::move(shape)].push_back(Key(job)); }

 private:
  static std::pair<uint32_t, int64_t> Key(const Job& job) {
    return {job.spec.num_tasks, job.time_limit_s < 0 ? INT64_MAX : job.time_limit_s};
  }
  std::map<Shape, std::vector<std::pair<uint32_t, int64_t>>> failed_;
};

}  // namespace

uint32_t JobPriority(const Job& job) {
  // As a basic priority: newer jobs rank lower; nice lowers further.
  int64_t p = 4294901759LL - static_cast<int64_t>(job.id % 4000000000ULL) - job.spec.nice;
  return static_cast<uint32_t>(std::clamp<int64_t>(p, 1, 4294967295LL));
}

SchedulePlan Schedule(const ClusterState& state, int64_t now) {
  const SchedConfig& sc = state.config().sched;
  SchedulePlan plan;
  PlannedUse planned;
  Backfill backfill(state, now);
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
  // Partitions where a job did not fit (its nice): the jobs behind it there wait
  // (sched/builtin) or may only backfill (sched/backfill).
  std::map<std::string, int32_t> stopped;
  uint32_t tried = 0, bf_tried = 0;
  // Tasks of each array this plan starts: with those running, within the array's throttle
  // (its remainder and its tasks split off pending are records of their own).
  std::map<uint64_t, uint64_t> array_planned;
  // For the jobs tried as backfill: the cpus free in a partition (until the next start),
  // and the jobs that did not fit.
  std::map<std::string, uint64_t> room;
  NoFit no_fit;
  auto free_cpus = [&](const std::string& partition) {
    auto it = room.find(partition);
    if (it == room.end()) it = room.emplace(partition, FreeCpus(state, partition, planned)).first;
    return it->second;
  };
  for (const Job* job : pending) {
    if (job->hold != HoldKind::kNone) {
      plan.reasons.emplace_back(job->id, job->hold == HoldKind::kUser
                                             ? PendingReason::kJobHeldUser
                                             : PendingReason::kJobHeldAdmin);
      continue;
    }
    if (job->wait != PendingReason::kNone) {  // --dependency, --begin (state/depend.h)
      plan.reasons.emplace_back(job->id, job->wait);
      continue;
    }
    if (job->awaiting_kill) {
      plan.reasons.emplace_back(job->id, PendingReason::kRequeued);
      continue;
    }
    // The remainder, or a task split off it pending (held or cancelled by task id): both
    // count against the array's throttle.
    if (job->array_throttle != 0 && job->array_job_id != 0 && job->state == JobState::kPending &&
        state.ArrayTasksRunning(job->array_job_id) + array_planned[job->array_job_id] >=
            job->array_throttle) {
      plan.reasons.emplace_back(job->id, PendingReason::kJobArrayTaskLimit);
      continue;
    }
    if (PendingReason r = PartitionHolds(state, *job); r != PendingReason::kNone) {
      plan.reasons.emplace_back(job->id, r);
      continue;
    }
    // In priority order up to default_queue_depth jobs; behind a job that did not fit, or
    // past that depth, only backfill (up to bf_max_job_test jobs).
    const bool behind = stopped.count(job->partition) > 0 || tried >= sc.default_queue_depth;
    if (behind && (!sc.backfill || bf_tried >= sc.bf_max_job_test)) {
      if (!stopped.count(job->partition)) plan.more = true;  // left for another pass
      plan.reasons.emplace_back(job->id, PendingReason::kPriority);
      continue;
    }
    std::optional<Shape> shape;
    if (behind) {
      if (free_cpus(job->partition) < MinCpus(*job) ||
          no_fit.Covers(*(shape = ShapeOf(*job)), *job)) {
        plan.reasons.emplace_back(job->id, PendingReason::kPriority);
        continue;
      }
    }
    ++(behind ? bf_tried : tried);
    auto placed = backfill.PlaceNow(*job, planned);
    if (placed.ok()) {
      room.clear();
      // An array's remainder starts as many of its tasks as fit (and its throttle allows)
      // in this one pass: each start of the plan splits off its next task.
      uint64_t tasks = job->IsArrayRemainder() ? proto::TaskCount(job->array_pending) : 1;
      uint64_t running =
          state.ArrayTasksRunning(job->array_job_id) + array_planned[job->array_job_id];
      while (placed.ok()) {
        planned.Take(state, *placed);
        backfill.Started(*job, *placed);
        plan.starts.push_back({job->id, std::move(*placed)});
        if (job->array_job_id != 0) array_planned[job->array_job_id]++;
        running++;
        if (--tasks == 0 || (job->array_throttle != 0 && running >= job->array_throttle)) break;
        placed = backfill.PlaceNow(*job, planned);
      }
      // Tasks left that do not fit: the jobs behind wait in this pass as behind any job that
      // does not fit (the next pass, planned since the array is still pending, reserves).
      if (!placed.ok() && !behind) stopped.emplace(job->partition, job->spec.nice);
      continue;
    }
    if (placed.error().code() != Code::kResourceExhausted) {
      // Became impossible (nodes removed from the config, ...): it waits with the reason.
      plan.reasons.emplace_back(job->id, PendingReason::kBadConstraints);
      continue;
    }
    if (behind) {
      no_fit.Add(std::move(*shape), *job);
      plan.reasons.emplace_back(job->id, PendingReason::kPriority);
      continue;
    }
    // The first job of its partition that does not fit: with backfill, it gets a
    // reservation that the jobs behind it must not delay.
    stopped.emplace(job->partition, job->spec.nice);
    std::optional<Reservation> r;
    if (sc.backfill) r = backfill.Reserve(*job, planned);
    plan.reasons.emplace_back(job->id, PendingReason::kResources);
    if (r) {
      std::vector<std::string> nodes;
      for (const NodeAlloc& a : r->alloc) nodes.push_back(a.node);
      plan.reservations.push_back({job->id, r->start, std::move(nodes)});
      backfill.Add(std::move(*r));
    }
  }
  // A job submitted behind a stopped partition's first job waits without a pass, unless
  // backfill may still start it there.
  for (const auto& [partition, nice] : stopped) {
    if (!sc.backfill || bf_tried >= sc.bf_max_job_test || free_cpus(partition) == 0) {
      plan.blocked.emplace(partition, nice);
    }
  }
  return plan;
}

}  // namespace herd::ctld
