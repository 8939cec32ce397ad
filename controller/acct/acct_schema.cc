// herd — the accounting schema and its migrations. A migration is never edited once
// released: a new version appends one. Each runs in the transaction that records the
// new version, so a crash in the middle leaves the database at the version before.
#include <algorithm>
#include <string>
#include <vector>

#include "controller/acct/acct_store.h"

namespace herd::ctld::acct {
namespace {

// Version 1: the tables.
const char* const kV1[] = {
    "CREATE TABLE jobs (cluster TEXT NOT NULL, job_id BIGINT NOT NULL, array_job_id BIGINT,"
    " array_task_id BIGINT, name TEXT NOT NULL, uid BIGINT NOT NULL, user_name TEXT NOT NULL,"
    " gid BIGINT NOT NULL, account TEXT NOT NULL, qos TEXT NOT NULL, part TEXT NOT NULL,"
    " submit_time BIGINT NOT NULL, eligible_time BIGINT NOT NULL, start_time BIGINT NOT NULL,"
    " end_time BIGINT NOT NULL, state INTEGER NOT NULL, reason TEXT NOT NULL,"
    " exit_status INTEGER NOT NULL, derived_exit INTEGER NOT NULL, nodes TEXT NOT NULL,"
    " nnodes INTEGER NOT NULL, alloc_cpus INTEGER NOT NULL, alloc_mem_mb BIGINT NOT NULL,"
    " req_cpus INTEGER NOT NULL, req_mem_mb BIGINT NOT NULL, req_mem_per_cpu INTEGER NOT NULL,"
    " req_nodes INTEGER NOT NULL, time_limit_s BIGINT NOT NULL, work_dir TEXT NOT NULL,"
    " submit_line TEXT NOT NULL, priority BIGINT NOT NULL, restarts INTEGER NOT NULL,"
    " batch INTEGER NOT NULL, PRIMARY KEY (cluster, job_id))",
    "CREATE TABLE steps (cluster TEXT NOT NULL, job_id BIGINT NOT NULL, step_id BIGINT NOT NULL,"
    " name TEXT NOT NULL, state INTEGER NOT NULL, start_time BIGINT NOT NULL,"
    " end_time BIGINT NOT NULL, exit_status INTEGER NOT NULL, nodes TEXT NOT NULL,"
    " nnodes INTEGER NOT NULL, ntasks INTEGER NOT NULL, alloc_cpus INTEGER NOT NULL,"
    " user_cpu_us BIGINT, sys_cpu_us BIGINT, max_rss_kb BIGINT, max_rss_node TEXT,"
    " max_rss_task BIGINT, ave_rss_kb BIGINT, max_vmsize_kb BIGINT, disk_read BIGINT,"
    " disk_write BIGINT, energy_j BIGINT, PRIMARY KEY (cluster, job_id, step_id))",
    "CREATE TABLE node_events (cluster TEXT NOT NULL, node TEXT NOT NULL,"
    " time_start BIGINT NOT NULL, time_end BIGINT NOT NULL, state TEXT NOT NULL,"
    " reason TEXT NOT NULL, reason_uid BIGINT NOT NULL,"
    " PRIMARY KEY (cluster, node, time_start))",
};

// Version 2: indexes for hacct's usual queries (a user's jobs over a window, a window of
// the whole cluster, by name as workflow tools poll).
const char* const kV2[] = {
    "CREATE INDEX jobs_by_user_end ON jobs (cluster, uid, end_time)",
    "CREATE INDEX jobs_by_end ON jobs (cluster, end_time)",
    "CREATE INDEX jobs_by_name ON jobs (cluster, name)",
};

// Version 3: hourly rollups of allocated CPU time for hreport (acct_rollup.cc), filled
// from the jobs already stored by the same transaction.
const char* const kV3[] = {
    "CREATE TABLE usage_hourly (cluster TEXT NOT NULL, hour BIGINT NOT NULL,"
    " account TEXT NOT NULL, user_name TEXT NOT NULL, uid BIGINT NOT NULL,"
    " cpus BIGINT NOT NULL, cpu_s BIGINT NOT NULL,"
    " PRIMARY KEY (cluster, hour, account, user_name, cpus))",
};

struct Migration {
  const char* const* statements;
  size_t count;
  Status (AcctStore::*then)();  // run after the statements, in the same transaction
};
const Migration kMigrations[] = {
    {kV1, sizeof(kV1) / sizeof(kV1[0]), nullptr},
    {kV2, sizeof(kV2) / sizeof(kV2[0]), nullptr},
    {kV3, sizeof(kV3) / sizeof(kV3[0]), &AcctStore::RollAllJobs},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

}  // namespace

Result<int> AcctStore::SchemaVersion() {
  HERD_RETURN_IF_ERROR(conn_->Exec(
      "CREATE TABLE IF NOT EXISTS herd_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)"));
  std::vector<SqlRow> rows;
  HERD_RETURN_IF_ERROR(
      Prepared("SELECT value FROM herd_meta WHERE name = 'schema_version'", {}, &rows));
  if (rows.empty()) return 0;
  return static_cast<int>(rows[0].AsInt(0));
}

Status AcctStore::Migrate(int target) {
  HERD_ASSIGN_OR_RETURN(int have, SchemaVersion());
  if (have > kSchemaVersion) {
    return FailedPrecondition("the accounting database has schema version " + std::to_string(have) +
                              ", newer than this herd's " + std::to_string(kSchemaVersion));
  }
  schema_ = std::max(have, target);
  for (int v = have + 1; v <= target; ++v) {
    HERD_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
    Status s;
    const Migration& m = kMigrations[v - 1];
    for (size_t i = 0; i < m.count && s.ok(); ++i) s = conn_->Exec(m.statements[i]);
    if (s.ok() && m.then != nullptr) s = (this->*m.then)();
    if (s.ok()) {
      s = Prepared(
          "INSERT INTO herd_meta (name, value) VALUES ('schema_version', $1)"
          " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          {SqlValue::Int(v)}, nullptr);
    }
    if (s.ok()) s = conn_->Exec("COMMIT");
    if (!s.ok()) {
      (void)conn_->Exec("ROLLBACK");
      return Status(s.code(), "migrating the accounting schema to version " + std::to_string(v) +
                                  ": " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace herd::ctld::acct
