// herd hprio — the pending jobs' priority factors (sprio's interface): options, the
// formats sprio prints (weighted factors, -n normalized, -l long, -w the weights) and
// the table.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hprio {

struct HprioOptions {
  std::vector<uint64_t> job_ids;  // -j
  bool jobs_given = false;
  std::vector<std::string> users;       // -u, names
  std::vector<std::string> partitions;  // -p
  bool long_format = false;             // -l
  bool norm = false;                    // -n
  bool weights = false;                 // -w
  bool noheader = false;                // -h
  std::string format;                   // -o; empty: the default for the options
  bool help = false;
  bool version = false;
};

Result<HprioOptions> ParseHprioArgs(const std::vector<std::string>& args);

// sprio's default format for these options and weights: a factor whose weight is 0 is
// left out, except with -l.
std::string DefaultFormat(const HprioOptions& o, const proto::QueryPriorityReply& weights);

// The table (or, with -w, the weights line) for `rep`.
Result<std::string> Render(const HprioOptions& o, const std::string& format,
                           const proto::QueryPriorityReply& rep);

std::string HprioUsage();

}  // namespace herd::hprio
