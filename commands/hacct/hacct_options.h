// herd hacct — sacct's options: which jobs (-j, -u, -a, -A, --name, -r, -s, -S/-E), which
// rows (-X, steps by default) and how they are printed (-o/--format with Slurm's field
// names and %N widths, -b, -l, -P/-p/--delimiter, -n).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/acct/acct_record.h"

namespace herd::hacct {

struct OutputField {
  std::string name;  // canonical spelling ("JobID")
  int width = 0;     // columns (from the table or %N)
};

struct HacctOptions {
  ctld::acct::JobQuery query;
  std::vector<std::string> user_names;  // -u as given, resolved to query.uids
  bool all_users = false;               // -a
  bool allocations = false;             // -X: jobs only, no steps
  bool parsable = false;                // -p / -P
  bool trailing_delimiter = false;      // -p
  std::string delimiter = "|";
  bool noheader = false;  // -n
  std::string cluster;    // ClusterName, for the Cluster field
  bool start_given = false;
  std::vector<std::string> nodes;  // -N: jobs that ran on these nodes
  char units = 0;                  // --units: K, M, G, T, P (0: sacct's default)
  bool json = false;               // --json: sacct's JSON document instead of a table
  std::vector<OutputField> fields;
  bool help = false;
  bool version = false;
};

// `now`: the wall clock, for -S/-E defaults and relative times. `uid`: the caller.
Result<HacctOptions> ParseHacctArgs(const std::vector<std::string>& args, int64_t now,
                                    uint32_t uid);
std::string HacctUsage();

// sacct's time formats for -S/-E: YYYY-MM-DD[THH:MM[:SS]], MM/DD[/YY][-HH:MM[:SS]],
// MMDD[YY], HH:MM[:SS], now[{+|-}N[seconds|minutes|hours|days|weeks]], today, midnight,
// noon, tomorrow; local time.
Result<int64_t> ParseSacctTime(const std::string& text, int64_t now);

// A user name or uid as a uid ("Invalid user id: X" when it is neither); a uid's name
// ("" when it has none).
Result<uint32_t> ResolveUid(const std::string& text);
std::string UserNameOf(uint32_t uid);

// "JobID,State%20": the fields, with their default widths where no %N is given.
Result<std::vector<OutputField>> ParseFormat(const std::string& spec);

}  // namespace herd::hacct
