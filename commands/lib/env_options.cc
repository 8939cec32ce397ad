// herd commands — SBATCH_* and SALLOC_* input variables as option words.
#include "commands/lib/env_options.h"

#include "commands/lib/env_list.h"

namespace herd::cli {
namespace {

enum class Kind { kValue, kFlag, kOptionalValue };

struct EnvOption {
  const char* suffix;  // after "SBATCH_" / "SALLOC_"
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

}  // namespace

std::vector<std::string> EnvironmentOptionWords(SlurmCommand command,
                                                const std::vector<std::string>& env) {
  const std::string prefix = command == kSalloc ? "SALLOC_" : "SBATCH_";
  std::vector<std::string> words;
  for (const EnvOption& e : kEnvOptions) {
    if ((e.commands & command) == 0) continue;
    std::optional<std::string> value = LookupEnv(env, prefix + e.suffix);
    const std::string suffix = e.suffix;
    if (!value && (suffix == "HINT" || suffix == "CLUSTERS")) {
      value = LookupEnv(env, "SLURM_" + suffix);  // "SBATCH_HINT or SLURM_HINT"
    }
    if (!value) continue;
    const std::string option = std::string("--") + e.option;
    if (e.kind == Kind::kFlag) {
      if (*value != "0") words.push_back(option);
    } else if (e.kind == Kind::kOptionalValue && value->empty()) {
      words.push_back(option);
    } else {
      words.push_back(option + "=" + *value);
    }
  }
  return words;
}

}  // namespace herd::cli
