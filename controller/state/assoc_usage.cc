// herd — what the jobs not finished hold of each association and QOS.
#include "controller/state/assoc_usage.h"

#include <algorithm>

namespace herd::ctld {
namespace {

const UsageCount kNone;

template <class M, class K>
const UsageCount& Find(const M& m, const K& k) {
  auto it = m.find(k);
  return it == m.end() ? kNone : it->second;
}

void AddTo(UsageCount* u, int64_t submit, int64_t running, const JobTres& t, int sign) {
  u->submit += sign * submit;
  u->running += sign * running;
  u->tres.cpu += sign * t.cpu;
  u->tres.mem += sign * t.mem;
  u->tres.node += sign * t.node;
}

bool Empty(const UsageCount& u) {
  return u.submit == 0 && u.running == 0 && u.tres.cpu == 0 && u.tres.mem == 0 && u.tres.node == 0;
}

template <class M, class K>
void Update(M* m, const K& k, int64_t submit, int64_t running, const JobTres& t, int sign) {
  UsageCount& u = (*m)[k];
  AddTo(&u, submit, running, t, sign);
  if (Empty(u)) m->erase(k);
}

// Pending and running jobs this record stands for: an array's remainder, its tasks.
int64_t SubmitWeight(const Job& job) {
  return job.IsArrayRemainder() ? static_cast<int64_t>(proto::TaskCount(job.array_pending)) : 1;
}

}  // namespace

int64_t JobTres::Get(const std::string& name) const {
  if (name == "cpu") return cpu;
  if (name == "mem") return mem;
  if (name == "node") return node;
  return 0;
}

JobTres RequestedTres(const Job& job) {
  if (!job.alloc.empty()) return HeldTres(job.alloc);
  const SpecRecord& s = job.spec;
  JobTres t;
  const int64_t tasks = std::max<int64_t>({s.num_tasks, s.min_nodes, 1});
  t.cpu = tasks * std::max<uint32_t>(1, s.cpus_per_task);
  t.node = std::max<int64_t>(1, s.min_nodes);
  t.mem = s.mem_per_cpu_mb != 0 ? static_cast<int64_t>(s.mem_per_cpu_mb) * t.cpu
                                : static_cast<int64_t>(s.mem_per_node_mb) * t.node;
  return t;
}

JobTres HeldTres(const std::vector<NodeAlloc>& alloc) {
  JobTres t;
  for (const NodeAlloc& a : alloc) {
    t.cpu += static_cast<int64_t>(a.cpus.size());
    t.mem += static_cast<int64_t>(a.mem_mb);
  }
  t.node = static_cast<int64_t>(alloc.size());
  return t;
}

void AssocCounters::Add(const Job& job, int64_t submit, int64_t running, const JobTres& tres,
                     int sign) {
  const std::string& user = job.user.str();
  const std::string& account = job.spec.account.str();
  const std::string& qos = job.spec.qos.str();
  Update(&users_, std::make_pair(user, account), submit, running, tres, sign);
  Update(&accounts_, account, submit, running, tres, sign);
  Update(&qos_, qos, submit, running, tres, sign);
  Update(&qos_users_, std::make_pair(qos, user), submit, running, tres, sign);
}

void AssocCounters::Live(const Job& job, int delta) {
  Add(job, SubmitWeight(job), 0, JobTres{}, delta);
}

void AssocCounters::Running(const Job& job, int delta) { Add(job, 0, 1, HeldTres(job.alloc), delta); }

void AssocCounters::PlanStart(const Job& job, const JobTres& held) {
  // An array's task starting keeps the submit count (the remainder loses what it gains).
  Add(job, 0, 1, held, +1);
}

void AssocCounters::Clear() {
  users_.clear();
  accounts_.clear();
  qos_.clear();
  qos_users_.clear();
}

const UsageCount& AssocCounters::User(const std::string& user, const std::string& account) const {
  return Find(users_, std::make_pair(user, account));
}
const UsageCount& AssocCounters::Account(const std::string& account) const {
  return Find(accounts_, account);
}
const UsageCount& AssocCounters::Qos(const std::string& qos) const { return Find(qos_, qos); }
const UsageCount& AssocCounters::QosUser(const std::string& qos, const std::string& user) const {
  return Find(qos_users_, std::make_pair(qos, user));
}

}  // namespace herd::ctld
