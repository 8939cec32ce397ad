// herd halloc — its command line (salloc's options): the allocation options shared with
// hrun, -D, -Q, -v, and the command to run in the allocation with its arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "commands/lib/alloc_options.h"
#include "common/base/status.h"

namespace herd::halloc {

struct HallocOptions {
  cli::AllocOptions alloc;
  std::optional<std::string> chdir;  // -D: where the command runs
  bool quiet = false;                // -Q
  int verbose = 0;                   // -v
  bool help = false;
  bool version = false;
  std::vector<std::string> command;  // empty: the user's shell
};

// Parses the whole command line; options stop at the command. The SALLOC_* variables of
// `env` ("NAME=value") count as options given before the command line.
Result<HallocOptions> ParseHallocCommandLine(const std::vector<std::string>& args,
                                             const std::vector<std::string>& env = {});

// The command to run: the given one, else $SHELL (from `env`), else /bin/sh.
std::vector<std::string> CommandToRun(const HallocOptions& o, const std::vector<std::string>& env);

// The --help text.
std::string HallocUsage();

}  // namespace herd::halloc
