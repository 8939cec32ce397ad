// herd commands — the name a command speaks under.
#include "commands/lib/dialect.h"

#include <cstring>

namespace herd::cli {
namespace {

struct NameState {
  std::string name = "herd";
  Dialect dialect = Dialect::kHerd;
};

NameState& State() {
  static NameState state;
  return state;
}

struct NamePair {
  const char* herd;
  const char* slurm;
};

constexpr NamePair kNames[] = {
    {"hbatch", "sbatch"},     {"halloc", "salloc"}, {"hrun", "srun"},
    {"hqueue", "squeue"},     {"hinfo", "sinfo"},   {"hcancel", "scancel"},
    {"hcontrol", "scontrol"}, {"hacct", "sacct"},   {"hacctmgr", "sacctmgr"},
};

}  // namespace

void InitName(const char* argv0, const char* herd_name, const char* slurm_name) {
  const char* base = argv0 != nullptr ? argv0 : "";
  if (const char* slash = std::strrchr(base, '/'); slash != nullptr) base = slash + 1;
  NameState& s = State();
  if (slurm_name != nullptr && std::strcmp(base, slurm_name) == 0) {
    s.name = slurm_name;
    s.dialect = Dialect::kSlurm;
  } else {
    s.name = herd_name;
    s.dialect = Dialect::kHerd;
  }
}

const std::string& Name() { return State().name; }

Dialect CurrentDialect() { return State().dialect; }

int UsageExitCode() {
  const std::string& n = Name();
  if (SlurmDialect() && (n == "sbatch" || n == "salloc" || n == "srun")) return 255;
  return 1;
}

std::string SlurmNameOf(const std::string& herd_name) {
  for (const NamePair& p : kNames) {
    if (herd_name == p.herd) return p.slurm;
  }
  return "";
}

}  // namespace herd::cli
