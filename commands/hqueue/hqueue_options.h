// herd hqueue — its options (squeue's): which jobs to ask for and how to print them, and
// the client-side state rule (only pending/running/suspended/completing jobs unless
// states are asked for explicitly or with "all").
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hqueue {

struct HqueueOptions {
  proto::JobFilter filter;
  // -j 123_4, 123_[1-5]: these tasks of an array.
  std::vector<proto::ArrayTaskIds> tasks;
  bool all_states = false;            // -t all
  std::vector<std::string> nodes;     // -w, expanded: jobs allocated any of them
  std::vector<std::string> accounts;  // -A, lower case: jobs charged to these accounts
  std::vector<std::string> qos;       // -q, lower case: jobs with these QOS
  int iterate_s = 0;                  // -i N: print again every N seconds until interrupted
  std::string format;                 // -o; empty: the default (or long) format
  std::string sort;                   // -S/--sort; empty: $SQUEUE_SORT, then squeue's default
  bool noheader = false;
  bool json = false;
  bool long_format = false;
  bool steps = false;         // -s: job steps instead of jobs
  bool array_tasks = false;   // -r/--array: an array's pending tasks one per line
  bool start = false;         // --start: pending jobs by expected start
  bool from_passive = false;  // --from-passive: the passive controller may answer
  bool help = false;
  bool version = false;
};

Result<HqueueOptions> ParseHqueueArgs(const std::vector<std::string>& args);

// Whether hqueue shows `job` (the controller filters too; this keeps the output right
// whatever it sends back).
bool JobSelected(const proto::JobInfo& job, const HqueueOptions& opts);
// An array's pending remainder selected by task ids only (-j 123_[4-6]): its pending
// ids cut to those named.
void NarrowToTasks(proto::JobInfo* job, const HqueueOptions& opts);
// What to ask the controller: the filter, with the arrays of the tasks named.
proto::JobFilter QueryFilter(const HqueueOptions& opts);

std::string HqueueUsage();

}  // namespace herd::hqueue
