// herd — the hourly rollups hreport reads: the allocated CPU time of ended jobs, per hour
// (UTC hour boundaries), account, user and job size, maintained as the jobs' rows are
// stored (in Put's transaction), so a report sums a few rows per hour instead of scanning
// every job. `usage_rolled` remembers what each job added, which makes a row sent again
// (after a restart or a failover) add nothing, and lets a job whose run changed take its
// old figures back before adding the new ones.
#include <algorithm>

#include "controller/acct/acct_store.h"

namespace herd::ctld::acct {
namespace {

using V = SqlValue;
constexpr int64_t kHour = 3600;

}  // namespace

Status AcctStore::AddUsage(const JobRow& j, int sign) {
  static const std::string sql =
      "INSERT INTO usage_hourly (cluster, hour, account, user_name, uid, cpus, cpu_s)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cluster, hour, account, user_name, cpus)"
      " DO UPDATE SET cpu_s = usage_hourly.cpu_s + excluded.cpu_s";
  for (int64_t hour = j.start_time - j.start_time % kHour; hour < j.end_time; hour += kHour) {
    const int64_t secs = std::min(j.end_time, hour + kHour) - std::max(j.start_time, hour);
    if (secs <= 0) continue;
    HERD_RETURN_IF_ERROR(Prepared(
        sql,
        {V::Text(cluster_), V::Int(hour), V::Text(j.account), V::Text(j.user), V::Int(j.uid),
         V::Int(j.alloc_cpus), V::Int(sign * secs * static_cast<int64_t>(j.alloc_cpus))},
        nullptr));
  }
  return Status::Ok();
}

Status AcctStore::RollJob(const JobRow& j) {
  if (j.start_time <= 0 || j.end_time < j.start_time || j.alloc_cpus == 0) return Status::Ok();
  std::vector<SqlRow> rows;
  HERD_RETURN_IF_ERROR(
      Prepared("SELECT start_time, end_time, account, user_name, uid, cpus FROM usage_rolled"
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
    if (old.start_time == j.start_time && old.end_time == j.end_time && old.account == j.account &&
        old.user == j.user && old.alloc_cpus == j.alloc_cpus) {
      return Status::Ok();  // sent again: already counted
    }
    HERD_RETURN_IF_ERROR(AddUsage(old, -1));
  }
  HERD_RETURN_IF_ERROR(AddUsage(j, +1));
  return Prepared(
      "INSERT INTO usage_rolled (cluster, job_id, start_time, end_time, account, user_name, uid,"
      " cpus) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (cluster, job_id) DO UPDATE SET"
      " start_time = excluded.start_time, end_time = excluded.end_time, account ="
      " excluded.account, user_name = excluded.user_name, uid = excluded.uid, cpus = excluded.cpus",
      {V::Text(cluster_), V::Int(static_cast<int64_t>(j.job_id)), V::Int(j.start_time),
       V::Int(j.end_time), V::Text(j.account), V::Text(j.user), V::Int(j.uid),
       V::Int(j.alloc_cpus)},
      nullptr);
}

Status AcctStore::RollAllJobs() {
  // Every cluster's ended jobs not rolled yet (the migration runs once for the database,
  // which clusters may share); only the columns a rollup needs are held.
  struct Ended {
    std::string cluster, account, user;
    int64_t job_id, start, end, uid, cpus;
  };
  std::vector<Ended> ended;
  HERD_RETURN_IF_ERROR(PreparedEach(
      "SELECT j.cluster, j.job_id, j.start_time, j.end_time, j.account, j.user_name, j.uid,"
      " j.alloc_cpus FROM jobs j WHERE j.end_time > 0 AND j.start_time > 0 AND NOT EXISTS"
      " (SELECT 1 FROM usage_rolled r WHERE r.cluster = j.cluster AND r.job_id = j.job_id)",
      {}, [&ended](const SqlRow& r) {
        ended.push_back({r.AsText(0), r.AsText(4), r.AsText(5), r.AsInt(1), r.AsInt(2), r.AsInt(3),
                         r.AsInt(6), r.AsInt(7)});
      }));
  const std::string own = cluster_;
  Status s;
  for (const Ended& e : ended) {
    JobRow j;
    j.job_id = static_cast<uint64_t>(e.job_id);
    j.start_time = e.start;
    j.end_time = e.end;
    j.account = e.account;
    j.user = e.user;
    j.uid = static_cast<uint32_t>(e.uid);
    j.alloc_cpus = static_cast<uint32_t>(e.cpus);
    cluster_ = e.cluster;
    s = RollJob(j);
    if (!s.ok()) break;
  }
  cluster_ = own;
  return s;
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
