// herd — the programs a site runs on its nodes: Prolog and Epilog (run as root before the
// job's first process on a node and after its processes there are gone, job_hooks.h) and the
// HealthCheckProgram (run by herdd every HealthCheckInterval). Each runs as root in its own
// session with exactly the environment it is given (no search path, as in Slurm), stdin
// from /dev/null and its output in a file, of which the first line serves as the reason
// when it fails.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"
#include "common/proto/step_messages.h"

namespace herd::noded {

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

// The environment of Prolog and Epilog for a batch job (Slurm's names and herd's):
// SLURM_JOB_ID, SLURM_JOB_USER, SLURM_JOB_UID, SLURM_JOB_GID, SLURM_JOB_GROUP,
// SLURM_JOB_NAME, SLURM_JOB_PARTITION, SLURM_JOB_NODELIST, SLURM_JOB_CONSTRAINTS,
// SLURMD_NODENAME, SLURM_CLUSTER_NAME, SLURM_CONF, SLURM_SCRIPT_CONTEXT (prolog_slurmd or
// epilog_slurmd) and the same under HERD_ (HERD_NODENAME for SLURMD_NODENAME); the epilog
// also gets SLURM_JOB_EXIT_CODE (the wait status) and SLURM_JOB_EXIT_CODE2 ("exit:signal").
// SLURM_JOB_EXIT_CODE (the wait status) and SLURM_JOB_EXIT_CODE2 ("exit:signal"), and
// their HERD_ names.
std::vector<std::string> ExitCodeEnv(int32_t wait_status);

struct HookJob {
  std::string context;  // "prolog" or "epilog"
  std::string node;
  std::string cluster;
  std::string conf_path;
  std::string group;        // name of the job's gid
  int32_t wait_status = 0;  // epilog
};
std::vector<std::string> BatchHookEnv(const proto::LaunchBatchRequest& launch, const HookJob& job);
// The same for the Prolog a step's daemon runs on a node where the job has no batch step
// (the step's request does not carry the job's constraints: SLURM_JOB_CONSTRAINTS is empty).
std::vector<std::string> StepHookEnv(const proto::LaunchStepRequest& launch, const HookJob& job);
// The same for the Epilog of a node where none of the job's steps ran, from the terminate.
std::vector<std::string> TerminateHookEnv(const proto::TerminateJobRequest& req,
                                          const HookJob& job);

}  // namespace herd::noded
