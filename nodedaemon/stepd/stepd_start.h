// herd — what every step supervisor does before supervising: `--conf F --node N --dir
// STEPDIR` parsing, signals taken synchronously, descriptors 0-2 always open, the
// configuration and log file, child subreaper, and which step the directory names.
//
// Two executables share it (doc/processes.md): `herdstepd-batch` runs batch scripts and
// links neither hwloc nor PMIx (loading them was a third of every batch step's start);
// `herdstepd` runs job steps (hrun), binds tasks through hwloc and hosts the PMIx server,
// and runs batch steps too. herdd starts the first for batch steps when it is installed.
#pragma once

#include <cstdint>
#include <string>

#include "common/config/config.h"

namespace herd::noded {

struct StepdStart {
  ClusterConfig config;
  std::string conf;  // path of herd.conf
  std::string node;
  std::string dir;  // absolute step directory
  uint64_t job = 0;
  uint32_t run = 0;
  uint32_t step_id = 0;  // proto::kBatchStep for a batch step
};

// Returns an error (to print) when the step cannot be supervised. Either executable shows
// as "herdstepd" in /proc/PID/comm.
Result<StepdStart> StartStepd(int argc, char** argv);

}  // namespace herd::noded
