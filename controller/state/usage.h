// herd — fair-share usage: the CPU-seconds each user used under each account, decayed
// with PriorityDecayHalfLife. Folded in when a run ends (JobEnded, JobRequeued), so it is
// a function of the journal: replayed on recovery, replicated to the passive, and kept in
// the checkpoint (ClusterState's snapshot, version 2). A run's usage counts from its end;
// the runs in progress are added by the reader (sched/priority.h) until then.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace herd::ctld {

// One association's usage: `cpu_s` as it was at time `at` (wall clock seconds).
struct AssocUsage {
  double cpu_s = 0;
  int64_t at = 0;

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& cpu_s& at;
  }
};

// `u` decayed to `now` with a half-life of `half_life_s` seconds (0: no decay).
inline double DecayedUsage(const AssocUsage& u, int64_t now, int64_t half_life_s) {
  if (half_life_s <= 0 || now <= u.at) return u.cpu_s;
  return u.cpu_s * std::exp2(-static_cast<double>(now - u.at) / static_cast<double>(half_life_s));
}

class UsageTable {
 public:
  using Key = std::pair<std::string, std::string>;  // account ("" = default), user

  // Adds `cpu_s` CPU-seconds used by `user` under `account`, ending at `t`.
  void Add(const std::string& account, const std::string& user, double cpu_s, int64_t t,
           int64_t half_life_s) {
    AssocUsage& u = usage_[Key(account, user)];
    const int64_t at = std::max(t, u.at);
    u.cpu_s = DecayedUsage(u, at, half_life_s) + cpu_s;
    u.at = at;
  }
  const std::map<Key, AssocUsage>& entries() const { return usage_; }
  void Clear() { usage_.clear(); }

  template <class A>
  void serialize(A& ar, unsigned) {
    ar& usage_;
  }

 private:
  std::map<Key, AssocUsage> usage_;
};

}  // namespace herd::ctld
