// herd — array tasks named by task id (task_ids.h).
#include "controller/task_ids.h"

#include <map>

#include "common/proto/array_tasks.h"

namespace herd::ctld {

namespace {
// The tasks of the array split off into records of their own: task id -> job id. Every
// task has an id from the array's on.
std::map<uint32_t, uint64_t> TaskRecords(const ClusterState& state, uint64_t array_job_id) {
  std::map<uint32_t, uint64_t> out;
  for (auto it = state.jobs().lower_bound(array_job_id); it != state.jobs().end(); ++it) {
    const Job& j = it->second;
    if (j.array_job_id == array_job_id && j.array_task_id != proto::kNoArrayTask) {
      out[j.array_task_id] = j.id;
    }
  }
  return out;
}

// The pending tasks of `array` the selector names, ascending.
std::vector<uint32_t> PendingNamed(const Job& array, const std::vector<proto::ArrayRange>& sel) {
  std::vector<uint32_t> out;
  for (const proto::ArrayRange& r : array.array_pending) {
    const uint32_t step = r.step == 0 ? 1 : r.step;
    for (uint64_t t = r.first; t <= r.last; t += step) {
      if (proto::HasTask(sel, static_cast<uint32_t>(t))) out.push_back(static_cast<uint32_t>(t));
    }
  }
  return out;
}
}  // namespace

Result<std::vector<NamedTask>> ResolveTaskIds(const ClusterState& state, Journal& journal,
                                              const std::vector<proto::ArrayTaskIds>& selectors,
                                              const std::function<Status(const Job&)>& may_split) {
  std::vector<NamedTask> out;
  for (const proto::ArrayTaskIds& sel : selectors) {
    const uint64_t aid = sel.array_job_id;
    std::map<uint32_t, uint64_t> named;  // task id -> record (0: refused, see `refusal`)
    Status refusal;
    const Job* array = state.FindJob(aid);
    if (array != nullptr && array->array_job_id == aid && array->IsArrayRemainder()) {
      std::vector<uint32_t> pending = PendingNamed(*array, sel.tasks);
      if (!pending.empty()) refusal = may_split(*array);
      if (!pending.empty() && refusal.ok()) {
        ArrayTasksSplit e;
        e.array_job_id = aid;
        uint64_t next = state.next_job_id();
        const bool all = pending.size() == proto::TaskCount(array->array_pending);
        for (size_t i = 0; i < pending.size(); i++) {
          // The last task of the remainder keeps the array's record (as a start does).
          const bool last = all && i + 1 == pending.size();
          e.tasks.emplace_back(pending[i], last ? aid : next++);
        }
        HERD_RETURN_IF_ERROR(journal.Emit(e));
      }
      for (uint32_t t : pending) named[t] = 0;
    }
    if (refusal.ok()) named.clear();  // split: their records are found below
    for (const auto& [task, id] : TaskRecords(state, aid)) {
      if (proto::HasTask(sel.tasks, task)) named[task] = id;
    }
    if (named.empty() && proto::TaskCount(sel.tasks) == 1) {
      out.push_back({aid, proto::MinTask(sel.tasks), 0, NotFound("Invalid job id specified")});
      continue;
    }
    for (const auto& [task, id] : named) {
      out.push_back({aid, task, id, id != 0 ? Status::Ok() : refusal});
    }
  }
  return out;
}

Result<proto::CancelJobsReply> ActOnNamed(const ClusterState& state, Journal& journal,
                                          const proto::JobFilter& filter,
                                          const std::function<Status(const Job&)>& may_split,
                                          const std::function<Status(const Job*)>& act) {
  proto::CancelJobsReply rep;
  auto answer = [&rep](proto::JobActionResult r, const Status& s) {
    r.code = static_cast<int32_t>(s.code());
    r.message = s.message();
    rep.results.push_back(std::move(r));
  };
  auto tasks = ResolveTaskIds(state, journal, filter.task_ids, may_split);
  if (!tasks.ok()) return tasks.error();
  for (const NamedTask& t : *tasks) {
    proto::JobActionResult r;
    r.job_id = t.job_id;
    r.array_job_id = t.array_job_id;
    r.array_task_id = t.task_id;
    answer(r, t.job_id == 0 ? t.status : act(state.FindJob(t.job_id)));
  }
  for (uint64_t id : filter.job_ids) {
    proto::JobActionResult r;
    r.job_id = id;
    answer(r, act(state.FindJob(id)));
  }
  return rep;
}

}  // namespace herd::ctld
