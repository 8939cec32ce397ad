// herd commands — the catalogue of Slurm 22.05 sbatch options herd does not act on.
#include "commands/lib/slurm_options.h"

#include <cstdio>

#include "commands/lib/cli.h"

namespace herd::cli {
namespace {

using S = ForeignSupport;
constexpr int kReq = required_argument;
constexpr int kNo = no_argument;
constexpr int kOpt = optional_argument;
constexpr unsigned kAll = kSbatch | kSalloc | kSrun;

// Slurm 22.05 sbatch(1), salloc(1), srun(1): each option with the commands that have it.
// A command's own table comes first, so an option herd implements for it never reaches
// this catalogue (srun's --wait, --input, --distribution are hrun's own).
const std::vector<ForeignOption>& Catalogue() {
  static const std::vector<ForeignOption> list = {
      // Features herd does not have yet: the job would not run as asked.
      {"deadline", 0, kReq, S::kNotYet, kAll},
      {"gres", 0, kReq, S::kNotYet, kAll},
      {"gres-flags", 0, kReq, S::kNotYet, kAll},
      {"gpus", 'G', kReq, S::kNotYet, kAll},
      {"gpus-per-node", 0, kReq, S::kNotYet, kAll},
      {"gpus-per-socket", 0, kReq, S::kNotYet, kAll},
      {"gpus-per-task", 0, kReq, S::kNotYet, kAll},
      {"cpus-per-gpu", 0, kReq, S::kNotYet, kAll},
      {"mem-per-gpu", 0, kReq, S::kNotYet, kAll},
      {"ntasks-per-gpu", 0, kReq, S::kNotYet, kAll},
      {"gpu-bind", 0, kReq, S::kNotYet, kAll},
      {"gpu-freq", 0, kReq, S::kNotYet, kAll},
      {"signal", 0, kReq, S::kNotYet, kAll},
      {"licenses", 'L', kReq, S::kNotYet, kAll},
      {"clusters", 'M', kReq, S::kNotYet, kAll},
      {"cluster-constraint", 0, kReq, S::kNotYet, kAll},
      {"bb", 0, kReq, S::kNotYet, kAll},
      {"bbf", 0, kReq, S::kNotYet, kAll},
      {"container", 0, kReq, S::kNotYet, kAll},
      {"uid", 0, kReq, S::kNotYet, kAll},
      {"gid", 0, kReq, S::kNotYet, kAll},
      {"test-only", 0, kNo, S::kNotYet, kSbatch | kSrun},
      {"wait", 'W', kNo, S::kNotYet, kSbatch | kSrun},
      {"open-mode", 0, kReq, S::kNotYet, kSbatch | kSrun},
      {"input", 'i', kReq, S::kNotYet, kSbatch | kSrun},
      {"export-file", 0, kReq, S::kNotYet, kSbatch},
      {"nodefile", 'F', kReq, S::kNotYet, kAll},
      {"time-min", 0, kReq, S::kNotYet, kAll},
      {"core-spec", 'S', kReq, S::kNotYet, kAll},
      {"thread-spec", 0, kReq, S::kNotYet, kAll},
      {"extra-node-info", 'B', kReq, S::kNotYet, kAll},
      {"sockets-per-node", 0, kReq, S::kNotYet, kAll},
      {"cores-per-socket", 0, kReq, S::kNotYet, kAll},
      {"threads-per-core", 0, kReq, S::kNotYet, kAll},
      {"ntasks-per-core", 0, kReq, S::kNotYet, kAll},
      {"ntasks-per-socket", 0, kReq, S::kNotYet, kAll},
      {"mincpus", 0, kReq, S::kNotYet, kAll},
      {"overcommit", 'O', kNo, S::kNotYet, kAll},
      {"oversubscribe", 's', kNo, S::kNotYet, kAll},
      {"tmp", 0, kReq, S::kNotYet, kAll},
      {"distribution", 'm', kReq, S::kNotYet, kAll},
      {"hint", 0, kReq, S::kNotYet, kAll},
      {"priority", 0, kReq, S::kNotYet, kAll},
      {"batch", 0, kReq, S::kNotYet, kSbatch},
      {"prefer", 0, kReq, S::kNotYet, kAll},
      {"hold", 'H', kNo, S::kNotYet, kSalloc | kSrun},
      {"immediate", 'I', kOpt, S::kNotYet, kSalloc | kSrun},
      {"kill-command", 'K', kOpt, S::kNotYet, kSalloc},
      {"no-shell", 0, kNo, S::kNotYet, kSalloc},
      {"x11", 0, kOpt, S::kNotYet, kSalloc | kSrun},
      {"bcast", 0, kOpt, S::kNotYet, kSrun},
      {"bcast-exclude", 0, kReq, S::kNotYet, kSrun},
      {"prolog", 0, kReq, S::kNotYet, kSrun},
      {"epilog", 0, kReq, S::kNotYet, kSrun},
      {"task-prolog", 0, kReq, S::kNotYet, kSrun},
      {"task-epilog", 0, kReq, S::kNotYet, kSrun},
      {"het-group", 0, kReq, S::kNotYet, kSrun},
      {"multi-prog", 0, kNo, S::kNotYet, kSrun},
      {"no-allocate", 'Z', kNo, S::kNotYet, kSrun},
      {"preserve-env", 'E', kNo, S::kNotYet, kSrun},
      {"pty", 0, kNo, S::kNotYet, kSrun},
      {"relative", 'r', kReq, S::kNotYet, kSrun},
      // Accepted; herd does not act on them (a warning says so).
      {"account", 'A', kReq, S::kNoEffect, kAll},
      {"qos", 'q', kReq, S::kNoEffect, kAll},
      {"comment", 0, kReq, S::kNoEffect, kAll},
      {"mail-type", 0, kReq, S::kNoEffect, kAll},
      {"mail-user", 0, kReq, S::kNoEffect, kAll},
      {"wckey", 0, kReq, S::kNoEffect, kAll},
      {"profile", 0, kReq, S::kNoEffect, kAll},
      {"acctg-freq", 0, kReq, S::kNoEffect, kAll},
      {"cpu-freq", 0, kReq, S::kNoEffect, kAll},
      {"delay-boot", 0, kReq, S::kNoEffect, kAll},
      {"power", 0, kReq, S::kNoEffect, kAll},
      {"reboot", 0, kNo, S::kNoEffect, kAll},
      {"mcs-label", 0, kReq, S::kNoEffect, kAll},
      {"no-kill", 'k', kOpt, S::kNoEffect, kAll},
      {"network", 0, kReq, S::kNoEffect, kAll},
      {"get-user-env", 0, kOpt, S::kNoEffect, kSbatch | kSalloc},
      {"propagate", 0, kOpt, S::kNoEffect, kSbatch | kSrun},
      {"mem-bind", 0, kReq, S::kNoEffect, kAll},
      {"use-min-nodes", 0, kNo, S::kNoEffect, kAll},
      {"spread-job", 0, kNo, S::kNoEffect, kAll},
      {"contiguous", 0, kNo, S::kNoEffect, kAll},
      {"switches", 0, kReq, S::kNoEffect, kAll},
      {"wait-all-nodes", 0, kReq, S::kNoEffect, kSbatch | kSalloc},
      {"accel-bind", 0, kReq, S::kNoEffect, kSrun},
      {"compress", 0, kOpt, S::kNoEffect, kSrun},
      {"disable-status", 'X', kNo, S::kNoEffect, kSrun},
      {"exact", 0, kNo, S::kNoEffect, kSrun},
      {"msg-timeout", 0, kReq, S::kNoEffect, kSrun},
      {"quit-on-interrupt", 0, kNo, S::kNoEffect, kSrun},
      {"send-libs", 0, kOpt, S::kNoEffect, kSrun},
      {"slurmd-debug", 0, kReq, S::kNoEffect, kSrun},
      {"threads", 'T', kReq, S::kNoEffect, kSrun},
      // Nothing to act on.
      {"verbose", 'v', kNo, S::kQuiet, kAll},
      {"ignore-pbs", 0, kNo, S::kQuiet, kSbatch},
      {"bell", 0, kNo, S::kQuiet, kSalloc},
      {"no-bell", 0, kNo, S::kQuiet, kSalloc},
  };
  return list;
}

}  // namespace

const std::vector<ForeignOption>& ForeignCatalogue() { return Catalogue(); }

const ForeignOption* FindForeignOption(int opt) {
  const std::vector<ForeignOption>& list = Catalogue();
  if (opt >= kForeignOptionBase && opt < kForeignOptionBase + static_cast<int>(list.size())) {
    return &list[static_cast<size_t>(opt - kForeignOptionBase)];
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

Status TakeForeignCode(int opt, std::vector<std::string>* ignored) {
  const ForeignOption* f = FindForeignOption(opt);
  if (f == nullptr) return UsageError("unexpected option");
  return TakeForeignOption(*f, ignored);
}

Status WarnIgnoredOptions(const std::string& cmd, const std::vector<std::string>& ignored,
                          bool refuse) {
  if (ignored.empty()) return Status::Ok();
  const std::string what = IgnoredOptionsWarning(ignored);
  if (refuse) return InvalidArgument(what + " (UnsupportedOptions=error)");
  std::fprintf(stderr, "%s: warning: %s\n", cmd.c_str(), what.c_str());
  return Status::Ok();
}

std::string IgnoredOptionsWarning(const std::vector<std::string>& ignored) {
  std::string names;
  for (const std::string& n : ignored) names += (names.empty() ? "" : ", ") + n;
  return names + ": accepted, but herd does not act on " + (ignored.size() == 1 ? "it" : "them") +
         " yet";
}

}  // namespace herd::cli
