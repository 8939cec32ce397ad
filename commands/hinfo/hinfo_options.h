// herd hinfo — its options (sinfo's): which partitions and nodes to show, the output mode
// (partition lines grouped by state, one line per node, reasons, summary) and format.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::hinfo {

enum class Mode { kPartitions, kNodes, kReasons, kSummary };

struct HinfoOptions {
  Mode mode = Mode::kPartitions;
  bool long_format = false;
  bool noheader = false;
  bool from_passive = false;            // --from-passive: the passive controller may answer
  bool controllers = false;             // --controllers: the controller table instead
  std::string format;                   // -o; empty: the mode's default
  std::vector<std::string> partitions;  // -p
  std::vector<std::string> nodes;       // -n, expanded
  std::vector<std::string> states;      // -t, canonical compact names ("idle", "drain"...)
  bool responding_only = false;         // -r: nodes that answer only
  bool reservations = false;            // -T: the advance reservations instead
  bool help = false;
  bool version = false;
};

Result<HinfoOptions> ParseHinfoArgs(const std::vector<std::string>& args);

// "allocated" -> "alloc", "DRAINED" -> "drain", ...; kInvalidArgument for other words.
Result<std::string> CanonicalNodeState(const std::string& text);

// The format a mode prints when -o is not given.
std::string DefaultFormat(const HinfoOptions& opts);

std::string HinfoUsage();

}  // namespace herd::hinfo
