// herd — what the jobs not finished hold of each association and QOS, for the limits
// (doc/associations.md): per user association (user, account), per account (its own
// jobs; the subtree is summed when a Grp limit asks), per QOS and per (QOS, user). Jobs
// pending or running count towards the submit limits (an array's pending remainder as
// its tasks, as Slurm counts them for MaxSubmitJobs); running jobs towards the job and
// TRES limits. Derived from the jobs only: ClusterState keeps it as jobs come, start and
// end, and rebuilds it on Restore, so it is never journaled and cannot drift from them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "controller/state/job.h"

namespace herd::ctld {

// The TRES a job asks for or holds: cpus, memory (MB), nodes.
struct JobTres {
  int64_t cpu = 0;
  int64_t mem = 0;
  int64_t node = 0;
  // By Slurm's TRES names ("cpu", "mem", "node"); 0 for any other.
  int64_t Get(const std::string& name) const;
};
// What a pending job asks for at least (its running allocation when it has one).
JobTres RequestedTres(const Job& job);
// What an allocation holds.
JobTres HeldTres(const std::vector<NodeAlloc>& alloc);

struct UsageCount {
  int64_t submit = 0;   // pending and running jobs (array tasks each)
  int64_t running = 0;  // running jobs
  JobTres tres;         // held by the running ones
};

class AssocCounters {
 public:
  // A job becomes live (submitted) or stops being live (ended): `weight` jobs.
  void Live(const Job& job, int delta);
  // A job starts (delta +1, with what it holds) or stops running (-1).
  void Running(const Job& job, int delta);
  // A job that will start, as a scheduling pass plans it.
  void PlanStart(const Job& job, const JobTres& held);
  void Clear();

  const UsageCount& User(const std::string& user, const std::string& account) const;
  // The account's own jobs (not those of the accounts under it).
  const UsageCount& Account(const std::string& account) const;
  const UsageCount& Qos(const std::string& qos) const;
  const UsageCount& QosUser(const std::string& qos, const std::string& user) const;
  const std::map<std::string, UsageCount>& accounts() const { return accounts_; }

 private:
  void Add(const Job& job, int64_t submit, int64_t running, const JobTres& tres, int sign);

  std::map<std::pair<std::string, std::string>, UsageCount> users_;  // (user, account)
  std::map<std::string, UsageCount> accounts_;
  std::map<std::string, UsageCount> qos_;
  std::map<std::pair<std::string, std::string>, UsageCount> qos_users_;  // (qos, user)
};

}  // namespace herd::ctld
