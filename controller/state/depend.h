// herd — job dependencies (--dependency): Slurm's syntax parsed, each condition tested
// against the record of the job it names, and the tracker that keeps every pending job's
// answer current as the jobs it waits on change.
//
// Nothing here is journaled: what a dependency waits for is derived from the journaled
// states of the jobs it names (and their start and end times), so a restarted controller or
// a new active one finds the same answer. What could not be derived is kept instead: a
// finished job stays in the state while a pending job still depends on it (see
// DependencyTracker::HasWaiters), so "afterok on a job that failed" never turns into "on a
// job that is gone" after a restart.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "controller/state/job.h"

namespace herd::ctld {

enum class DepType : uint8_t { kAfter, kAfterAny, kAfterOk, kAfterNotOk, kSingleton };

struct DepItem {
  DepType type = DepType::kAfterAny;
  uint64_t job_id = 0;   // 0 for singleton
  uint32_t minutes = 0;  // "+N": after only, as Slurm (accepted and shown on the others)
  // "123_4": task 4 of array 123 alone (job_id is the array's).
  uint32_t task = proto::kNoArrayTask;
  // "123" or "123_4", as Slurm shows it.
  std::string Target() const;
};

struct DepList {
  bool any = false;  // '?' anywhere: one satisfied item is enough (Slurm's OR flag)
  std::vector<DepItem> items;
};

// Slurm's --dependency syntax: "type:id[+min][:id...]" items joined by ',' (all) or '?'
// (any), "singleton", or a bare job id (afterany). An id may name one task of an array
// ("123_4"): the item waits for that task alone. aftercorr and afterburstbuffer are
// refused with a message saying why. Errors read "Job dependency problem: ...".
Result<DepList> ParseDependency(const std::string& text);

// The checks of a new job's dependency against the jobs known (`find`; ids from
// `next_id` on are not given yet): afterok and afternotok on a job herd does not know
// (any more) are refused, as Slurm refuses them when it cannot tell how that job ended;
// after and afterany on one are lifted at once.
Status CheckDependencyTargets(const DepList& d, uint64_t next_id,
                              const std::function<const Job*(uint64_t)>& find);

enum class DepOutcome : uint8_t { kWaiting, kSatisfied, kFailed };

// One item (not singleton) against its job's record; nullptr: that job is gone, and the
// item is lifted, as Slurm does. When satisfied, *ready_at is when (after+N: N minutes after
// the job started, or was cancelled before it did; else 0).
DepOutcome ItemOutcome(const DepItem& d, const Job* target, int64_t* ready_at);

// "afterok", "singleton", ...
const char* DepTypeName(DepType t);

// Keeps, for every pending job that has not started yet, whether its dependencies and
// --begin let it start (Job::wait), and which pending jobs each job is waited on by, so
// that a change of one job re-tests only the jobs that name it (no scan of all jobs).
class DependencyTracker {
 public:
  using Jobs = std::map<uint64_t, Job>;
  // `array_live`: per job array, its tasks split off and not finished (ClusterState's).
  DependencyTracker(const ClusterConfig& config, Jobs& jobs,
                    const std::unordered_map<uint64_t, uint32_t>& array_live)
      : config_(config), jobs_(jobs), array_live_(array_live) {}

  // A job was recorded (submission applied).
  void Added(Job& j);
  // A job started, ended or was requeued: it and the jobs waiting on it are tested again.
  void Changed(Job& j);
  // A job's name changed (scontrol update): singleton groups follow it.
  void Renamed(Job& j, const std::string& old_name);
  // Forgotten (MinJobAge): its entries go.
  void Forgotten(uint64_t id);
  // Everything derived again from the jobs (after a checkpoint was loaded).
  void Rebuild();

  // Whether a pending job still depends on job `id` (it must not be forgotten yet).
  bool HasWaiters(uint64_t id) const;
  // Moves the clock the tests use; the jobs whose --begin or after+N time has come are
  // tested again. Returns whether one may now start.
  bool AdvanceTime(int64_t now);
  // When AdvanceTime next has something to do (INT64_MAX: nothing).
  int64_t NextWake() const;
  // Pending jobs whose dependency can never be satisfied and that are to be cancelled
  // (--kill-on-invalid-dep=yes, or DependencyParameters=kill_invalid_depend).
  const std::set<uint64_t>& invalid() const { return invalid_; }

  // What a pending job still waits for, as Slurm shows it ("afterok:4(unfulfilled)"), or
  // "" when nothing.
  std::string Describe(const Job& j) const;

 private:
  struct Group {
    std::set<uint64_t> live;  // jobs of this user and name not finished
    uint32_t singletons = 0;  // pending jobs of the group with a singleton item
  };
  static std::string GroupKey(const Job& j);
  static bool HasSingleton(const DepList& d);
  // Tests one job again and sets its wait reason; arms a timer when it waits for a time.
  void Evaluate(Job& j);
  DepOutcome Combine(const Job& j, const DepList& d, int64_t* ready_at) const;
  // One item (not singleton): ItemOutcome, or the whole array's when it names one, or one
  // task's (pending in its array's remainder: waiting; not there at all: lifted).
  DepOutcome Outcome(const DepItem& d, int64_t* ready_at) const;
  void IndexTask(const Job& j);
  void NoteArrayTask(const Job& j);
  bool SingletonWaits(const Job& j) const;
  void Track(Job& j);         // parse and index a pending job's dependency
  void Untrack(uint64_t id);  // it left pending for good
  void JoinGroup(const Job& j);
  void LeaveGroup(const Job& j, const std::string& key);
  void EvaluateGroup(const std::string& key);

  const ClusterConfig& config_;
  Jobs& jobs_;
  const std::unordered_map<uint64_t, uint32_t>& array_live_;
  std::set<uint64_t> arrays_not_ok_;  // arrays with a task that ended not COMPLETED
  // Array tasks with a record of their own: (array job id, task id) -> job id.
  std::map<std::pair<uint64_t, uint32_t>, uint64_t> task_records_;
  int64_t now_ = 0;
  std::unordered_map<uint64_t, DepList> deps_;                   // pending, not yet started
  std::unordered_map<uint64_t, std::vector<uint64_t>> waiters_;  // job -> jobs naming it
  std::unordered_map<std::string, Group> groups_;                // only with a singleton
  std::set<uint64_t> invalid_;
  using Timer = std::pair<int64_t, uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
};

}  // namespace herd::ctld
