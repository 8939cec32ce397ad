// herd commands — SBATCH_*, SALLOC_* and srun's input variables as option words.
#include "commands/lib/env_options.h"

#include "commands/lib/env_list.h"

namespace herd::cli {
namespace {

enum class Kind { kValue, kFlag, kOptionalValue };

struct EnvOption {
  const char* suffix;  // after "SBATCH_" / "SALLOC_"; srun's: the whole name
  const char* option;  // long option name, without "--"
  Kind kind;
  unsigned commands;  // SlurmCommand bits
};

constexpr unsigned kBoth = kSbatch | kSalloc;

// sbatch(1) and salloc(1), "INPUT ENVIRONMENT VARIABLES".
const EnvOption kEnvOptions[] = {
    {"ACCOUNT", "account", Kind::kValue, kBoth},
    {"ACCTG_FREQ", "acctg-freq", Kind::kValue, kBoth},
    {"ARRAY_INX", "array", Kind::kValue, kSbatch},
    {"BATCH", "batch", Kind::kValue, kSbatch},
    {"BELL", "bell", Kind::kFlag, kSalloc},
    {"BURST_BUFFER", "bb", Kind::kValue, kSalloc},
    {"CLUSTERS", "clusters", Kind::kValue, kBoth},
    {"CONSTRAINT", "constraint", Kind::kValue, kBoth},
    {"CONTAINER", "container", Kind::kValue, kBoth},
    {"CORE_SPEC", "core-spec", Kind::kValue, kBoth},
    {"CPUS_PER_GPU", "cpus-per-gpu", Kind::kValue, kBoth},
    {"DEBUG", "verbose", Kind::kFlag, kBoth},
    {"DELAY_BOOT", "delay-boot", Kind::kValue, kBoth},
    {"DISTRIBUTION", "distribution", Kind::kValue, kSbatch},
    {"ERROR", "error", Kind::kValue, kSbatch},
    {"EXCLUSIVE", "exclusive", Kind::kOptionalValue, kBoth},
    {"EXPORT", "export", Kind::kValue, kSbatch},
    {"GET_USER_ENV", "get-user-env", Kind::kOptionalValue, kSbatch},
    {"GPU_BIND", "gpu-bind", Kind::kValue, kBoth},
    {"GPU_FREQ", "gpu-freq", Kind::kValue, kBoth},
    {"GPUS", "gpus", Kind::kValue, kBoth},
    {"GPUS_PER_NODE", "gpus-per-node", Kind::kValue, kBoth},
    {"GPUS_PER_TASK", "gpus-per-task", Kind::kValue, kBoth},
    {"GRES", "gres", Kind::kValue, kBoth},
    {"GRES_FLAGS", "gres-flags", Kind::kValue, kBoth},
    {"HINT", "hint", Kind::kValue, kBoth},
    {"IGNORE_PBS", "ignore-pbs", Kind::kFlag, kSbatch},
    {"IMMEDIATE", "immediate", Kind::kOptionalValue, kSalloc},
    {"INPUT", "input", Kind::kValue, kSbatch},
    {"JOB_NAME", "job-name", Kind::kValue, kSbatch},
    {"KILL_CMD", "kill-command", Kind::kOptionalValue, kSalloc},
    {"MEM_BIND", "mem-bind", Kind::kValue, kBoth},
    {"MEM_PER_CPU", "mem-per-cpu", Kind::kValue, kBoth},
    {"MEM_PER_GPU", "mem-per-gpu", Kind::kValue, kBoth},
    {"MEM_PER_NODE", "mem", Kind::kValue, kBoth},
    {"NETWORK", "network", Kind::kValue, kBoth},
    {"NO_BELL", "no-bell", Kind::kFlag, kSalloc},
    {"NO_KILL", "no-kill", Kind::kFlag, kBoth},
    {"NO_REQUEUE", "no-requeue", Kind::kFlag, kSbatch},
    {"OPEN_MODE", "open-mode", Kind::kValue, kSbatch},
    {"OUTPUT", "output", Kind::kValue, kSbatch},
    {"OVERCOMMIT", "overcommit", Kind::kFlag, kBoth},
    {"PARTITION", "partition", Kind::kValue, kBoth},
    {"POWER", "power", Kind::kValue, kBoth},
    {"PROFILE", "profile", Kind::kValue, kBoth},
    {"QOS", "qos", Kind::kValue, kBoth},
    {"REQ_SWITCH", "switches", Kind::kValue, kBoth},
    {"REQUEUE", "requeue", Kind::kFlag, kSbatch},
    {"RESERVATION", "reservation", Kind::kValue, kBoth},
    {"SIGNAL", "signal", Kind::kValue, kBoth},
    {"SPREAD_JOB", "spread-job", Kind::kFlag, kBoth},
    {"THREAD_SPEC", "thread-spec", Kind::kValue, kBoth},
    {"THREADS_PER_CORE", "threads-per-core", Kind::kValue, kBoth},
    {"TIMELIMIT", "time", Kind::kValue, kBoth},
    {"USE_MIN_NODES", "use-min-nodes", Kind::kFlag, kBoth},
    {"WAIT", "wait", Kind::kFlag, kSbatch},
    {"WAIT_ALL_NODES", "wait-all-nodes", Kind::kValue, kBoth},
    {"WCKEY", "wckey", Kind::kValue, kBoth},
};

// srun(1), "INPUT ENVIRONMENT VARIABLES", whole names. Left out: the variables an
// allocation's own environment holds (SLURM_NTASKS, SLURM_NNODES, SLURM_JOB_NAME,
// SLURM_MEM_PER_*, SLURM_DISTRIBUTION, SLURM_CPU_BIND, ...), through which Slurm's srun
// inherits its job's shape; hrun takes its job's shape from the controller instead.
const EnvOption kSrunEnvOptions[] = {
    {"SLURM_ACCOUNT", "account", Kind::kValue, kSrun},
    {"SLURM_ACCTG_FREQ", "acctg-freq", Kind::kValue, kSrun},
    {"SLURM_CLUSTERS", "clusters", Kind::kValue, kSrun},
    {"SLURM_COMPRESS", "compress", Kind::kOptionalValue, kSrun},
    {"SLURM_CONSTRAINT", "constraint", Kind::kValue, kSrun},
    {"SLURM_CORE_SPEC", "core-spec", Kind::kValue, kSrun},
    {"SRUN_CPUS_PER_TASK", "cpus-per-task", Kind::kValue, kSrun},
    {"SLURM_DEPENDENCY", "dependency", Kind::kValue, kSrun},
    {"SLURM_DISABLE_STATUS", "disable-status", Kind::kFlag, kSrun},
    {"SLURM_EXACT", "exact", Kind::kFlag, kSrun},
    {"SLURM_EXCLUSIVE", "exclusive", Kind::kOptionalValue, kSrun},
    {"SRUN_EXPORT_ENV", "export", Kind::kValue, kSrun},
    {"SLURM_GRES", "gres", Kind::kValue, kSrun},
    {"SLURM_HINT", "hint", Kind::kValue, kSrun},
    {"SLURM_IMMEDIATE", "immediate", Kind::kOptionalValue, kSrun},
    {"SLURM_KILL_BAD_EXIT", "kill-on-bad-exit", Kind::kOptionalValue, kSrun},
    {"SLURM_LABELIO", "label", Kind::kFlag, kSrun},
    {"SLURM_MPI_TYPE", "mpi", Kind::kValue, kSrun},
    {"SLURM_NETWORK", "network", Kind::kValue, kSrun},
    {"SLURM_NO_KILL", "no-kill", Kind::kFlag, kSrun},
    {"SLURM_OVERCOMMIT", "overcommit", Kind::kFlag, kSrun},
    {"SLURM_OVERLAP", "overlap", Kind::kFlag, kSrun},
    {"SLURM_PARTITION", "partition", Kind::kValue, kSrun},
    {"SLURM_POWER", "power", Kind::kValue, kSrun},
    {"SLURM_PROFILE", "profile", Kind::kValue, kSrun},
    {"SLURM_QOS", "qos", Kind::kValue, kSrun},
    {"SLURM_REQ_SWITCH", "switches", Kind::kValue, kSrun},
    {"SLURM_RESERVATION", "reservation", Kind::kValue, kSrun},
    {"SLURM_SIGNAL", "signal", Kind::kValue, kSrun},
    {"SLURM_SPREAD_JOB", "spread-job", Kind::kFlag, kSrun},
    {"SLURM_STDERRMODE", "error", Kind::kValue, kSrun},
    {"SLURM_STDINMODE", "input", Kind::kValue, kSrun},
    {"SLURM_STDOUTMODE", "output", Kind::kValue, kSrun},
    {"SLURM_THREADS", "threads", Kind::kValue, kSrun},
    {"SLURM_TIMELIMIT", "time", Kind::kValue, kSrun},
    {"SLURM_UNBUFFEREDIO", "unbuffered", Kind::kFlag, kSrun},
    {"SLURM_USE_MIN_NODES", "use-min-nodes", Kind::kFlag, kSrun},
    {"SLURM_WAIT", "wait", Kind::kValue, kSrun},
    {"SLURM_WCKEY", "wckey", Kind::kValue, kSrun},
    {"SLURM_WORKING_DIR", "chdir", Kind::kValue, kSrun},
};

void AddWord(const EnvOption& e, const std::string& value, std::vector<std::string>* words) {
  const std::string option = std::string("--") + e.option;
  if (e.kind == Kind::kFlag) {
    if (value != "0") words->push_back(option);
  } else if (e.kind == Kind::kOptionalValue && value.empty()) {
    words->push_back(option);
  } else {
    words->push_back(option + "=" + value);
  }
}

}  // namespace

std::vector<std::string> EnvironmentOptionWords(SlurmCommand command,
                                                const std::vector<std::string>& env) {
  std::vector<std::string> words;
  if (command == kSrun) {
    for (const EnvOption& e : kSrunEnvOptions) {
      std::optional<std::string> value = LookupEnv(env, e.suffix);
      if (!value && std::string(e.suffix) == "SRUN_EXPORT_ENV") {
        value = LookupEnv(env, "SLURM_EXPORT_ENV");  // SRUN_EXPORT_ENV overrides it
      }
      if (value) AddWord(e, *value, &words);
    }
    return words;
  }
  const std::string prefix = command == kSalloc ? "SALLOC_" : "SBATCH_";
  for (const EnvOption& e : kEnvOptions) {
    if ((e.commands & command) == 0) continue;
    std::optional<std::string> value = LookupEnv(env, prefix + e.suffix);
    const std::string suffix = e.suffix;
    if (!value && (suffix == "HINT" || suffix == "CLUSTERS")) {
      value = LookupEnv(env, "SLURM_" + suffix);  // "SBATCH_HINT or SLURM_HINT"
    }
    if (value) AddWord(e, *value, &words);
  }
  return words;
}

}  // namespace herd::cli
