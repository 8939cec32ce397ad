// herd commands — the catalogue of Slurm 22.05 sbatch options herd does not act on.
#include "commands/lib/slurm_options.h"

#include <cstring>

namespace herd::cli {
namespace {

using S = ForeignSupport;
constexpr int kReq = required_argument;
constexpr int kNo = no_argument;
constexpr int kOpt = optional_argument;

// Slurm 22.05 sbatch(1). Options herd implements are not listed.
const std::vector<ForeignOption>& Catalogue() {
  static const std::vector<ForeignOption> list = {
      // Features herd does not have yet: the job would not run as asked.
      {"array", 'a', kReq, S::kNotYet},
      {"dependency", 'd', kReq, S::kNotYet},
      {"begin", 'b', kReq, S::kNotYet},
      {"deadline", 0, kReq, S::kNotYet},
      {"gres", 0, kReq, S::kNotYet},
      {"gres-flags", 0, kReq, S::kNotYet},
      {"gpus", 'G', kReq, S::kNotYet},
      {"gpus-per-node", 0, kReq, S::kNotYet},
      {"gpus-per-socket", 0, kReq, S::kNotYet},
      {"gpus-per-task", 0, kReq, S::kNotYet},
      {"cpus-per-gpu", 0, kReq, S::kNotYet},
      {"mem-per-gpu", 0, kReq, S::kNotYet},
      {"ntasks-per-gpu", 0, kReq, S::kNotYet},
      {"gpu-bind", 0, kReq, S::kNotYet},
      {"gpu-freq", 0, kReq, S::kNotYet},
      {"reservation", 0, kReq, S::kNotYet},
      {"signal", 0, kReq, S::kNotYet},
      {"licenses", 'L', kReq, S::kNotYet},
      {"clusters", 'M', kReq, S::kNotYet},
      {"cluster-constraint", 0, kReq, S::kNotYet},
      {"bb", 0, kReq, S::kNotYet},
      {"bbf", 0, kReq, S::kNotYet},
      {"container", 0, kReq, S::kNotYet},
      {"uid", 0, kReq, S::kNotYet},
      {"gid", 0, kReq, S::kNotYet},
      {"test-only", 0, kNo, S::kNotYet},
      {"wait", 'W', kNo, S::kNotYet},
      {"open-mode", 0, kReq, S::kNotYet},
      {"input", 'i', kReq, S::kNotYet},
      {"export-file", 0, kReq, S::kNotYet},
      {"nodefile", 'F', kReq, S::kNotYet},
      {"time-min", 0, kReq, S::kNotYet},
      {"core-spec", 'S', kReq, S::kNotYet},
      {"thread-spec", 0, kReq, S::kNotYet},
      {"extra-node-info", 'B', kReq, S::kNotYet},
      {"sockets-per-node", 0, kReq, S::kNotYet},
      {"cores-per-socket", 0, kReq, S::kNotYet},
      {"threads-per-core", 0, kReq, S::kNotYet},
      {"ntasks-per-core", 0, kReq, S::kNotYet},
      {"ntasks-per-socket", 0, kReq, S::kNotYet},
      {"mincpus", 0, kReq, S::kNotYet},
      {"overcommit", 'O', kNo, S::kNotYet},
      {"oversubscribe", 's', kNo, S::kNotYet},
      {"tmp", 0, kReq, S::kNotYet},
      {"distribution", 'm', kReq, S::kNotYet},
      {"hint", 0, kReq, S::kNotYet},
      {"priority", 0, kReq, S::kNotYet},
      {"batch", 0, kReq, S::kNotYet},
      {"prefer", 0, kReq, S::kNotYet},
      // Accepted; herd does not act on them (a warning says so).
      {"account", 'A', kReq, S::kNoEffect},
      {"qos", 'q', kReq, S::kNoEffect},
      {"comment", 0, kReq, S::kNoEffect},
      {"mail-type", 0, kReq, S::kNoEffect},
      {"mail-user", 0, kReq, S::kNoEffect},
      {"wckey", 0, kReq, S::kNoEffect},
      {"profile", 0, kReq, S::kNoEffect},
      {"acctg-freq", 0, kReq, S::kNoEffect},
      {"cpu-freq", 0, kReq, S::kNoEffect},
      {"delay-boot", 0, kReq, S::kNoEffect},
      {"power", 0, kReq, S::kNoEffect},
      {"reboot", 0, kNo, S::kNoEffect},
      {"mcs-label", 0, kReq, S::kNoEffect},
      {"no-kill", 'k', kOpt, S::kNoEffect},
      {"kill-on-invalid-dep", 0, kReq, S::kNoEffect},
      {"network", 0, kReq, S::kNoEffect},
      {"get-user-env", 0, kOpt, S::kNoEffect},
      {"propagate", 0, kOpt, S::kNoEffect},
      {"mem-bind", 0, kReq, S::kNoEffect},
      {"use-min-nodes", 0, kNo, S::kNoEffect},
      {"spread-job", 0, kNo, S::kNoEffect},
      {"contiguous", 0, kNo, S::kNoEffect},
      {"switches", 0, kReq, S::kNoEffect},
      // Nothing to act on.
      {"verbose", 'v', kNo, S::kQuiet},
      {"ignore-pbs", 0, kNo, S::kQuiet},
  };
  return list;
}

bool HasLongOption(const std::vector<struct option>& opts, const char* name) {
  for (const struct option& o : opts) {
    if (o.name != nullptr && std::strcmp(o.name, name) == 0) return true;
  }
  return false;
}

}  // namespace

const std::vector<ForeignOption>& SbatchForeignOptions() { return Catalogue(); }

void AddForeignOptions(std::vector<struct option>* opts, std::string* shortopts) {
  const std::vector<ForeignOption>& list = Catalogue();
  for (size_t i = 0; i < list.size(); ++i) {
    const ForeignOption& f = list[i];
    if (!HasLongOption(*opts, f.long_name)) {
      opts->push_back({f.long_name, f.has_arg, nullptr, kForeignOptionBase + static_cast<int>(i)});
    }
    if (f.short_name != 0 && shortopts->find(f.short_name) == std::string::npos) {
      *shortopts += f.short_name;
      if (f.has_arg == kReq) *shortopts += ':';
      if (f.has_arg == kOpt) *shortopts += "::";
    }
  }
}

const ForeignOption* FindForeignOption(int opt) {
  const std::vector<ForeignOption>& list = Catalogue();
  if (opt >= kForeignOptionBase && opt < kForeignOptionBase + static_cast<int>(list.size())) {
    return &list[static_cast<size_t>(opt - kForeignOptionBase)];
  }
  if (opt <= 0 || opt > 127) return nullptr;
  for (const ForeignOption& f : list) {
    if (f.short_name == opt) return &f;
  }
  return nullptr;
}

std::string ForeignOptionName(const ForeignOption& o) { return std::string("--") + o.long_name; }

Status TakeForeignOption(const ForeignOption& o, std::vector<std::string>* ignored) {
  switch (o.support) {
    case ForeignSupport::kNotYet:
      return InvalidArgument(ForeignOptionName(o) + " is not supported by herd yet");
    case ForeignSupport::kNoEffect: {
      const std::string name = ForeignOptionName(o);
      bool seen = false;
      for (const std::string& n : *ignored) seen = seen || n == name;
      if (!seen) ignored->push_back(name);
      return Status::Ok();
    }
    case ForeignSupport::kQuiet:
      return Status::Ok();
  }
  return Status::Ok();
}

std::string IgnoredOptionsWarning(const std::vector<std::string>& ignored) {
  std::string names;
  for (const std::string& n : ignored) names += (names.empty() ? "" : ", ") + n;
  return names + ": accepted, but herd does not act on " + (ignored.size() == 1 ? "it" : "them") +
         " yet";
}

}  // namespace herd::cli
