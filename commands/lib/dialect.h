// herd commands — the name a command was started under, and so the dialect it speaks.
// Under herd's name (hbatch) a command speaks as herd; under Slurm's (sbatch, a link to
// hbatch made by the install option HERD_SLURM_NAMES or by herd-local) it speaks as
// Slurm 22.05 does: messages start with the Slurm name, sbatch's default output file is
// slurm-%j.out, a script read from stdin is named "sbatch", usage errors of sbatch, salloc
// and srun exit 255.
#pragma once

#include <string>

namespace herd::cli {

enum class Dialect { kHerd, kSlurm };

// Decides the name from argv[0]: its base name equal to `slurm_name` selects Slurm's
// dialect and name, anything else herd's (`herd_name`). Called once, first thing in main.
void InitName(const char* argv0, const char* herd_name, const char* slurm_name);

// The name messages start with ("hbatch" or "sbatch"; "herd" before InitName).
const std::string& Name();
Dialect CurrentDialect();
inline bool SlurmDialect() { return CurrentDialect() == Dialect::kSlurm; }

// The exit code of a usage error (unknown option, missing argument): 255 for sbatch,
// salloc and srun under Slurm's names (as Slurm's), 1 otherwise.
int UsageExitCode();

// Slurm's name for herd's command `herd_name` ("hbatch" -> "sbatch"); empty if none.
std::string SlurmNameOf(const std::string& herd_name);

}  // namespace herd::cli
