// herd hcancel — its options (scancel's): the jobs to act on (ids and filters), the
// signal, and how per-job results become messages and the exit code.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hcancel {

struct HcancelOptions {
  proto::JobFilter filter;
  int32_t signal = 0;  // 0: cancel the job
  bool quiet = false;
  bool verbose = false;
  bool help = false;
  bool version = false;
};

Result<HcancelOptions> ParseHcancelArgs(const std::vector<std::string>& args);

// "SIGUSR1", "usr1", "10" -> 10. kInvalidArgument "Unknown job signal: x" otherwise.
Result<int32_t> ParseSignal(const std::string& text);

// What to print for the controller's per-job results.
struct Outcome {
  std::vector<std::string> errors;  // each printed as "hcancel: error: <line>"
  std::vector<std::string> info;    // -v lines, printed as "hcancel: <line>"
  int exit_code = 0;
};
Outcome DescribeResults(const std::vector<proto::JobActionResult>& results,
                        const HcancelOptions& opts);

std::string HcancelUsage();

}  // namespace herd::hcancel
