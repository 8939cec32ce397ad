// herd — accounting's retention: records older than the Purge*After keys say are deleted
// at the start of each purge interval, each kind written first, when its Archive* key asks,
// to files in ArchiveDir that `hacctmgr archive load` stores again (doc/accounting.md
// "Purge and archive").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace herd::ctld::acct {

// The policy as it applies: herd.conf's keys with ArchiveDir resolved.
AcctPurgeConfig PurgePolicyOf(const ClusterConfig& config);

// Records of `after` that ended before this time are purged at `now`: the start of the
// current hour, day or month (UTC) less `after.count` of them; 0 when never.
int64_t PurgeCutoff(const PurgeAfter& after, int64_t now);
// When the purge after `now` is due: the start of the next hour, day or month (UTC), the
// finest unit of the keys set; 0 when nothing is ever purged.
int64_t NextPurge(const AcctPurgeConfig& policy, int64_t now);

// What one purge did.
struct PurgeReport {
  uint64_t jobs = 0, steps = 0, events = 0, usage = 0;  // rows deleted
  std::vector<std::string> files;                       // archive files written
  std::string Describe() const;
};

// What loading an archive file did.
struct ArchiveLoad {
  std::string table;
  uint64_t rows = 0;      // in the file
  uint64_t inserted = 0;  // stored (the others were in the database already)
};

// Archive files: a header (format version, cluster, table, columns), then one line per row,
// values separated by tabs as PostgreSQL's COPY text writes them (\N for NULL; backslash,
// tab, newline and carriage return escaped), then "end\t<rows>".
constexpr int kArchiveFormatVersion = 1;
std::string EscapeArchiveField(const std::string& value);
// kInvalidArgument for a bad escape.
Result<std::string> UnescapeArchiveField(const std::string& field);

}  // namespace herd::ctld::acct
