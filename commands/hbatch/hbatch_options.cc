// herd hbatch — option table, value parsing and option precedence.
#include "commands/hbatch/hbatch_options.h"

#include <getopt.h>

#include <ctime>

#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "commands/lib/time_parse.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "common/proto/feature_expr.h"

namespace herd::hbatch {
namespace {

// Long-only options get values above the char range.
enum LongOnly : int {
  kNtasksPerNode = 256,
  kMem,
  kMemPerCpu,
  kExport,
  kParsable,
  kExclusive,
  kRequeue,
  kNoRequeue,
  kNice,
  kWrap,
  kKillOnInvalidDep,
  kReservation,
};

// hbatch's own options, then the rest of sbatch's (commands/lib/slurm_options.h).
const cli::OptionTable& Table() {
  static const cli::OptionTable table = [] {
    cli::OptionTable t = {
        {"job-name", 'J', required_argument},
        {"partition", 'p', required_argument},
        {"account", 'A', required_argument},
        {"qos", 'q', required_argument},
        {"nodes", 'N', required_argument},
        {"ntasks", 'n', required_argument},
        {"cpus-per-task", 'c', required_argument},
        {"ntasks-per-node", 0, required_argument, kNtasksPerNode},
        {"mem", 0, required_argument, kMem},
        {"mem-per-cpu", 0, required_argument, kMemPerCpu},
        {"time", 't', required_argument},
        {"output", 'o', required_argument},
        {"error", 'e', required_argument},
        {"chdir", 'D', required_argument},
        {"export", 0, required_argument, kExport},
        {"hold", 'H', no_argument},
        {"parsable", 0, no_argument, kParsable},
        {"nodelist", 'w', required_argument},
        {"exclude", 'x', required_argument},
        {"exclusive", 0, optional_argument, kExclusive},
        {"requeue", 0, no_argument, kRequeue},
        {"no-requeue", 0, no_argument, kNoRequeue},
        {"constraint", 'C', required_argument},
        {"nice", 0, optional_argument, kNice},
        {"dependency", 'd', required_argument},
        {"array", 'a', required_argument},
        {"begin", 'b', required_argument},
        {"kill-on-invalid-dep", 0, required_argument, kKillOnInvalidDep},
        {"reservation", 0, required_argument, kReservation},
        {"quiet", 'Q', no_argument},
        {"wrap", 0, required_argument, kWrap},
        {"help", 'h', no_argument},
        {"usage", 0, no_argument, 'h'},
        {"version", 'V', no_argument},
    };
    t.AddForeign(cli::kSbatch);
    return t;
  }();
  return table;
}

// Slurm's nice range.
constexpr int64_t kMaxNice = 2147483645;

Result<uint64_t> ParseMemOption(const std::string& option, const std::string& value) {
  auto mb = ParseMemoryMb(Trim(value));
  if (!mb.ok()) return cli::BadOptionValue(option, mb.error());
  return *mb;
}

Status CheckHostlist(const std::string& option, const std::string& value) {
  auto hosts = ExpandHostlist(value);
  if (!hosts.ok())
    return InvalidArgument(option + ": invalid node list: " + hosts.error().message());
  if (hosts->empty()) return InvalidArgument(option + ": empty node list");
  return Status::Ok();
}

Status Apply(int opt, const char* arg, HbatchOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'J':
      o->job_name = v;
      break;
    case 'p':
      o->partition = Trim(v);
      break;
    case 'A':
      o->account = Trim(v);
      break;
    case 'q':
      o->qos = Trim(v);
      break;
    case 'N': {
      HERD_ASSIGN_OR_RETURN(o->nodes, ParseNodeCount(v));
      break;
    }
    case 'n': {
      HERD_ASSIGN_OR_RETURN(o->ntasks, cli::ParseCount("--ntasks", v, false));
      break;
    }
    case 'c': {
      HERD_ASSIGN_OR_RETURN(o->cpus_per_task, cli::ParseCount("--cpus-per-task", v, false));
      break;
    }
    case kNtasksPerNode: {
      HERD_ASSIGN_OR_RETURN(o->ntasks_per_node, cli::ParseCount("--ntasks-per-node", v, false));
      break;
    }
    case kMem: {
      HERD_ASSIGN_OR_RETURN(o->mem_mb, ParseMemOption("--mem", v));
      break;
    }
    case kMemPerCpu: {
      HERD_ASSIGN_OR_RETURN(o->mem_per_cpu_mb, ParseMemOption("--mem-per-cpu", v));
      break;
    }
    case 't': {
      auto t = ParseTimeLimit(Trim(v));
      if (!t.ok()) return cli::BadOptionValue("--time", t.error());
      // As in Slurm, a time limit of zero asks for no limit.
      o->time_limit_s = cli::OptionTimeLimit(*t);
      break;
    }
    case 'o':
      o->output = v;
      break;
    case 'e':
      o->error = v;
      break;
    case 'D':
      o->chdir = v;
      break;
    case kExport:
      o->export_spec = v;
      break;
    case 'H':
      o->hold = true;
      break;
    case kParsable:
      o->parsable = true;
      break;
    case 'w': {
      HERD_RETURN_IF_ERROR(CheckHostlist("--nodelist", v));
      o->nodelist = v;
      break;
    }
    case 'x': {
      HERD_RETURN_IF_ERROR(CheckHostlist("--exclude", v));
      o->exclude = v;
      break;
    }
    case kExclusive:
      HERD_RETURN_IF_ERROR(CheckExclusive(arg));
      o->exclusive = true;
      break;
    case kRequeue:
      o->requeue = true;
      break;
    case kNoRequeue:
      o->requeue = false;
      break;
    case 'C': {
      HERD_ASSIGN_OR_RETURN(o->constraints, ParseConstraint(v));
      break;
    }
    case kNice: {
      HERD_ASSIGN_OR_RETURN(o->nice, ParseNice(arg));
      break;
    }
    case 'd':
      o->dependency = v;
      break;
    case 'a':  // checked by the controller, as sbatch leaves it to slurmctld
      o->array = v;
      break;
    case kReservation:
      if (Trim(v).empty()) return InvalidArgument("Invalid --reservation specification");
      o->reservation = Trim(v);
      break;
    case 'b': {
      HERD_ASSIGN_OR_RETURN(o->begin_time,
                            cli::ParseBeginTime(v, static_cast<int64_t>(time(nullptr))));
      break;
    }
    case kKillOnInvalidDep: {
      const std::string w = ToLower(Trim(v));
      if (w != "yes" && w != "no") {
        return InvalidArgument("Invalid --kill-on-invalid-dep specification: '" + v +
                               "' (yes or no)");
      }
      o->kill_on_invalid_dep = w == "yes" ? 1 : 0;
      break;
    }
    case 'Q':
      o->quiet = true;
      break;
    case kWrap:
      o->wrap = v;
      break;
    case 'h':
      o->help = true;
      break;
    case 'V':
      o->version = true;
      break;
    default:
      return cli::TakeForeignCode(opt, &o->ignored_options);
  }
  return Status::Ok();
}

}  // namespace

Result<int32_t> ParseNice(const char* arg) {
  if (arg == nullptr) return 100;  // Slurm's default adjustment for a bare --nice
  const std::string v = arg;
  auto n = ParseInt(Trim(v));
  if (!n.ok() || *n > kMaxNice || *n < -kMaxNice) {
    return InvalidArgument("invalid --nice value '" + v + "'");
  }
  return static_cast<int32_t>(*n);
}

Status CheckExclusive(const char* arg) {
  if (arg == nullptr) return Status::Ok();
  const std::string v = arg;
  if (v == "user" || v == "mcs" || v == "topo") {
    return InvalidArgument("--exclusive=" + v + " is not supported (use --exclusive)");
  }
  return cli::BadOptionValue("--exclusive",
                             InvalidArgument("'" + v + "' is none of user, mcs, topo"));
}

Result<std::pair<uint32_t, uint32_t>> ParseNodeCount(const std::string& text) {
  const std::string t = Trim(text);
  const size_t dash = t.find('-');
  if (dash == std::string::npos) {
    HERD_ASSIGN_OR_RETURN(uint32_t n, cli::ParseCount("--nodes", t, false));
    return std::make_pair(n, 0u);
  }
  HERD_ASSIGN_OR_RETURN(uint32_t lo, cli::ParseCount("--nodes", t.substr(0, dash), false));
  HERD_ASSIGN_OR_RETURN(uint32_t hi, cli::ParseCount("--nodes", t.substr(dash + 1), false));
  if (hi < lo) return InvalidArgument("invalid node count '" + text + "': maximum below minimum");
  return std::make_pair(lo, hi == lo ? 0u : hi);
}

Result<std::vector<std::string>> ParseConstraint(const std::string& text) {
  HERD_ASSIGN_OR_RETURN(proto::FeatureRequest parsed, proto::ParseFeatures(text));
  // Names ANDed go as a list (as every herd release reads them); anything more as the
  // one expression it is (proto/feature_expr.h).
  if (proto::IsFeatureExpression(text)) return std::vector<std::string>{Trim(text)};
  return parsed.names;
}

Status ParseHbatchOptions(const std::vector<std::string>& args, HbatchOptions* out,
                          std::vector<std::string>* positional) {
  return Table().Parse(
      "hbatch", args, /*stop_at_positional=*/true,
      [out](int opt, const char* arg) { return Apply(opt, arg, out); }, positional);
}

Status CheckOptionSource(const HbatchOptions& o) {
  if (o.mem_mb && o.mem_per_cpu_mb) {
    return InvalidArgument("--mem and --mem-per-cpu are mutually exclusive");
  }
  return Status::Ok();
}

void MergeOptions(const HbatchOptions& over, HbatchOptions* base) {
  auto take = [](const auto& from, auto& to) {
    if (from) to = from;
  };
  take(over.job_name, base->job_name);
  take(over.partition, base->partition);
  take(over.account, base->account);
  take(over.qos, base->qos);
  take(over.nodes, base->nodes);
  take(over.ntasks, base->ntasks);
  take(over.cpus_per_task, base->cpus_per_task);
  take(over.ntasks_per_node, base->ntasks_per_node);
  if (over.mem_mb || over.mem_per_cpu_mb) {
    base->mem_mb = over.mem_mb;
    base->mem_per_cpu_mb = over.mem_per_cpu_mb;
  }
  take(over.time_limit_s, base->time_limit_s);
  take(over.output, base->output);
  take(over.error, base->error);
  take(over.chdir, base->chdir);
  take(over.export_spec, base->export_spec);
  take(over.nodelist, base->nodelist);
  take(over.exclude, base->exclude);
  take(over.constraints, base->constraints);
  take(over.nice, base->nice);
  take(over.dependency, base->dependency);
  take(over.array, base->array);
  take(over.begin_time, base->begin_time);
  take(over.reservation, base->reservation);
  take(over.kill_on_invalid_dep, base->kill_on_invalid_dep);
  take(over.hold, base->hold);
  take(over.exclusive, base->exclusive);
  take(over.requeue, base->requeue);
  take(over.parsable, base->parsable);
  take(over.quiet, base->quiet);
  take(over.wrap, base->wrap);
  for (const std::string& name : over.ignored_options) {
    bool seen = false;
    for (const std::string& n : base->ignored_options) seen = seen || n == name;
    if (!seen) base->ignored_options.push_back(name);
  }
  base->help = base->help || over.help;
  base->version = base->version || over.version;
}

std::string HbatchUsage() {
  return R"(Usage: hbatch [OPTIONS...] script [args...]
       hbatch [OPTIONS...] --wrap="command"
Submit a batch script to herd. Options may also be given in the script on
"#HERD" or "#SBATCH" lines before its first command; the command line wins.

  -J, --job-name=name         name of the job (default: script file name)
  -p, --partition=partition   partition to run in (default: the default one)
  -A, --account=name          account the job is charged to (recorded by accounting)
  -q, --qos=qos               quality of service (recorded by accounting)
  -N, --nodes=N[-M]           number of nodes (minimum, optionally a maximum)
  -n, --ntasks=ntasks         number of tasks
  -c, --cpus-per-task=ncpus   cpus per task
      --ntasks-per-node=n     tasks per node
      --mem=size[K|M|G|T]     memory per node (default unit MB)
      --mem-per-cpu=size      memory per allocated cpu
  -t, --time=time             time limit: min, min:sec, h:min:sec, d-h, d-h:min,
                              d-h:min:sec, UNLIMITED
  -o, --output=pattern        stdout file (%j job id, %x name, %u user, %N node)
  -e, --error=pattern         stderr file (default: same as --output)
  -D, --chdir=directory       working directory of the job
      --export=ALL|NONE|list  environment passed to the job (default ALL);
                              a list "VAR1,VAR2=value" exports only those
                              unless it contains ALL
  -H, --hold                  submit the job held
  -w, --nodelist=hosts        nodes the job must run on
  -x, --exclude=hosts         nodes the job must not run on
      --exclusive             do not share nodes with other jobs
      --requeue, --no-requeue whether the job may be requeued
  -C, --constraint=list       required node features: '&' (or ','), '|', (), a node
                              count 'f*N', one [a|b] (all nodes alike) or [a*2&b*4]
      --nice[=value]          lower the job's priority (below 0: root or AdminUser only)
  -d, --dependency=list       start only after other jobs: after, afterany, afterok,
                              afternotok:jobid[+min][:jobid...], singleton; joined by
                              ',' (all) or '?' (any)
      --kill-on-invalid-dep=yes|no  cancel the job if its dependency can never be met
  -a, --array=indexes         a job array: 0-99, 1,3,5-7, 0-99:3 (every third), with
                              %N to run at most N tasks at once (0-99%10)
  -b, --begin=time            start no earlier: now+N[seconds|minutes|hours|days|weeks],
                              HH:MM[:SS], YYYY-MM-DD[THH:MM[:SS]], MM/DD[/YY], today,
                              tomorrow, midnight, noon, fika, teatime
      --reservation=name      run in this advance reservation (on its nodes, in its
                              window)
      --wrap="command"        run command in a generated /bin/sh script
      --parsable              print only the job id
  -Q, --quiet                 print nothing but errors

Every other option of Slurm 22.05's sbatch is known: those herd does not act on
(--mail-type, --comment, --wckey, ...) are accepted with a warning
(UnsupportedOptions=error in herd.conf refuses them); those whose feature herd
does not have yet (--gres, --signal, ...) are refused.

      --conf FILE             configuration (default: $HERD_CONF or /etc/herd/herd.conf)
  -h, --help                  show this help
  -V, --version               show the version
)";
}

}  // namespace herd::hbatch
