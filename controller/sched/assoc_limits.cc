// herd — AccountingStorageEnforce: accounts, QOS and limits.
#include "controller/sched/assoc_limits.h"

#include <functional>

namespace herd::ctld {
namespace {

using proto::AssocLimits;
using proto::kNoLimit;

bool Over(int64_t limit, int64_t used, int64_t more) {
  return limit != kNoLimit && used + more > limit;
}

// The user association's limits and, for its Max* limits, those it inherits: the
// nearest of the user's own, its account's, the account's parent's, ...
struct AssocView {
  const AssocLimits* user = nullptr;  // the user association's own
  int64_t max_jobs = kNoLimit;
  int64_t max_submit = kNoLimit;
  int64_t max_wall_s = kNoLimit;
  proto::TresMap max_tres_per_job;
};

AssocView ViewOf(const AssocTree& tree, const std::string& user, const std::string& account) {
  AssocView v;
  if (const proto::UserRecord* u = tree.FindUser(user); u != nullptr) {
    auto it = u->accounts.find(account);
    if (it != u->accounts.end()) v.user = &it->second.limits;
  }
  auto inherit = [&v](const AssocLimits& l) {
    if (v.max_jobs == kNoLimit) v.max_jobs = l.max_jobs;
    if (v.max_submit == kNoLimit) v.max_submit = l.max_submit;
    if (v.max_wall_s == kNoLimit) v.max_wall_s = l.max_wall_s;
    for (const auto& [name, n] : l.max_tres_per_job) v.max_tres_per_job.emplace(name, n);
  };
  if (v.user != nullptr) inherit(*v.user);
  for (std::string a = account; !a.empty(); a = tree.Parent(a)) {
    const proto::AccountRecord* rec = tree.FindAccount(a);
    if (rec == nullptr) break;
    inherit(rec->limits);
  }
  return v;
}

// What the jobs of `account` and the accounts under it hold.
UsageCount SubtreeUsage(const AssocTree& tree, const AssocCounters& usage,
                        const std::string& account) {
  UsageCount sum;
  for (const auto& [name, u] : usage.accounts()) {
    for (std::string a = name; !a.empty(); a = tree.Parent(a)) {
      if (a != account) continue;
      sum.submit += u.submit;
      sum.running += u.running;
      sum.tres.cpu += u.tres.cpu;
      sum.tres.mem += u.tres.mem;
      sum.tres.node += u.tres.node;
      break;
    }
  }
  return sum;
}

// Calls `f` with the Grp limits and usage of the user association, then of each account
// from the job's up to root, until it returns true.
void ForEachGrp(const AssocTree& tree, const AssocCounters& usage, const Job& job,
                const std::function<bool(const AssocLimits&, const UsageCount&)>& f) {
  const std::string& user = job.user.str();
  const std::string& account = job.spec.account.str();
  AssocView v = ViewOf(tree, user, account);
  if (v.user != nullptr && f(*v.user, usage.User(user, account))) return;
  for (std::string a = account; !a.empty(); a = tree.Parent(a)) {
    const proto::AccountRecord* rec = tree.FindAccount(a);
    if (rec == nullptr) return;
    const AssocLimits& l = rec->limits;
    if (l.grp_jobs == kNoLimit && l.grp_submit == kNoLimit && l.grp_tres.empty()) continue;
    if (f(l, SubtreeUsage(tree, usage, a))) return;
  }
}

int64_t TresLimit(const proto::TresMap& m, const char* name) {
  auto it = m.find(name);
  return it == m.end() ? kNoLimit : it->second;
}

struct TresReasons {
  PendingReason cpu, mem, node;
};

// The first TRES of `req` that `limits` (with `used` held already) does not leave room
// for; kNone when all fit.
PendingReason TresOver(const proto::TresMap& limits, const JobTres& used, const JobTres& req,
                       const TresReasons& r) {
  if (Over(TresLimit(limits, "cpu"), used.cpu, req.cpu)) return r.cpu;
  if (Over(TresLimit(limits, "mem"), used.mem, req.mem)) return r.mem;
  if (Over(TresLimit(limits, "node"), used.node, req.node)) return r.node;
  return PendingReason::kNone;
}

const TresReasons kQosGrp{PendingReason::kQosGrpCpuLimit, PendingReason::kQosGrpMemLimit,
                          PendingReason::kQosGrpNodeLimit};
const TresReasons kQosPerJob{PendingReason::kQosMaxCpuPerJobLimit,
                             PendingReason::kQosMaxMemoryPerJob,
                             PendingReason::kQosMaxNodePerJobLimit};
const TresReasons kAssocGrp{PendingReason::kAssocGrpCpuLimit, PendingReason::kAssocGrpMemLimit,
                            PendingReason::kAssocGrpNodeLimit};
const TresReasons kAssocPerJob{PendingReason::kAssocMaxCpuPerJobLimit,
                               PendingReason::kAssocMaxMemPerJobLimit,
                               PendingReason::kAssocMaxNodePerJobLimit};

}  // namespace

Status ResolveAssoc(const AssocTree& tree, const AcctEnforce& enforce, const std::string& user,
                    std::string* account, std::string* qos) {
  if (!enforce.associations) return Status::Ok();
  if (account->empty()) *account = tree.DefaultAccount(user);
  if (account->empty() || !tree.MayUse(user, *account)) return InvalidArgument(kInvalidAccount);
  if (qos->empty()) *qos = "normal";
  if (tree.FindQos(*qos) == nullptr) return InvalidArgument(kInvalidQos);
  return Status::Ok();
}

int64_t EffectiveMaxWall(const AssocTree& tree, const std::string& user, const std::string& account,
                         const std::string& qos) {
  if (const proto::QosRecord* q = tree.FindQos(qos); q && q->limits.max_wall_s != kNoLimit) {
    return q->limits.max_wall_s;
  }
  return ViewOf(tree, user, account).max_wall_s;
}

Status CheckSubmitLimits(const AssocTree& tree, const AssocCounters& usage, const Job& job,
                         int64_t tasks, std::string* which) {
  const std::string& user = job.user.str();
  const std::string& qos_name = job.spec.qos.str();
  if (const proto::QosRecord* q = tree.FindQos(qos_name); q != nullptr) {
    if (Over(q->limits.max_submit, usage.QosUser(qos_name, user).submit, tasks)) {
      *which = "QOSMaxSubmitJobPerUserLimit";
    } else if (Over(q->limits.grp_submit, usage.Qos(qos_name).submit, tasks)) {
      *which = "QOSGrpSubmitJobsLimit";
    }
  }
  const std::string& account = job.spec.account.str();
  if (which->empty() &&
      Over(ViewOf(tree, user, account).max_submit, usage.User(user, account).submit, tasks)) {
    *which = "AssocMaxSubmitJobLimit";
  }
  if (which->empty()) {
    ForEachGrp(tree, usage, job, [&](const AssocLimits& l, const UsageCount& u) {
      if (Over(l.grp_submit, u.submit, tasks)) *which = "AssocGrpSubmitJobsLimit";
      return !which->empty();
    });
  }
  if (which->empty()) return Status::Ok();
  return ResourceExhausted(kSubmitLimit);
}

PendingReason RunLimitReason(const AssocTree& tree, const AssocCounters& usage, const Job& job) {
  const std::string& user = job.user.str();
  const std::string& account = job.spec.account.str();
  const std::string& qos_name = job.spec.qos.str();
  const JobTres req = RequestedTres(job);
  const int64_t wall = job.time_limit_s;
  // The QOS's limits first: in Slurm they override the association's.
  if (const proto::QosRecord* q = tree.FindQos(qos_name); q != nullptr) {
    const AssocLimits& l = q->limits;
    if (l.max_wall_s != kNoLimit && (wall < 0 || wall > l.max_wall_s)) {
      return PendingReason::kQosMaxWallDurationPerJobLimit;
    }
    PendingReason r = TresOver(l.max_tres_per_job, JobTres{}, req, kQosPerJob);
    if (r != PendingReason::kNone) return r;
    const UsageCount& all = usage.Qos(qos_name);
    if (Over(l.grp_jobs, all.running, 1)) return PendingReason::kQosGrpJobsLimit;
    if (Over(l.max_jobs, usage.QosUser(qos_name, user).running, 1)) {
      return PendingReason::kQosMaxJobsPerUserLimit;
    }
    r = TresOver(l.grp_tres, all.tres, req, kQosGrp);
    if (r != PendingReason::kNone) return r;
  }
  const AssocView v = ViewOf(tree, user, account);
  if (v.max_wall_s != kNoLimit && (wall < 0 || wall > v.max_wall_s)) {
    return PendingReason::kAssocMaxWallDurationPerJobLimit;
  }
  PendingReason r = TresOver(v.max_tres_per_job, JobTres{}, req, kAssocPerJob);
  if (r != PendingReason::kNone) return r;
  if (Over(v.max_jobs, usage.User(user, account).running, 1)) {
    return PendingReason::kAssocMaxJobsLimit;
  }
  ForEachGrp(tree, usage, job, [&](const AssocLimits& l, const UsageCount& u) {
    r = Over(l.grp_jobs, u.running, 1) ? PendingReason::kAssocGrpJobsLimit
                                       : TresOver(l.grp_tres, u.tres, req, kAssocGrp);
    return r != PendingReason::kNone;
  });
  return r;
}

}  // namespace herd::ctld
