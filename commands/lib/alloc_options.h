// herd commands — the options that ask for an allocation, shared by halloc and hrun (which
// allocates when it runs outside a job): -N -n -c --ntasks-per-node -p -A -q -t -J -w -x
// --exclusive --mem --mem-per-cpu -C --nice -d -b, with hbatch's meaning and checks, and the
// interactive JobSpec they make. Each command keeps its own option table and hands these codes
// here.
#pragma once

#include <getopt.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "commands/lib/option_table.h"
#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::cli {

// Long-only allocation options (values above the char range and below each command's own).
enum AllocLongOption : int {
  kOptNtasksPerNode = 0x200,
  kOptMem,
  kOptMemPerCpu,
  kOptExclusive,
  kOptNice,
  kOptReservation,
};

struct AllocOptions {
  std::optional<std::string> job_name;
  std::optional<std::string> partition;
  std::optional<std::string> account;  // -A: recorded by accounting (not enforced yet)
  std::optional<std::string> qos;      // -q: recorded
  std::optional<std::pair<uint32_t, uint32_t>> nodes;  // min, max (0 = same as min)
  std::optional<uint32_t> ntasks;
  std::optional<uint32_t> cpus_per_task;
  std::optional<uint32_t> ntasks_per_node;
  std::optional<uint64_t> mem_mb;
  std::optional<uint64_t> mem_per_cpu_mb;
  std::optional<int64_t> time_limit_s;  // -1 = unlimited
  std::optional<std::string> nodelist;
  std::optional<std::string> exclude;
  std::optional<std::vector<std::string>> constraints;
  std::optional<int32_t> nice;             // --nice[=value]
  std::optional<std::string> dependency;   // -d: checked by the controller
  std::optional<int64_t> begin_time;       // -b: resolved to a wall-clock time
  std::optional<std::string> reservation;  // --reservation: checked by the controller
  bool exclusive = false;
  // sacct's SubmitLine: the command's words (cli::SubmitLine), set by main.
  std::string submit_line;
  // Slurm options given that herd accepts but does not act on ("--account"), in order.
  std::vector<std::string> ignored_options;
};

// Adds the allocation options to a command's table.
void AddAllocOptions(OptionTable* table);

// Whether getopt's `opt` is one of the allocation options.
bool IsAllocOption(int opt);

// Stores one allocation option; value errors read as hbatch's ("invalid numeric value...").
Status ApplyAllocOption(int opt, const char* arg, AllocOptions* o);

// Checks on the set as a whole (--mem with --mem-per-cpu).
Status CheckAllocOptions(const AllocOptions& o);

// The JobSpec of an interactive allocation (no script): `name` unless -J was given, the
// command in `argv` (for display), the exported environment `env`, `work_dir` absolute.
proto::JobSpec BuildAllocationSpec(const AllocOptions& o, const std::string& name,
                                   const std::vector<std::string>& argv,
                                   std::vector<std::string> env, const std::string& submit_dir,
                                   const std::string& work_dir);

// "/a/b/prog" -> "prog".
std::string BaseName(const std::string& path);
// `path` made absolute against `cwd`.
std::string AbsolutePath(const std::string& path, const std::string& cwd);

}  // namespace herd::cli
