// herd — the scheduling pass.
#include "controller/sched/scheduler.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_set>

#include "controller/sched/assoc_limits.h"
#include "controller/sched/backfill.h"
#include "controller/sched/partition_rules.h"
#include "controller/sched/placement.h"
#include "controller/sched/priority.h"

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
                         uint64_t, uint32_t, uint32_t, uint32_t, uint32_t, bool, std::string>;
Shape ShapeOf(const Job& j) {
  const SpecRecord& s = j.spec;
  return {j.partition.str(), s.nodelist.str(),  s.exclude.str(), s.constraints,
          s.mem_per_node_mb, s.mem_per_cpu_mb,  s.min_nodes,     s.max_nodes,
          s.cpus_per_task,   s.ntasks_per_node, s.exclusive,     s.reservation.str()};
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

uint32_t JobPriority(const Job& job) { return BasicPriority(job); }

namespace {

// priority/multifactor: by the partitions' PriorityTier, then priority, then id.
void SortByPriority(const ClusterState& state, int64_t now, const ShareSource* shares,
                    std::vector<const Job*>* pending, SchedulePlan* plan) {
  PriorityCalculator calc(state, now, shares);
  struct Ranked {
    uint32_t tier, priority;
    const Job* job;
  };
  std::vector<Ranked> ranked;
  ranked.reserve(pending->size());
  plan->priorities.reserve(pending->size());
  for (const Job* j : *pending) {
    const PartitionConfig* p = state.FindPartition(j->partition.str());
    const uint32_t priority = calc.Of(*j).priority;
    ranked.push_back({p ? p->priority : 0, priority, j});
    plan->priorities.emplace_back(j->id, priority);
  }
  std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.tier != b.tier) return a.tier > b.tier;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.job->id < b.job->id;
  });
  for (size_t i = 0; i < ranked.size(); ++i) (*pending)[i] = ranked[i].job;
}

// Why `job` may not be tried at all this pass (held, dependency, throttle, partition);
// kNone when it may.
// Tasks of each array a plan starts: with those running, within the array's throttle (its
// remainder and its tasks split off pending are records of their own).
using ArrayPlanned = std::map<uint64_t, uint64_t>;

bool ThrottleReached(const ClusterState& state, const Job& job, const ArrayPlanned& planned) {
  if (job.array_throttle == 0 || job.array_job_id == 0) return false;
  auto it = planned.find(job.array_job_id);
  const uint64_t starts = it == planned.end() ? 0 : it->second;
  return state.ArrayTasksRunning(job.array_job_id) + starts >= job.array_throttle;
}

// --reservation: deleted or ended (ReservationDeleted), or its window still to come.
PendingReason ResvWaits(const ClusterState& state, const Job& job, int64_t now) {
  const proto::Reservation* r = state.FindReservation(job.spec.reservation.str());
  if (r == nullptr) return PendingReason::kReservationDeleted;
  auto w = proto::ResvWindow(*r, now);
  if (!w) return PendingReason::kReservationDeleted;
  return w->first > now ? PendingReason::kReservation : PendingReason::kNone;
}

PendingReason Waits(const ClusterState& state, const Job& job, const ArrayPlanned& planned,
                    int64_t now) {
  if (job.hold != HoldKind::kNone) {
    if (job.hold == HoldKind::kUser) return PendingReason::kJobHeldUser;
    return job.hold == HoldKind::kAdmin ? PendingReason::kJobHeldAdmin
                                        : PendingReason::kLaunchFailedRequeuedHeld;
  }
  if (job.wait != PendingReason::kNone) return job.wait;  // --dependency, --begin
  if (job.awaiting_kill) return PendingReason::kRequeued;
  // The remainder, or a task split off it pending (held or cancelled by task id).
  if (job.state == JobState::kPending && ThrottleReached(state, job, planned)) {
    return PendingReason::kJobArrayTaskLimit;
  }
  if (!job.spec.reservation.empty()) {
    if (PendingReason r = ResvWaits(state, job, now); r != PendingReason::kNone) return r;
  }
  return PartitionHolds(state, job);
}

}  // namespace

SchedulePlan Schedule(const ClusterState& state, int64_t now, const ShareSource* shares) {
  const SchedConfig& sc = state.config().sched;
  SchedulePlan plan;
  PlannedUse planned;
  Backfill backfill(state, now);
  std::vector<const Job*> pending;
  for (const auto& [id, job] : state.jobs()) {
    if (job.state == JobState::kPending) pending.push_back(&job);
  }
  const bool multifactor = state.config().priority.multifactor;
  bool any_nice =
      std::any_of(pending.begin(), pending.end(), [](const Job* j) { return j->spec.nice != 0; });
  const bool any_admin = std::any_of(pending.begin(), pending.end(),
                                     [](const Job* j) { return j->admin_priority != 0; });
  if (multifactor) {
    SortByPriority(state, now, shares, &pending, &plan);
  } else if (any_admin) {  // Priority= set by an admin: by the priority hqueue shows
    std::stable_sort(pending.begin(), pending.end(), [](const Job* a, const Job* b) {
      return BasicPriority(*a) > BasicPriority(*b);
    });
  } else if (any_nice) {
    std::stable_sort(pending.begin(), pending.end(), [](const Job* a, const Job* b) {
      return a->spec.nice < b->spec.nice;  // ids ascend already
    });
  }
  // Partitions where a job did not fit (its nice): the jobs behind it there wait
  // (sched/builtin) or may only backfill (sched/backfill).
  std::map<std::string, int32_t> stopped;
  uint32_t tried = 0, bf_tried = 0;
  ArrayPlanned array_planned;  // tasks of each array this plan starts
  // For the jobs tried as backfill: the cpus free in a partition (until the next start),
  // and the jobs that did not fit.
  std::map<std::string, uint64_t> room;
  NoFit no_fit;
  // AccountingStorageEnforce=limits: the state's usage, plus this plan's starts.
  std::optional<AssocCounters> usage;
  if (state.config().enforce.limits) usage = state.assoc_usage();
  auto limited = [&](const Job& job) {
    return usage ? RunLimitReason(state.assoc(), *usage, job) : PendingReason::kNone;
  };
  // A job that waits for resources, with a reservation when backfill makes one.
  auto reserve = [&](const Job& job) {
    std::optional<Reservation> r;
    if (sc.backfill) r = backfill.Reserve(job, planned);
    const PendingReason held = backfill.HeldByAdminResv(job, planned);
    plan.reasons.emplace_back(job.id,
                              held != PendingReason::kNone ? held : PendingReason::kResources);
    if (!r) return;
    std::vector<std::string> nodes;
    for (const NodeAlloc& a : r->alloc) nodes.push_back(a.node);
    plan.reservations.push_back({job.id, r->start, std::move(nodes)});
    backfill.Add(std::move(*r));
  };
  const PriorityConfig& pc = state.config().priority;
  const bool reserve_aged = multifactor && sc.backfill && sc.bf_reserve_aged;
  auto aged = [&](const Job& job) {
    return reserve_aged && now - job.submit_time >= std::max<int64_t>(pc.max_age_s, 0);
  };
  auto free_cpus = [&](const std::string& partition) {
    auto it = room.find(partition);
    if (it == room.end()) it = room.emplace(partition, FreeCpus(state, partition, planned)).first;
    return it->second;
  };
  auto start = [&](const Job& job, std::vector<NodeAlloc> alloc) {
    room.clear();
    planned.Take(state, alloc);
    backfill.Started(job, alloc);
    if (usage) usage->PlanStart(job, HeldTres(alloc));
    if (job.array_job_id != 0) array_planned[job.array_job_id]++;
    plan.starts.push_back({job.id, std::move(alloc)});
  };
  // bf_reserve_aged: the jobs whose age factor reached 1 go first, oldest first (among
  // them the factors no longer tell who waited longest): each starts now or gets a
  // reservation that every other job of the pass respects.
  std::vector<const Job*> old;
  for (size_t i = 0; reserve_aged && i < pending.size(); ++i) {
    if (aged(*pending[i]) &&
        Waits(state, *pending[i], array_planned, now) == PendingReason::kNone &&
        limited(*pending[i]) == PendingReason::kNone) {
      old.push_back(pending[i]);
    }
  }
  std::stable_sort(old.begin(), old.end(), [](const Job* a, const Job* b) {
    return std::tie(a->submit_time, a->id) < std::tie(b->submit_time, b->id);
  });
  std::unordered_set<uint64_t> aged_done;
  for (const Job* job : old) {
    if (bf_tried >= sc.bf_max_job_test) break;
    ++bf_tried;
    auto placed = backfill.PlaceNow(*job, planned);
    if (placed.ok()) {
      start(*job, std::move(*placed));
    } else if (placed.error().code() == Code::kResourceExhausted) {
      reserve(*job);
    } else {
      continue;  // the main loop gives the reason
    }
    aged_done.insert(job->id);
  }
  for (const Job* job : pending) {
    if (!aged_done.empty() && aged_done.count(job->id) != 0) continue;
    if (PendingReason r = Waits(state, *job, array_planned, now); r != PendingReason::kNone) {
      plan.reasons.emplace_back(job->id, r);
      continue;
    }
    // A job its limits hold back stops nothing: the jobs behind it are tried as usual.
    if (PendingReason r = limited(*job); r != PendingReason::kNone) {
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
      // An array's remainder starts as many of its tasks as fit (and its throttle and
      // limits allow) in this one pass: each start of the plan splits off its next task.
      uint64_t tasks = job->IsArrayRemainder() ? proto::TaskCount(job->array_pending) : 1;
      while (placed.ok()) {
        start(*job, std::move(*placed));
        if (--tasks == 0 || ThrottleReached(state, *job, array_planned)) break;
        if (limited(*job) != PendingReason::kNone) break;
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
    reserve(*job);
  }
  // A job submitted behind a stopped partition's first job waits without a pass, unless
  // backfill may still start it there.
  // With priority/multifactor a later job may outrank the blocked one (fair-share, QOS):
  // every submission asks for a pass.
  for (const auto& [partition, nice] : stopped) {
    if (multifactor) break;
    if (!sc.backfill || bf_tried >= sc.bf_max_job_test || free_cpus(partition) == 0) {
      plan.blocked.emplace(partition, nice);
    }
  }
  return plan;
}

}  // namespace herd::ctld
