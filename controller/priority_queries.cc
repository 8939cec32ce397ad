// herd — hprio's and hshare's queries: the pending jobs' priority factors and the
// fair-share tree, computed on the state as the scheduler computes them.
#include <algorithm>

#include "common/proto/codec.h"
#include "controller/queries.h"
#include "controller/sched/priority.h"

namespace herd::ctld {

using proto::Frame;

Frame Queries::QueryPriority(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryPriorityRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  const PriorityConfig& pc = config_.priority;
  proto::QueryPriorityReply rep;
  rep.multifactor = pc.multifactor;
  rep.weight_age = pc.weight_age;
  rep.weight_fairshare = pc.weight_fairshare;
  rep.weight_job_size = pc.weight_job_size;
  rep.weight_partition = pc.weight_partition;
  rep.weight_qos = pc.weight_qos;
  proto::JobFilter filter;
  filter.job_ids = req->job_ids;
  filter.users = req->users;
  filter.partitions = req->partitions;
  filter.states = {proto::JobState::kPending};
  const std::vector<const Job*> jobs = SelectJobs(state_, filter);
  if (jobs.empty()) return proto::MakeFrame(rep, 0);
  const PriorityCalculator calc(state_, clock_.NowSeconds());
  for (const Job* j : jobs) {
    const PriorityFactors pf = calc.Of(*j);
    proto::PriorityInfo i;
    i.job_id = j->id;
    i.partition = j->partition.str();
    i.user = j->user.str();
    i.account = j->spec.account.str();
    i.priority = pf.priority;
    i.admin_set = j->admin_priority != 0;
    i.age = pf.age;
    i.fairshare = pf.fairshare;
    i.job_size = pf.job_size;
    i.partition_factor = pf.partition;
    i.qos = pf.qos;
    i.nice = pf.nice;
    rep.jobs.push_back(std::move(i));
  }
  return proto::MakeFrame(rep, 0);
}

Frame Queries::QueryShare() const {
  proto::QueryShareReply rep;
  rep.fair_tree = config_.priority.fair_tree;
  const AssocShares shares(state_.assoc());
  const FairShare fs(shares, UsageAt(state_, clock_.NowSeconds()), rep.fair_tree);
  for (const ShareRow& r : fs.rows()) {
    proto::ShareInfo i;
    i.account = r.account;
    i.user = r.user;
    i.depth = r.depth;
    i.raw_shares = r.raw_shares;
    i.norm_shares = r.norm_shares;
    i.raw_usage = r.raw_usage;
    i.effective_usage = r.effective_usage;
    i.fairshare = r.fairshare;
    i.level_fs = r.level_fs;
    rep.rows.push_back(std::move(i));
  }
  return proto::MakeFrame(rep, 0);
}

}  // namespace herd::ctld
