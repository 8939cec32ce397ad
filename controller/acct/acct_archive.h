// herd — what a purge selects and the archive files it writes (internal to AcctStore): the
// tables that are purged, with their columns and keys, and a writer that puts rows into
// files of at most kArchiveRowsPerFile rows, each on disk (synced, under its final name)
// before the rows leave the database.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {

struct ArchiveTable {
  const char* name;      // the table
  const char* object;    // in the archive files' names
  const char* columns;   // every column but the cluster, the keys first
  const char* keys;      // the primary key but the cluster
  const char* dated_by;  // the column a purge compares with its cutoff
};
// The table of that name, or null.
const ArchiveTable* FindArchiveTable(const std::string& name);

// A purge's rows of one table: `where` is a condition on $1 (the cluster) and $2 (the
// cutoff).
struct PurgeSelection {
  const ArchiveTable* table;
  const char* where;
};
PurgeSelection EndedJobs();         // jobs that ended before the cutoff
PurgeSelection StepsOfEndedJobs();  // their steps
PurgeSelection EndedSteps();        // steps that ended before the cutoff
PurgeSelection EndedNodeEvents();   // node state periods that ended before it
PurgeSelection PastUsageHours();    // rollup hours wholly before it

constexpr uint64_t kArchiveRowsPerFile = 50000;

// Writes one purge's rows of one table: files named
// <dir>/<cluster>_<object>_archive_<first>_<cutoff> (UTC times), then ".2", ".3"...; a
// name in use is never overwritten (the next number is taken).
class ArchiveWriter {
 public:
  ArchiveWriter(std::string dir, std::string cluster, const ArchiveTable& table, int64_t first,
                int64_t cutoff);
  ~ArchiveWriter();  // an unfinished file is removed
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  Status Add(const SqlRow& row);
  // Closes the last file; every file's name is appended to `files`.
  Status Finish(std::vector<std::string>* files);

 private:
  Status OpenFile();
  Status CloseFile();

  std::string dir_, cluster_, base_;
  const ArchiveTable& table_;
  FILE* file_ = nullptr;
  std::string tmp_;
  uint64_t rows_in_file_ = 0;
  int next_part_ = 1;
  std::vector<std::string> written_;
};

}  // namespace herd::ctld::acct
