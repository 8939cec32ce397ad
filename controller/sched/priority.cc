// herd — a pending job's priority (basic and multifactor).
#include "controller/sched/priority.h"

#include <algorithm>
#include <cmath>

namespace herd::ctld {

uint32_t BasicPriority(const Job& job) {
  if (job.admin_priority != 0) return job.admin_priority;
  int64_t p = 4294901759LL - static_cast<int64_t>(job.id % 4000000000ULL) - job.spec.nice;
  return static_cast<uint32_t>(std::clamp<int64_t>(p, 1, 4294967295LL));
}

std::map<FairShare::Key, double> UsageAt(const ClusterState& state, int64_t now) {
  const int64_t half_life = state.config().priority.decay_half_life_s;
  // The live jobs' associations by the address of their pooled strings first: one
  // string comparison per association, not per job.
  using Assoc = std::pair<const std::string*, const std::string*>;
  struct Hash {
    size_t operator()(const Assoc& a) const {
      return std::hash<const void*>()(a.first) * 31 + std::hash<const void*>()(a.second);
    }
  };
  std::unordered_map<Assoc, double, Hash> live;
  for (const auto& [id, job] : state.jobs()) {
    if (proto::IsFinished(job.state)) continue;
    double& u = live[Assoc(&job.spec.account.str(), &job.user.str())];
    if ((job.state == JobState::kRunning || job.state == JobState::kCompleting) &&
        job.start_time > 0 && now > job.start_time) {
      u += static_cast<double>(AllocCpus(job)) * static_cast<double>(now - job.start_time);
    }
  }
  std::map<FairShare::Key, double> usage;
  for (const auto& [key, u] : state.usage().entries()) {
    usage[key] += DecayedUsage(u, now, half_life);
  }
  for (const auto& [assoc, u] : live) usage[FairShare::Key(*assoc.first, *assoc.second)] += u;
  return usage;
}

PriorityCalculator::PriorityCalculator(const ClusterState& state, int64_t now,
                                       const ShareSource* shares)
    : state_(state),
      conf_(state.config().priority),
      now_(now),
      assoc_shares_(state.assoc()),
      shares_(shares != nullptr ? *shares : assoc_shares_),
      qos_(state.assoc()) {
  const ClusterConfig& c = state.config();
  nodes_ = std::max<double>(1, static_cast<double>(c.nodes.size()));
  double cpus = 0;
  for (const NodeConfig& n : c.nodes) cpus += n.cpus;
  cpus_ = std::max(1.0, cpus);
  max_job_factor_ = 0;
  for (const auto& [name, p] : state.partitions()) {
    max_job_factor_ = std::max<double>(max_job_factor_, p.def.priority_job_factor);
  }
  if (conf_.multifactor && conf_.weight_fairshare > 0) {
    fairshare_ = std::make_unique<FairShare>(shares_, UsageAt(state, now), conf_.fair_tree);
  } else {
    fairshare_ = std::make_unique<FairShare>(EqualShares(), std::map<FairShare::Key, double>(),
                                             conf_.fair_tree);
  }
}

PriorityFactors PriorityCalculator::Of(const Job& job) const {
  PriorityFactors f;
  f.nice = job.spec.nice;
  if (!conf_.multifactor) {
    f.priority = BasicPriority(job);
    return f;
  }
  const int64_t age = std::max<int64_t>(0, now_ - job.submit_time);
  f.age = conf_.max_age_s > 0 ? std::min(1.0, static_cast<double>(age) / conf_.max_age_s) : 0;
  const Assoc assoc(&job.spec.account.str(), &job.user.str());
  auto fs = fairshare_of_.find(assoc);
  if (fs == fairshare_of_.end()) {
    const std::string account = shares_.Account(*assoc.first, *assoc.second);
    fs = fairshare_of_.emplace(assoc, fairshare_->Factor(account, *assoc.second)).first;
  }
  f.fairshare = fs->second;
  const SpecRecord& s = job.spec;
  const double nodes = std::max<uint32_t>(1, s.min_nodes);
  const double cpus = static_cast<double>(std::max<uint64_t>({s.num_tasks, s.min_nodes, 1})) *
                      std::max<uint32_t>(1, s.cpus_per_task);
  if (conf_.small_relative_to_time) {
    const double minutes =
        job.time_limit_s < 0 ? 0 : std::max(1.0, static_cast<double>(job.time_limit_s) / 60);
    const double r = minutes > 0 ? std::min(1.0, cpus / cpus_ / minutes) : 0;
    f.job_size = conf_.favor_small ? 1 - r : r;
  } else if (conf_.favor_small) {
    f.job_size =
        (std::max(0.0, nodes_ + 1 - nodes) / nodes_ + std::max(0.0, cpus_ + 1 - cpus) / cpus_) / 2;
  } else {
    f.job_size = (std::min(1.0, nodes / nodes_) + std::min(1.0, cpus / cpus_)) / 2;
  }
  f.job_size = std::clamp(f.job_size, 0.0, 1.0);
  auto part = partition_of_.find(&job.partition.str());
  if (part == partition_of_.end()) {
    const PartitionConfig* p = state_.FindPartition(job.partition.str());
    part = partition_of_
               .emplace(&job.partition.str(), p != nullptr && max_job_factor_ > 0
                                                  ? p->priority_job_factor / max_job_factor_
                                                  : 0.0)
               .first;
  }
  f.partition = part->second;
  auto qos = qos_of_.find(&s.qos.str());
  if (qos == qos_of_.end()) qos = qos_of_.emplace(&s.qos.str(), qos_.Of(s.qos.str())).first;
  f.qos = qos->second;
  const double sum = conf_.weight_age * f.age + conf_.weight_fairshare * f.fairshare +
                     conf_.weight_job_size * f.job_size + conf_.weight_partition * f.partition +
                     conf_.weight_qos * f.qos;
  const int64_t p = static_cast<int64_t>(std::llround(sum)) - f.nice;
  f.priority = job.admin_priority != 0
                   ? job.admin_priority
                   : static_cast<uint32_t>(std::clamp<int64_t>(p, 1, 4294967295LL));
  return f;
}

}  // namespace herd::ctld
