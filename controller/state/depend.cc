// herd — job dependencies (depend.h).
#include "controller/state/depend.h"

#include <algorithm>
#include <climits>

#include "common/base/strings.h"

namespace herd::ctld {
namespace {

Status Problem(const std::string& why) { return InvalidArgument("Job dependency problem: " + why); }

// "123" -> 123; 0 and anything else are refused.
bool ParseId(const std::string& s, uint64_t* id) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *id = std::stoull(s);
  return *id != 0;
}

Status ParseIds(DepType type, const std::string& ids, DepList* out) {
  for (const std::string& one : Split(ids, ':', /*keep_empty=*/true)) {
    DepItem d;
    d.type = type;
    std::string id = one;
    const size_t plus = one.find('+');
    if (plus != std::string::npos) {
      id = one.substr(0, plus);
      uint64_t minutes = 0;
      if (!ParseId(one.substr(plus + 1), &minutes) || minutes > UINT32_MAX / 60) {
        return Problem("'+" + one.substr(plus + 1) + "' is not a number of minutes above 0");
      }
      d.minutes = static_cast<uint32_t>(minutes);
    }
    if (const size_t us = id.find('_'); us != std::string::npos) {  // one task of an array
      uint64_t task = 0;
      const std::string t = id.substr(us + 1);
      if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string::npos ||
          (task = std::stoull(t)) >= proto::kNoArrayTask) {
        return Problem("'" + one + "' is not a job id nor an array task id");
      }
      d.task = static_cast<uint32_t>(task);
      id = id.substr(0, us);
    }
    if (!ParseId(id, &d.job_id)) return Problem("'" + one + "' is not a job id");
    out->items.push_back(d);
  }
  return Status::Ok();
}

Result<DepType> TypeOf(const std::string& word) {
  const std::string w = ToLower(word);
  if (w == "after") return DepType::kAfter;
  if (w == "afterany") return DepType::kAfterAny;
  if (w == "afterok") return DepType::kAfterOk;
  if (w == "afternotok") return DepType::kAfterNotOk;
  if (w == "aftercorr") {
    return Problem("aftercorr (task by task between arrays) is not supported by herd yet");
  }
  if (w == "afterburstbuffer") return Problem("herd has no burst buffers (afterburstbuffer)");
  if (w == "expand") return Problem("herd does not expand jobs (expand)");
  return Problem("unknown dependency type '" + word + "'");
}

const char* OutcomeName(DepOutcome o) {
  switch (o) {
    case DepOutcome::kSatisfied:
      return "fulfilled";
    case DepOutcome::kFailed:
      return "failed";
    case DepOutcome::kWaiting:
      break;
  }
  return "unfulfilled";
}

}  // namespace

const char* DepTypeName(DepType t) {
  switch (t) {
    case DepType::kAfter:
      return "after";
    case DepType::kAfterAny:
      return "afterany";
    case DepType::kAfterOk:
      return "afterok";
    case DepType::kAfterNotOk:
      return "afternotok";
    case DepType::kSingleton:
      return "singleton";
  }
  return "afterany";
}

Result<DepList> ParseDependency(const std::string& text) {
  DepList out;
  if (text.empty()) return Problem("empty dependency");
  if (text.find('?') != std::string::npos) out.any = true;
  // Each part between separators is "singleton", "type:ids" or a bare id (afterany).
  std::string part;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',' && text[i] != '?') {
      part.push_back(text[i]);
      continue;
    }
    if (part.empty()) return Problem("empty item in '" + text + "'");
    const size_t colon = part.find(':');
    if (EqualsIgnoreCase(part, "singleton")) {
      out.items.push_back(DepItem{DepType::kSingleton, 0, 0});
    } else if (colon == std::string::npos) {
      uint64_t id = 0;
      if (!ParseId(part, &id)) return Problem("'" + part + "' is neither a job id nor type:id");
      out.items.push_back(DepItem{DepType::kAfterAny, id, 0});
    } else {
      HERD_ASSIGN_OR_RETURN(DepType type, TypeOf(part.substr(0, colon)));
      HERD_RETURN_IF_ERROR(ParseIds(type, part.substr(colon + 1), &out));
    }
    part.clear();
  }
  // The same type on the same job once (as Slurm keeps them).
  std::vector<DepItem> unique;
  for (const DepItem& d : out.items) {
    auto same = [&d](const DepItem& u) {
      return u.type == d.type && u.job_id == d.job_id && u.task == d.task;
    };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(d);
  }
  out.items = std::move(unique);
  return out;
}

Status CheckDependencyTargets(const DepList& d, uint64_t next_id,
                              const std::function<const Job*(uint64_t)>& find) {
  for (const DepItem& item : d.items) {
    if (item.job_id == 0) continue;
    const std::string name = std::string(DepTypeName(item.type)) + ":" + item.Target();
    if (item.job_id >= next_id) return Problem(name + ": no such job");
    const bool needs_end = item.type == DepType::kAfterOk || item.type == DepType::kAfterNotOk;
    if (needs_end && find(item.job_id) == nullptr) {
      return Problem(name + ": job " + std::to_string(item.job_id) +
                     " is not known (any more): how it ended cannot be told");
    }
  }
  return Status::Ok();
}

std::string DepItem::Target() const {
  return std::to_string(job_id) + (task == proto::kNoArrayTask ? "" : "_" + std::to_string(task));
}

DepOutcome ItemOutcome(const DepItem& d, const Job* t, int64_t* ready_at) {
  *ready_at = 0;
  if (t == nullptr) return DepOutcome::kSatisfied;  // gone: lifted
  const bool finished = proto::IsFinished(t->state);
  const bool ok = t->state == JobState::kCompleted;
  switch (d.type) {
    case DepType::kAfter:
      // Started (once is enough: a requeue does not undo it), or ended without starting.
      if (t->state == JobState::kPending && t->run_seq == 0) return DepOutcome::kWaiting;
      if (d.minutes > 0) {
        const int64_t from = t->start_time > 0 ? t->start_time : t->end_time;
        *ready_at = from + static_cast<int64_t>(d.minutes) * 60;
      }
      return DepOutcome::kSatisfied;
    case DepType::kAfterAny:
      return finished ? DepOutcome::kSatisfied : DepOutcome::kWaiting;
    case DepType::kAfterOk:
      return !finished ? DepOutcome::kWaiting : ok ? DepOutcome::kSatisfied : DepOutcome::kFailed;
    case DepType::kAfterNotOk:
      return !finished ? DepOutcome::kWaiting : ok ? DepOutcome::kFailed : DepOutcome::kSatisfied;
    case DepType::kSingleton:
      break;
  }
  return DepOutcome::kWaiting;
}

// A job array (its record's id) is done when its record has ended (no task left pending,
// the last task ended or the rest cancelled) and no task split off from it is live;
// afterok fails as soon as one task ended otherwise than COMPLETED.
DepOutcome DependencyTracker::Outcome(const DepItem& d, int64_t* ready_at) const {
  auto t = jobs_.find(d.job_id);
  const Job* job = t == jobs_.end() ? nullptr : &t->second;
  if (d.task != proto::kNoArrayTask) {
    auto rec = task_records_.find({d.job_id, d.task});
    auto task = rec == task_records_.end() ? jobs_.end() : jobs_.find(rec->second);
    if (task != jobs_.end()) return ItemOutcome(d, &task->second, ready_at);
    *ready_at = 0;
    const bool pending = job != nullptr && job->array_job_id == d.job_id &&
                         proto::HasTask(job->array_pending, d.task);
    return pending ? DepOutcome::kWaiting : ItemOutcome(d, nullptr, ready_at);
  }
  const bool array = job != nullptr && job->array_job_id == job->id;
  if (!array || d.type == DepType::kAfter) return ItemOutcome(d, job, ready_at);
  *ready_at = 0;
  const bool not_ok = arrays_not_ok_.count(d.job_id) != 0 ||
                      (proto::IsFinished(job->state) && job->state != JobState::kCompleted);
  const bool done = proto::IsFinished(job->state) && array_live_.count(d.job_id) == 0;
  if (d.type == DepType::kAfterOk && not_ok) return DepOutcome::kFailed;
  if (!done) return DepOutcome::kWaiting;
  if (d.type == DepType::kAfterNotOk && !not_ok) return DepOutcome::kFailed;
  return DepOutcome::kSatisfied;
}

// A task of an array ended otherwise than COMPLETED: afterok on the array fails.
void DependencyTracker::NoteArrayTask(const Job& j) {
  if (j.array_job_id != 0 && j.array_job_id != j.id && proto::IsFinished(j.state) &&
      j.state != JobState::kCompleted) {
    arrays_not_ok_.insert(j.array_job_id);
  }
}

std::string DependencyTracker::GroupKey(const Job& j) {
  return std::to_string(j.uid) + ":" + j.spec.name.str();
}

bool DependencyTracker::HasSingleton(const DepList& d) {
  return std::any_of(d.items.begin(), d.items.end(),
                     [](const DepItem& i) { return i.type == DepType::kSingleton; });
}

// Slurm's rule: a singleton job waits while another job of its user and name runs, or is
// pending and was submitted before it.
bool DependencyTracker::SingletonWaits(const Job& j) const {
  auto g = groups_.find(GroupKey(j));
  if (g == groups_.end()) return false;
  const std::set<uint64_t>& live = g->second.live;
  for (uint64_t id : live) {
    if (id == j.id) continue;
    auto o = jobs_.find(id);
    if (o == jobs_.end()) continue;
    if (id < j.id || o->second.state != JobState::kPending) return true;
  }
  return false;
}

DepOutcome DependencyTracker::Combine(const Job& j, const DepList& d, int64_t* ready_at) const {
  bool waiting = false, failed = false, satisfied = false;
  int64_t all_at = 0, any_at = INT64_MAX;
  for (const DepItem& item : d.items) {
    int64_t at = 0;
    DepOutcome o;
    if (item.type == DepType::kSingleton) {
      o = SingletonWaits(j) ? DepOutcome::kWaiting : DepOutcome::kSatisfied;
    } else {
      o = Outcome(item, &at);
    }
    waiting |= o == DepOutcome::kWaiting;
    failed |= o == DepOutcome::kFailed;
    if (o == DepOutcome::kSatisfied) {
      satisfied = true;
      all_at = std::max(all_at, at);
      any_at = std::min(any_at, at);
    }
  }
  if (d.any) {
    *ready_at = satisfied ? any_at : 0;
    return satisfied ? DepOutcome::kSatisfied
           : waiting ? DepOutcome::kWaiting
                     : DepOutcome::kFailed;
  }
  *ready_at = all_at;
  return failed ? DepOutcome::kFailed : waiting ? DepOutcome::kWaiting : DepOutcome::kSatisfied;
}

void DependencyTracker::Evaluate(Job& j) {
  j.wait = PendingReason::kNone;
  invalid_.erase(j.id);
  if (j.state != JobState::kPending) return;
  int64_t at = 0;
  if (auto it = deps_.find(j.id); it != deps_.end()) {
    int64_t ready = 0;
    const DepOutcome o = Combine(j, it->second, &ready);
    if (o == DepOutcome::kFailed) {
      j.wait = PendingReason::kDependencyNeverSatisfied;
      const int8_t kill = j.spec.kill_on_invalid_dep;
      if (kill == 1 || (kill == -1 && config_.kill_invalid_depend)) invalid_.insert(j.id);
      return;
    }
    if (o == DepOutcome::kWaiting) {
      j.wait = PendingReason::kDependency;
      return;
    }
    if (ready > now_) {
      j.wait = PendingReason::kDependency;
      at = ready;
    }
  }
  if (j.wait == PendingReason::kNone && j.spec.begin_time > now_) {
    j.wait = PendingReason::kBeginTime;
    at = j.spec.begin_time;
  }
  if (at > now_) timers_.emplace(at, j.id);
}

void DependencyTracker::JoinGroup(const Job& j) {
  if (groups_.empty()) return;  // no singleton job: no key to build
  auto g = groups_.find(GroupKey(j));
  if (g == groups_.end()) return;
  if (proto::IsFinished(j.state)) {
    g->second.live.erase(j.id);
  } else {
    g->second.live.insert(j.id);
  }
}

void DependencyTracker::LeaveGroup(const Job& j, const std::string& key) {
  auto g = groups_.find(key);
  if (g != groups_.end()) g->second.live.erase(j.id);
}

// The pending singleton jobs of a group: only the first can have become free to start, and
// a job of the group that started makes the first wait again.
void DependencyTracker::EvaluateGroup(const std::string& key) {
  auto g = groups_.find(key);
  if (g == groups_.end()) return;
  const std::vector<uint64_t> ids(g->second.live.begin(), g->second.live.end());
  for (uint64_t id : ids) {
    auto d = deps_.find(id);
    if (d == deps_.end() || !HasSingleton(d->second)) continue;
    Evaluate(jobs_.at(id));
    break;
  }
}

void DependencyTracker::Track(Job& j) {
  auto parsed = ParseDependency(j.spec.dependency);
  if (!parsed.ok()) return;  // checked at submission; a record from elsewhere waits for none
  for (const DepItem& d : parsed->items) {
    if (d.job_id != 0) waiters_[d.job_id].push_back(j.id);
  }
  if (HasSingleton(*parsed)) {
    const std::string key = GroupKey(j);
    auto [g, created] = groups_.try_emplace(key);
    if (created) {  // the group's live jobs, once: from then on every change keeps it
      for (const auto& [id, o] : jobs_) {
        if (!proto::IsFinished(o.state) && o.uid == j.uid && o.spec.name == j.spec.name) {
          g->second.live.insert(id);
        }
      }
    }
    g->second.singletons++;
  }
  deps_[j.id] = std::move(*parsed);
}

void DependencyTracker::Untrack(uint64_t id) {
  auto d = deps_.find(id);
  if (d == deps_.end()) return;
  if (HasSingleton(d->second)) {
    auto j = jobs_.find(id);
    auto g = j == jobs_.end() ? groups_.end() : groups_.find(GroupKey(j->second));
    if (g != groups_.end() && --g->second.singletons == 0) groups_.erase(g);
  }
  deps_.erase(d);
  invalid_.erase(id);
}

void DependencyTracker::IndexTask(const Job& j) {
  if (j.array_job_id != 0 && j.array_task_id != proto::kNoArrayTask) {
    task_records_[{j.array_job_id, j.array_task_id}] = j.id;
  }
}

void DependencyTracker::Added(Job& j) {
  IndexTask(j);
  if (j.state == JobState::kPending && j.run_seq == 0 && !j.spec.dependency.empty()) Track(j);
  JoinGroup(j);
  Evaluate(j);
}

void DependencyTracker::Changed(Job& j) {
  // Started (run_seq counts runs) or ended: its own dependency is behind it.
  if (j.state != JobState::kPending || j.run_seq > 0) Untrack(j.id);
  IndexTask(j);  // the array's record, when its last task started
  JoinGroup(j);
  if (!groups_.empty()) EvaluateGroup(GroupKey(j));
  Evaluate(j);
  NoteArrayTask(j);
  // Those waiting on it, and on its array when it is a task split off from one.
  for (uint64_t named : {j.id, j.array_job_id != j.id ? j.array_job_id : 0}) {
    auto w = named != 0 ? waiters_.find(named) : waiters_.end();
    if (w == waiters_.end()) continue;
    for (uint64_t id : w->second) {
      if (deps_.count(id)) Evaluate(jobs_.at(id));
    }
  }
}

void DependencyTracker::Renamed(Job& j, const std::string& old_name) {
  Job old = j;
  old.spec.name = old_name;
  const std::string old_key = GroupKey(old);
  if (old_key == GroupKey(j)) return;
  const bool singleton = deps_.count(j.id) && HasSingleton(deps_.at(j.id));
  if (singleton) {  // leaves its old group as a singleton job, joins the new one as one
    DepList d = deps_.at(j.id);
    auto g = groups_.find(old_key);
    if (g != groups_.end() && --g->second.singletons == 0) groups_.erase(g);
    deps_.erase(j.id);
    for (const DepItem& item : d.items) {
      if (item.job_id != 0) {
        auto& v = waiters_[item.job_id];
        v.erase(std::remove(v.begin(), v.end(), j.id), v.end());
      }
    }
  }
  LeaveGroup(j, old_key);
  EvaluateGroup(old_key);
  if (singleton) Track(j);
  JoinGroup(j);
  EvaluateGroup(GroupKey(j));
  Evaluate(j);
}

void DependencyTracker::Forgotten(uint64_t id) {
  if (auto j = jobs_.find(id); j != jobs_.end()) {
    task_records_.erase({j->second.array_job_id, j->second.array_task_id});
  }
  waiters_.erase(id);
  arrays_not_ok_.erase(id);
  Untrack(id);
}

void DependencyTracker::Rebuild() {
  deps_.clear();
  waiters_.clear();
  groups_.clear();
  invalid_.clear();
  arrays_not_ok_.clear();
  task_records_.clear();
  timers_ = {};
  for (auto& [id, j] : jobs_) {
    IndexTask(j);
    if (j.state == JobState::kPending && j.run_seq == 0 && !j.spec.dependency.empty()) Track(j);
    NoteArrayTask(j);
  }
  for (auto& [id, j] : jobs_) Evaluate(j);
}

bool DependencyTracker::HasWaiters(uint64_t id) const {
  // A task of an array is kept while jobs wait on its array: how it ended counts.
  auto j = jobs_.find(id);
  if (j != jobs_.end() && j->second.array_job_id != 0 && j->second.array_job_id != id &&
      HasWaiters(j->second.array_job_id)) {
    return true;
  }
  auto w = waiters_.find(id);
  if (w == waiters_.end()) return false;
  return std::any_of(w->second.begin(), w->second.end(),
                     [this](uint64_t d) { return deps_.count(d) != 0; });
}

bool DependencyTracker::AdvanceTime(int64_t now) {
  now_ = std::max(now_, now);
  bool freed = false;
  while (!timers_.empty() && timers_.top().first <= now_) {
    const uint64_t id = timers_.top().second;
    timers_.pop();
    auto j = jobs_.find(id);
    if (j == jobs_.end() || j->second.state != JobState::kPending) continue;
    Evaluate(j->second);
    freed |= j->second.wait == PendingReason::kNone;
  }
  return freed;
}

int64_t DependencyTracker::NextWake() const {
  return timers_.empty() ? INT64_MAX : timers_.top().first;
}

std::string DependencyTracker::Describe(const Job& j) const {
  if (j.state != JobState::kPending) return "";
  auto it = deps_.find(j.id);
  if (it == deps_.end()) return "";
  int64_t ready = 0;
  if (Combine(j, it->second, &ready) == DepOutcome::kSatisfied && ready <= now_) return "";
  std::string out;
  for (const DepItem& item : it->second.items) {
    if (!out.empty()) out += it->second.any ? "?" : ",";
    DepOutcome o;
    if (item.type == DepType::kSingleton) {
      o = SingletonWaits(j) ? DepOutcome::kWaiting : DepOutcome::kSatisfied;
      out += "singleton";
    } else {
      int64_t at = 0;
      o = Outcome(item, &at);
      if (o == DepOutcome::kSatisfied && at > now_) o = DepOutcome::kWaiting;
      out += std::string(DepTypeName(item.type)) + ":" + item.Target();
      if (item.minutes > 0) out += "+" + std::to_string(item.minutes);
    }
    out += std::string("(") + OutcomeName(o) + ")";
  }
  return out;
}

}  // namespace herd::ctld
