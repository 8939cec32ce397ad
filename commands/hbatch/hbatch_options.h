// herd hbatch — its options: the option table, parsing one argument list (the command line
// or one directive line) into HbatchOptions, and the precedence rule (a later source wins,
// field by field). Values are checked here, before anything is sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace herd::hbatch {

// What one source (command line, or the script's directives) asked for; unset fields
// leave the decision to an earlier source or the default.
struct HbatchOptions {
  std::optional<std::string> job_name;
  std::optional<std::string> partition;
  std::optional<std::string> account;  // -A: recorded (herd enforces no accounts yet)
  std::optional<std::string> qos;      // -q: recorded
  std::optional<std::pair<uint32_t, uint32_t>> nodes;  // min, max (0 = same as min)
  std::optional<uint32_t> ntasks;
  std::optional<uint32_t> cpus_per_task;
  std::optional<uint32_t> ntasks_per_node;
  std::optional<uint64_t> mem_mb;
  std::optional<uint64_t> mem_per_cpu_mb;
  std::optional<int64_t> time_limit_s;  // -1 = unlimited
  std::optional<std::string> output;
  std::optional<std::string> error;
  std::optional<std::string> chdir;
  std::optional<std::string> export_spec;
  std::optional<std::string> nodelist;
  std::optional<std::string> exclude;
  std::optional<std::vector<std::string>> constraints;
  std::optional<int32_t> nice;
  std::optional<std::string> dependency;       // -d: checked by the controller
  std::optional<std::string> array;            // -a: checked by the controller
  std::optional<int64_t> begin_time;           // -b: resolved to a wall-clock time
  std::optional<std::string> reservation;      // --reservation: checked by the controller
  std::optional<int32_t> kill_on_invalid_dep;  // 1 yes, 0 no
  std::optional<bool> hold;
  std::optional<bool> exclusive;
  std::optional<bool> requeue;
  std::optional<bool> parsable;
  std::optional<bool> quiet;
  std::optional<std::string> wrap;
  // Slurm options given that herd accepts but does not act on ("--mail-type"), in order.
  std::vector<std::string> ignored_options;
  bool help = false;
  bool version = false;
};

// Parses `args` into `*out` (fields already set are overwritten by the ones given).
// With `stop_at_positional`, parsing stops at the first non-option and the rest goes to
// `positional` (the script and its arguments); errors are usage errors (unknown option,
// missing argument) or value errors ("invalid time", "invalid memory size", bad counts).
Status ParseHbatchOptions(const std::vector<std::string>& args, HbatchOptions* out,
                          std::vector<std::string>* positional);

// Checks that belong to one source as a whole (--mem with --mem-per-cpu).
Status CheckOptionSource(const HbatchOptions& o);

// Fields set in `over` replace those of `*base`. --mem and --mem-per-cpu are one choice:
// setting either in `over` clears the other.
void MergeOptions(const HbatchOptions& over, HbatchOptions* base);

// "-C a&b" / "a,b" -> {"a","b"}; OR, counts and brackets are not supported.
Result<std::vector<std::string>> ParseConstraint(const std::string& text);
// "-N 2" -> {2,0}; "2-4" -> {2,4}.
Result<std::pair<uint32_t, uint32_t>> ParseNodeCount(const std::string& text);
// "--nice[=value]": a bare --nice is 100 (as Slurm); values within Slurm's range. Whether a
// negative value is allowed is for the controller to say (root and AdminUser only).
Result<int32_t> ParseNice(const char* arg);

// "--exclusive[=user|mcs|topo]": only the bare form is implemented; another value is
// "Invalid --exclusive specification" under Slurm's names, as sbatch says.
Status CheckExclusive(const char* arg);

// The --help text.
std::string HbatchUsage();

}  // namespace herd::hbatch
