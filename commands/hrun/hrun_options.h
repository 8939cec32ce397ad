// herd hrun — its command line (srun's options): the allocation options shared with halloc,
// the step options (-D --export -m --cpu-bind --mpi -l -K -o -e -i --jobid --overlap -W),
// and the options Open MPI's and PRRTE's Slurm launchers pass to srun when mpirun runs in
// an allocation (--cpu_bind=none, --kill-on-bad-exit, --mpi=none, --external-launcher,
// --resv-ports, --gres=none, -u, -Q). Values are checked and normalized here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands/lib/alloc_options.h"
#include "common/base/status.h"

namespace herd::hrun {

struct HrunOptions {
  cli::AllocOptions alloc;
  std::optional<uint64_t> jobid;            // --jobid
  std::optional<std::string> chdir;         // -D
  std::optional<std::string> export_spec;   // --export
  std::optional<std::string> distribution;  // -m, normalized ("block:cyclic")
  std::optional<std::string> cpu_bind;      // --cpu-bind, normalized ("cores,verbose")
  std::optional<std::string> mpi;           // --mpi: "none", "pmix" or "list"
  std::optional<std::string> output;        // -o pattern ("none" -> /dev/null)
  std::optional<std::string> error;         // -e pattern
  std::optional<std::string> input;         // -i: "none" or a file pattern
  std::optional<bool> kill_on_bad_exit;     // -K[0|1]
  bool label = false;                       // -l
  bool overlap = false;                     // --overlap, --external-launcher
  bool unbuffered = false;                  // -u: partial lines are written at once
  bool quiet = false;                       // -Q
  int verbose = 0;                          // -v (repeatable)
  uint32_t wait_s = 0;                      // -W: end the step this long after a task ends
  bool help = false;
  bool version = false;
  std::vector<std::string> argv;  // the program and its arguments
};

// Parses the whole command line; options stop at the program name.
// srun's input variables in `env` ("NAME=value": SLURM_TIMELIMIT, SRUN_CPUS_PER_TASK, ...)
// come before the command line, which overrides them.
Result<HrunOptions> ParseHrunCommandLine(const std::vector<std::string>& args,
                                         const std::vector<std::string>& env = {});

// "block", "cyclic", optionally ":block"/":cyclic" for the cpus of a task; '*' = block.
Result<std::string> ParseDistribution(const std::string& text);

// "[verbose|quiet,]<type>[,verbose]" with type none|no|cores|threads|sockets|map_cpu:<list>|
// mask_cpu:<list> -> "<type>[,verbose]" ("no" -> "none").
Result<std::string> ParseCpuBind(const std::string& text);

// "none", "pmix" (also "pmix_v4", "mpi/pmix") or "list".
Result<std::string> ParseMpiType(const std::string& text);

// What --mpi=list prints.
std::string MpiTypeList();

// The --help text.
std::string HrunUsage();

}  // namespace herd::hrun
