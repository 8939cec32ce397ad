// herd commands — the environment variables Slurm's commands read as options
// (SBATCH_TIMELIMIT is sbatch's --time, SALLOC_PARTITION salloc's --partition, ...), as
// sbatch(1) and salloc(1) of Slurm 22.05 list them. Their values are parsed exactly as the
// option would be, so a bad value reads as the option's error ("Invalid --time
// specification"). Precedence, as Slurm's: the command line, then the environment, then
// the script's #SBATCH lines. herd reads them under its names and under Slurm's alike.
#pragma once

#include <string>
#include <vector>

#include "commands/lib/slurm_options.h"

namespace herd::cli {

// The option words ("--time=10", "--requeue") that the variables of `command` (kSbatch,
// kSalloc, or kSrun: SLURM_TIMELIMIT, SRUN_CPUS_PER_TASK, SRUN_EXPORT_ENV, ...) set in
// `env` ("NAME=value" entries) stand for, in the manual's order. A variable of a flag
// gives the flag unless its value is "0" (SBATCH_NO_REQUEUE=yes, =1 and = all ask for
// --no-requeue, =0 does not: Slurm 22.05 reads them so).
std::vector<std::string> EnvironmentOptionWords(SlurmCommand command,
                                                const std::vector<std::string>& env);

}  // namespace herd::cli
