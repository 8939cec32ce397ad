// herd — a pending job's priority. priority/basic: by submission (a newer job ranks
// lower), nice lowering it. priority/multifactor (Slurm's names, doc/scheduling.md): each
// factor is 0..1 and the priority is the sum of weight x factor, minus nice:
// - age: the time since submission over PriorityMaxAge, at most 1;
// - fair-share: of the job's (account, user), fairshare.h;
// - job size: (nodes / the cluster's nodes + cpus / the cluster's cpus) / 2, or with
//   PriorityFavorSmall=YES ((N + 1 - nodes) / N + (C + 1 - cpus) / C) / 2, so a one-cpu job
//   gets 1; with PriorityFlags=SMALL_RELATIVE_TO_TIME the cpu fraction over the time
//   limit in minutes (1 - that when favoring small);
// - partition: the partition's PriorityJobFactor over the highest one;
// - QOS: the job's QOS Priority= over the highest QOS priority (sched/assoc_shares.h).
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>

#include "controller/sched/assoc_shares.h"
#include "controller/sched/fairshare.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

struct PriorityFactors {
  double age = 0, fairshare = 0, job_size = 0, partition = 0, qos = 0;
  int64_t nice = 0;
  uint32_t priority = 0;  // what the scheduler orders by
};

class PriorityCalculator {
 public:
  // `shares`: nullptr for the state's associations (AssocShares). The state's usage is
  // decayed to `now` and the running jobs' usage so far added.
  PriorityCalculator(const ClusterState& state, int64_t now, const ShareSource* shares = nullptr);
  PriorityCalculator(const PriorityCalculator&) = delete;
  PriorityCalculator& operator=(const PriorityCalculator&) = delete;

  PriorityFactors Of(const Job& job) const;
  const FairShare& fairshare() const { return *fairshare_; }

 private:
  // Pooled strings have one address per text: per-pass caches keyed by address.
  using Assoc = std::pair<const std::string*, const std::string*>;  // account, user
  struct AssocHash {
    size_t operator()(const Assoc& a) const {
      return std::hash<const void*>()(a.first) * 31 + std::hash<const void*>()(a.second);
    }
  };

  const ClusterState& state_;
  const PriorityConfig& conf_;
  int64_t now_;
  AssocShares assoc_shares_;
  const ShareSource& shares_;
  QosFactor qos_;
  double nodes_ = 1, cpus_ = 1;
  double max_job_factor_ = 1;
  std::unique_ptr<FairShare> fairshare_;
  mutable std::unordered_map<Assoc, double, AssocHash> fairshare_of_;
  mutable std::unordered_map<const std::string*, double> partition_of_;
  mutable std::unordered_map<const std::string*, double> qos_of_;
};

// The fair-share usage of each (account, user) at `now`: the state's, decayed, plus what
// the running jobs used so far; (account, user) of pending jobs listed with 0.
std::map<FairShare::Key, double> UsageAt(const ClusterState& state, int64_t now);

// priority/basic: newer jobs rank lower; nice lowers further.
uint32_t BasicPriority(const Job& job);

}  // namespace herd::ctld
