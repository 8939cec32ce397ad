// herd — starting a step daemon (herdd side): create the step directory, write the launch
// request (launch.bin or launch_step.bin), fork and exec herdstepd in its own session so
// that it outlives herdd.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/base/site_program.h"
#include "common/base/status.h"

namespace herd::noded {

// <directory of this executable>/<name>: "herdstepd" (any step), "herdstepd-batch" (batch
// steps, without hwloc and PMIx).
std::string DefaultStepdPath(const char* name = "herdstepd");

struct StepLaunch {
  std::string stepd_path;   // herdstepd binary
  std::string conf_path;    // absolute path of herd.conf
  std::string node;         // node name
  std::string step_dir;     // <spool>/job<ID>.<RUN>[.<STEP>]
  std::string launch_file;  // kLaunchFile (batch) or kLaunchStepFile
  std::string launch_body;  // the launch request's body, as received
  std::string user;         // EncodeUserEntry of the step's user, or "" (kStepUserEnv)
};

// Creates step_dir (0755) and the launch file, then starts herdstepd (posix_spawn: herdd's
// address space is not copied) in its own session, in /, with stdin on /dev/null, default
// signal handling and no descriptor above 2. Returns its pid once the exec has succeeded
// (a failed exec is reported as an error).
Result<pid_t> StartStepDaemon(const StepLaunch& launch);

using herd::ResetChildProcessState;  // common/base/site_program.h

}  // namespace herd::noded
