// herd — running the programs a site configures: a node's Prolog, Epilog and
// HealthCheckProgram (nodedaemon/hooks.h) and the controller's PrologSlurmctld and
// EpilogSlurmctld (controller/ctld_hooks.h). Each runs as the daemon's user (root) in its
// own session with exactly the environment it is given (no search path, as in Slurm),
// stdin from /dev/null and its output in a file, of which the first line serves as the
// reason when it fails.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd {

// In a forked child before exec: default signal dispositions and an empty signal mask,
// every descriptor above 2 marked close-on-exec.
void ResetChildProcessState();

struct HookRun {
  int wait_status = 0;
  bool timed_out = false;
  std::string first_line;  // of its output, for the reason
};

// A hook setting may name a glob(7) pattern (`Prolog=/etc/herd/prolog.d/*`): every
// program it matches runs, in the order of their names, each after the previous one
// succeeded, as Slurm runs them; the first that fails ends the run with its exit code (or
// 128 + its signal), its output the run's. A pattern that matches nothing runs nothing,
// successfully.
bool IsHookPattern(const std::string& program);
std::vector<std::string> HookPrograms(const std::string& program);

// Starts `program` (or the programs of a pattern, in turn) with `env`, its output to
// `output_file` (truncated). The caller reaps it.
Result<pid_t> StartHook(const std::string& program, const std::vector<std::string>& env,
                        const std::string& output_file);
// The first line of what a hook wrote (at most 200 bytes, control characters dropped).
std::string HookFirstLine(const std::string& output_file);

// Waits for the hook `pid` (a session leader); after `timeout_s` (0: no limit) its session
// is killed and the run counts as timed out.
HookRun WaitHook(pid_t pid, uint32_t timeout_s);

// Starts it and waits for it; after `timeout_s` (0: no limit) its session is killed. The
// output file is removed afterwards.
Result<HookRun> RunHook(const std::string& program, const std::vector<std::string>& env,
                        const std::string& output_file, uint32_t timeout_s);

// "Prolog error: exited 1: <first line>", "Epilog error: timed out after 5 s", ...: the
// reason a node is drained with.
std::string HookFailure(const std::string& name, const HookRun& run, uint32_t timeout_s);

// SLURM_JOB_EXIT_CODE (the wait status) and SLURM_JOB_EXIT_CODE2 ("exit:signal"), and
// their HERD_ names: an epilog's.
std::vector<std::string> ExitCodeEnv(int32_t wait_status);

}  // namespace herd
