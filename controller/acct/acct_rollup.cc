// herd — the hourly rollups hreport reads: the allocated CPU time of ended jobs, per hour
// (UTC hour boundaries), account, user and job size, maintained as the jobs' rows are
// stored (in Put's transaction), so a report sums a few rows per hour instead of scanning
// every job. The job's stored row, read before it is replaced, says what was rolled
// already: a row sent again (after a restart or a failover) adds nothing, and a job whose
// run changed takes its old figures back before adding the new ones.
#include <algorithm>

#include "controller/acct/acct_store.h"

namespace herd::ctld::acct {
namespace {

using V = SqlValue;
constexpr int64_t kHour = 3600;

}  // namespace

void AcctStore::AddUsage(const JobRow& j, int sign) {
  for (int64_t hour = j.start_time - j.start_time % kHour; hour < j.end_time; hour += kHour) {
    const int64_t secs = std::min(j.end_time, hour + kHour) - std::max(j.start_time, hour);
    if (secs <= 0) continue;
    usage_delta_[{cluster_, hour, j.account, j.user, j.uid, j.alloc_cpus}] +=
        sign * secs * static_cast<int64_t>(j.alloc_cpus);
  }
}

Status AcctStore::FlushUsage() {
  // A batch's jobs mostly share a few hours: one upsert per hour, account, user and size
  // instead of one per job and hour.
  static const std::string sql =
      "INSERT INTO usage_hourly (cluster, hour, account, user_name, uid, cpus, cpu_s)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cluster, hour, account, user_name, cpus)"
      " DO UPDATE SET cpu_s = usage_hourly.cpu_s + excluded.cpu_s";
  Status s;
  for (const auto& entry : usage_delta_) {
    const UsageKey& k = entry.first;
    if (entry.second == 0) continue;
    s = Prepared(sql,
                 {V::Text(std::get<0>(k)), V::Int(std::get<1>(k)), V::Text(std::get<2>(k)),
                  V::Text(std::get<3>(k)), V::Int(std::get<4>(k)), V::Int(std::get<5>(k)),
                  V::Int(entry.second)},
                 nullptr);
    if (!s.ok()) break;
  }
  usage_delta_.clear();
  return s;
}

Status AcctStore::RollJob(const JobRow& j) {
  // Called before the job's row is replaced: the stored row says what was rolled already
  // (an ended row has been). The same run sent again adds nothing; a run that changed
  // takes the old figures back; a row that was not ended (pending, running, or requeued
  // after a run already counted) rolls the new run only.
  const bool ended = j.start_time > 0 && j.end_time >= j.start_time && j.alloc_cpus != 0;
  std::vector<SqlRow> rows;
  HERD_RETURN_IF_ERROR(
      Prepared("SELECT start_time, end_time, account, user_name, uid, alloc_cpus FROM jobs"
               " WHERE cluster = $1 AND job_id = $2",
               {V::Text(cluster_), V::Int(static_cast<int64_t>(j.job_id))}, &rows));
  if (!rows.empty()) {
    JobRow old;
    old.start_time = rows[0].AsInt(0);
    old.end_time = rows[0].AsInt(1);
    old.account = rows[0].AsText(2);
    old.user = rows[0].AsText(3);
    old.uid = static_cast<uint32_t>(rows[0].AsInt(4));
    old.alloc_cpus = static_cast<uint32_t>(rows[0].AsInt(5));
    const bool old_ended = old.start_time > 0 && old.end_time >= old.start_time && old.end_time > 0;
    if (old_ended && old.start_time == j.start_time && old.end_time == j.end_time &&
        old.account == j.account && old.user == j.user && old.alloc_cpus == j.alloc_cpus) {
      return Status::Ok();  // sent again: already counted
    }
    if (old_ended && ended) AddUsage(old, -1);
    if (old_ended && !ended) return Status::Ok();  // requeued: its run stays counted
  }
  if (ended && j.end_time > 0) AddUsage(j, +1);
  return Status::Ok();
}

Status AcctStore::RollAllJobs() {
  // Every cluster's ended jobs (the migration that creates the rollups runs once for the
  // database, which clusters may share); only the columns a rollup needs are read.
  const std::string own = cluster_;
  Status s = PreparedEach(
      "SELECT cluster, start_time, end_time, account, user_name, uid, alloc_cpus FROM jobs"
      " WHERE end_time > 0 AND start_time > 0",
      {}, [this](const SqlRow& r) {
        JobRow j;
        cluster_ = r.AsText(0);
        j.start_time = r.AsInt(1);
        j.end_time = r.AsInt(2);
        j.account = r.AsText(3);
        j.user = r.AsText(4);
        j.uid = static_cast<uint32_t>(r.AsInt(5));
        j.alloc_cpus = static_cast<uint32_t>(r.AsInt(6));
        AddUsage(j, +1);
      });
  cluster_ = own;
  if (!s.ok()) {
    usage_delta_.clear();
    return s;
  }
  return FlushUsage();
}

Result<std::vector<UsageRow>> AcctStore::Usage(int64_t start, int64_t end) {
  std::vector<UsageRow> out;
  HERD_RETURN_IF_ERROR(PreparedEach(
      "SELECT account, user_name, uid, cpus, SUM(cpu_s) FROM usage_hourly WHERE cluster = $1"
      " AND hour >= $2 AND hour < $3 GROUP BY account, user_name, uid, cpus"
      " ORDER BY account, user_name, cpus",
      {V::Text(cluster_), V::Int(start), V::Int(end)}, [&out](const SqlRow& r) {
        UsageRow u;
        u.account = r.AsText(0);
        u.user = r.AsText(1);
        u.uid = static_cast<uint32_t>(r.AsInt(2));
        u.cpus = static_cast<uint32_t>(r.AsInt(3));
        u.cpu_s = r.AsInt(4);
        if (u.cpu_s != 0) out.push_back(std::move(u));
      }));
  return out;
}

}  // namespace herd::ctld::acct
