// herd hcancel — its options (scancel's): the jobs to act on (ids and filters), the
// signal, and how per-job results become messages and the exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hcancel {

struct HcancelOptions {
  proto::JobFilter filter;
  std::vector<std::string> nodes;  // -w, expanded: only jobs allocated any of them
  bool by_nodes = false;           // -w given (even one naming no node)
  // -A and -q: only jobs that gave one of these accounts / QOS; -R: only jobs in this
  // reservation (herd has none yet, so -R selects no job). Chosen here, like -w.
  std::vector<std::string> accounts;
  std::vector<std::string> qos;
  std::optional<std::string> reservation;
  bool interactive = false;  // -i: ask before each job
  int32_t signal = 0;        // 0: cancel the job
  // Where a signal goes: the steps (default, as Slurm), -f everything, -b the batch shell.
  proto::SignalScope scope = proto::SignalScope::kSteps;
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

// Whether the options choose among the jobs the filter selects (-w, -A, -q, -R, -i): the
// command then asks which jobs match and cancels those.
bool ChoosesJobs(const HcancelOptions& opts);

// Whether the job is one -w, -A, -q and -R select (any of its nodes among opts.nodes, its
// account and QOS among those given; all without them).
bool Selected(const proto::JobInfo& job, const HcancelOptions& opts);

// The question -i asks for a job: "Cancel job_id=7 name=x partition=debug [y/n]? ".
std::string ConfirmPrompt(const proto::JobInfo& job);
// A -i answer: yes when it starts with y or Y (end of input is no).
bool ConfirmAnswer(const std::string& line);

std::string HcancelUsage();

}  // namespace herd::hcancel
