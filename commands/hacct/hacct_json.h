// herd hacct --json — sacct 22.05's JSON document (openapi dbv0.0.38's shape): "meta",
// "errors" and "jobs", each job with its ids, names, account, partition, state {current,
// reason}, exit_code {status, return_code, signal}, time {submission, eligible, start,
// end, elapsed, limit (minutes), user/system/total CPU}, nodes, tres and steps[] (the
// batch script's step with id "batch"), the keys in Slurm's order. Fields herd does not
// keep are there with Slurm's empty values (null, 0, "" or []), so a tool reading them
// finds what sacct would give it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "controller/acct/acct_record.h"

namespace herd::hacct {

// The document for `jobs` (with their steps unless `allocations`). `cluster`: ClusterName.
std::string RenderJson(const std::vector<ctld::acct::JobRow>& jobs, const std::string& cluster,
                       bool allocations, int64_t now);

// An "N:S" exit code as the JSON exit_code object's parts: status "SUCCESS", "FAILED"
// (N != 0) or "SIGNALED" (S != 0), the return code (-1 when signalled: null) and signal.
struct JsonExit {
  std::string status;
  int return_code = 0;
  int signal = 0;
};
JsonExit JsonExitOf(const std::string& code_signal);

}  // namespace herd::hacct
