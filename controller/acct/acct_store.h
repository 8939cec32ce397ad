// herd — the accounting database: a versioned schema over a SqlConn (SQLite or
// PostgreSQL), rows stored idempotently (a row sent again replaces itself, it is never a
// second row), and the queries hacct makes. Used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "controller/acct/acct_purge.h"
#include "controller/acct/acct_record.h"
#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {

// The schema this build writes. Each version's migration is in acct_schema.cc; a database
// of any earlier version is brought up to this one when opened for writing.
constexpr int kSchemaVersion = 3;

struct JobColumn;       // acct_columns.h
struct PurgeSelection;  // acct_archive.h

class AcctStore {
 public:
  // `cluster`: ClusterName; every row carries it, so clusters can share a database.
  AcctStore(std::unique_ptr<SqlConn> conn, std::string cluster);

  // Migrates the schema up to `target` (kSchemaVersion; tests pass older ones). A database
  // newer than this build is refused (kFailedPrecondition).
  Status Migrate(int target = kSchemaVersion);
  // The schema version found in the database (0 = empty).
  Result<int> SchemaVersion();
  // Stores a batch in one transaction: all of it or nothing.
  Status Put(const Batch& batch);
  // Jobs of this cluster matching `q`, by job id, each with its steps when asked.
  Result<std::vector<JobRow>> Jobs(const JobQuery& q);
  // Node state periods matching `q`, by node and start.
  Result<std::vector<NodeEventRow>> NodeEvents(const EventQuery& q);
  // The allocated CPU time of the hours that begin in [start, end) (Unix seconds, whole
  // hours: the rollups are hourly), summed per account, user and job size
  // (acct_rollup.cc).
  Result<std::vector<UsageRow>> Usage(int64_t start, int64_t end);
  // Fills the hourly rollups from every ended job (the schema 3 migration; also for
  // repair). Jobs already rolled are left as they are.
  Status RollAllJobs();
  // Deletes what `policy` purges at `now` (Unix seconds), each kind of record in its own
  // transaction, after writing it to archive files when its Archive* key asks
  // (acct_purge.cc). On an error nothing of that kind is deleted.
  Status Purge(const AcctPurgeConfig& policy, int64_t now, PurgeReport* report);
  // Stores an archive file's rows again (in one transaction, all or none); a row whose key
  // is in the database already is left as it is (acct_archive.cc).
  Result<ArchiveLoad> LoadArchive(const std::string& path);

  SqlConn& conn() { return *conn_; }

 private:
  Status Prepared(const std::string& sql, const std::vector<SqlValue>& params,
                  std::vector<SqlRow>* out);
  Status PreparedEach(const std::string& sql, const std::vector<SqlValue>& params,
                      const std::function<void(const SqlRow&)>& each);
  Status PutJob(const JobRow& j);
  Status PutStep(const StepRow& s);
  Status PutNodeEvent(const NodeEventRow& e);
  Status LoadSteps(std::vector<JobRow>* jobs);
  // Rolls an ended job's allocated CPU time into the hourly rollups once, before its row
  // is stored: a row sent again adds nothing; one whose run changed takes the old figures
  // back first; a run already counted stays counted when the job is requeued.
  Status RollJob(const JobRow& j);
  // Adds (or with sign -1 takes back) a job's cpu-seconds per hour to usage_delta_;
  // FlushUsage writes the sums (Put and RollAllJobs, in their transaction).
  void AddUsage(const JobRow& j, int sign);
  Status FlushUsage();
  Status InTransaction(const std::function<Status()>& body);
  // Deletes the rows `sel` selects at `cutoff`, written to files in `dir` first when
  // `archive`; counts them into `*deleted`.
  Status PurgeRows(const PurgeSelection& sel, int64_t cutoff, bool archive, const std::string& dir,
                   uint64_t* deleted, std::vector<std::string>* files);
  Result<std::vector<JobRow>> JobsInStates(const JobQuery& q,
                                           const std::vector<const JobColumn*>& cols,
                                           const std::string& base,
                                           const std::vector<SqlValue>& base_params);

  std::unique_ptr<SqlConn> conn_;
  std::string cluster_;
  // The schema Migrate brought the database to: Put writes the tables it has (tests keep
  // databases at earlier versions to migrate them).
  int schema_ = kSchemaVersion;
  // cluster, hour, account, user, uid, cpus -> cpu-seconds to add to usage_hourly.
  using UsageKey = std::tuple<std::string, int64_t, std::string, std::string, uint32_t, uint32_t>;
  std::map<UsageKey, int64_t> usage_delta_;
};

// Opens the database a herd.conf names (AccountingStorageType, -Loc, -Host, -Port, -User,
// -Pass). `read_only`: for hacct (SQLite opened read-only; no migration).
struct StorageConfig {
  std::string type;  // "accounting_storage/sqlite" or "accounting_storage/pgsql"
  std::string loc;   // SQLite: the file; PostgreSQL: the database name
  std::string host;  // PostgreSQL: host name or socket directory
  uint32_t port = 0;
  std::string user;
  std::string pass_file;  // a file holding the password (PostgreSQL)
  std::string cluster;
};
Result<std::unique_ptr<AcctStore>> OpenStore(const StorageConfig& c, bool read_only);
// From herd.conf; the SQLite file defaults to StateDir/accounting.db.
StorageConfig StorageConfigOf(const ClusterConfig& config);

}  // namespace herd::ctld::acct
