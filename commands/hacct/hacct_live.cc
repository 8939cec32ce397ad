// herd hacct — merging the controller's jobs into the stored ones.
#include "commands/hacct/hacct_live.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace herd::hacct {
namespace {

using ctld::acct::JobQuery;
using ctld::acct::JobRow;

template <class T>
bool AnyOf(const std::vector<T>& wanted, const T& v) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), v) != wanted.end();
}

bool InWindow(const JobRow& r, const JobQuery& q) {
  const int64_t end = q.end > 0 ? q.end : INT64_MAX;
  if (q.states.empty()) {
    if (r.submit_time > end) return false;
    return q.start <= 0 || r.end_time == 0 || r.end_time >= q.start;
  }
  for (int st : q.states) {
    if (st == static_cast<int>(proto::JobState::kPending)) {
      if (r.submit_time <= end && (r.start_time == 0 || r.start_time >= q.start)) return true;
    } else if (st == static_cast<int>(proto::JobState::kRunning)) {
      if (r.start_time > 0 && r.start_time <= end && (r.end_time == 0 || r.end_time >= q.start))
        return true;
    } else if (r.state == st && r.end_time >= std::max<int64_t>(q.start, 1) && r.end_time <= end) {
      return true;
    }
  }
  return false;
}

}  // namespace

JobRow RowOf(const proto::JobInfo& j) {
  JobRow r;
  r.job_id = j.job_id;
  if (j.array_task_id != proto::kNoArrayTask) {
    r.array_job_id = static_cast<int64_t>(j.array_job_id);
    r.array_task_id = j.array_task_id;
  }
  r.name = j.name;
  r.uid = j.uid;
  r.user = j.user;
  r.gid = j.gid;
  r.partition = j.partition;
  r.submit_time = r.eligible_time = j.submit_time;
  // A pending job has not started: its StartTime is only the scheduler's expectation.
  r.start_time = j.state == proto::JobState::kPending ? 0 : j.start_time;
  r.end_time = j.end_time;
  r.state = static_cast<int>(j.state);
  r.reason = j.reason == "None" ? "" : j.reason;
  r.exit_status = j.exit_signal != 0 ? j.exit_signal : (j.exit_code & 0xff) << 8;
  r.nodes = j.start_time > 0 ? j.nodelist : "";
  r.nnodes = j.num_nodes;
  r.req_nodes = j.num_nodes;
  r.alloc_cpus = j.start_time > 0 ? j.num_cpus : 0;
  r.req_cpus = j.num_cpus;
  r.alloc_mem_mb = j.start_time > 0 ? j.mem_mb * j.num_nodes : 0;
  r.req_mem_mb = j.mem_mb;
  r.time_limit_s = j.time_limit_s;
  r.work_dir = j.work_dir;
  r.account = j.account;
  r.qos = j.qos;
  r.submit_line = j.submit_line;
  r.priority = j.priority;
  r.restarts = j.restarts;
  return r;
}

bool Matches(const JobRow& r, const JobQuery& q) {
  return AnyOf(q.job_ids, r.job_id) && AnyOf(q.uids, r.uid) && AnyOf(q.accounts, r.account) &&
         AnyOf(q.names, r.name) && AnyOf(q.partitions, r.partition) &&
         (!q.job_ids.empty() || InWindow(r, q));
}

std::vector<JobRow> MergeLive(std::vector<JobRow> stored, const std::vector<proto::JobInfo>& live,
                              const JobQuery& q) {
  // `stored` is by job id (AcctStore::Jobs); the controller's few thousand jobs at most
  // are looked up in it, the new ones added and the whole sorted again only then.
  const auto by_id = [](const JobRow& a, const JobRow& b) { return a.job_id < b.job_id; };
  std::vector<JobRow> added;
  for (const proto::JobInfo& info : live) {
    JobRow now = RowOf(info);
    auto it = std::lower_bound(stored.begin(), stored.end(), now, by_id);
    if (it == stored.end() || it->job_id != now.job_id) {
      if (Matches(now, q)) added.push_back(std::move(now));
      continue;
    }
    JobRow& r = *it;  // what the controller knows now, over what was stored
    r.state = now.state;
    r.reason = now.reason;
    r.start_time = now.start_time;
    r.end_time = now.end_time;
    r.exit_status = now.exit_status;
    r.nodes = now.nodes;
    r.nnodes = now.nnodes;
    if (now.start_time > 0) r.alloc_cpus = now.alloc_cpus;
    r.priority = now.priority;
    r.restarts = now.restarts;
  }
  if (added.empty()) return stored;
  std::sort(added.begin(), added.end(), by_id);
  const auto middle = static_cast<std::ptrdiff_t>(stored.size());
  for (JobRow& r : added) stored.push_back(std::move(r));
  std::inplace_merge(stored.begin(), stored.begin() + middle, stored.end(), by_id);
  if (q.limit > 0 && stored.size() > q.limit) stored.resize(q.limit);
  return stored;
}

}  // namespace herd::hacct
