// herd hinfo — how partitions and nodes are printed, as sinfo does: node states in sinfo's
// lowercase names, partition lines grouped so that nodes printing the same fields share a
// line (with the node count, a compressed node list and cpu/node tallies aggregated), one
// line per node and partition with -N, and the reasons list with -R.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "commands/hinfo/hinfo_options.h"
#include "common/base/status.h"
#include "common/proto/messages.h"
#include "common/proto/types.h"

namespace herd::hinfo {

// Every supported code and its header title.
const std::map<char, std::string>& NodeTitles();

// "idle", "mix", "alloc", "down", "drain", "drng", "unk", plus '*' when not responding.
std::string CompactNodeState(const proto::NodeInfo& n);
// "idle", "mixed", "allocated", "down", "drained", "draining", "unknown" (+ '*').
std::string LongNodeState(const proto::NodeInfo& n);
// Partition state as sinfo's AVAIL column: "up", "down", "drain", "inact".
std::string PartitionAvail(const std::string& state);
// "infinite" for -1, else as FormatDuration.
std::string SinfoTimeLimit(int64_t seconds);

// The whole output for the options' mode and format (error: an unknown code).
Result<std::string> RenderInfo(const std::vector<proto::PartitionInfo>& partitions,
                               const std::vector<proto::NodeInfo>& nodes, const HinfoOptions& opts);

// -T: sinfo -T's table (RESV_NAME STATE START_TIME END_TIME DURATION NODELIST) of the
// reservations in `rep` at its time (hinfo_resv.cc).
std::string RenderReservations(const proto::QueryReservationsReply& rep, bool noheader);

}  // namespace herd::hinfo
