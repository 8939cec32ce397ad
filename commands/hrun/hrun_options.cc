// herd hrun — option table, value parsing and normalization.
#include "commands/hrun/hrun_options.h"

#include <cctype>

#include "commands/lib/cli.h"
#include "commands/lib/env_options.h"
#include "common/base/strings.h"

namespace herd::hrun {
namespace {

// Long-only options; above the allocation options' range.
enum LongOnly : int {
  kExport = 0x300,
  kCpuBind,
  kMpi,
  kJobid,
  kOverlap,
  kExternalLauncher,
  kGres,
  kResvPorts,
};

const cli::OptionTable& Table() {
  static const cli::OptionTable table = [] {
    cli::OptionTable t = {
        {"chdir", 'D', required_argument},
        {"export", 0, required_argument, kExport},
        {"distribution", 'm', required_argument},
        {"cpu-bind", 0, required_argument, kCpuBind},
        {"cpu_bind", 0, required_argument, kCpuBind},  // Open MPI 4.1 spells it so
        {"mpi", 0, required_argument, kMpi},
        {"label", 'l', no_argument},
        {"kill-on-bad-exit", 'K', optional_argument},
        {"output", 'o', required_argument},
        {"error", 'e', required_argument},
        {"input", 'i', required_argument},
        {"jobid", 0, required_argument, kJobid},
        {"overlap", 0, no_argument, kOverlap},
        {"external-launcher", 0, no_argument, kExternalLauncher},
        {"gres", 0, required_argument, kGres},
        {"resv-ports", 0, optional_argument, kResvPorts},
        {"unbuffered", 'u', no_argument},
        {"quiet", 'Q', no_argument},
        {"wait", 'W', required_argument},
        {"verbose", 'v', no_argument},
        {"help", 'h', no_argument},
        {"usage", 0, no_argument, 'h'},
        {"version", 'V', no_argument},
    };
    cli::AddAllocOptions(&t);
    t.AddForeign(cli::kSrun);
    return t;
  }();
  return table;
}

bool IsCpuListItem(const std::string& item) {
  if (item.empty()) return false;
  for (char c : item) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != 'x' && c != 'X' && c != '*') {
      return false;
    }
  }
  return true;
}

// "none" stays; "/dev/null" for Slurm's "none" on output streams.
std::string OutputPattern(const std::string& v) {
  return EqualsIgnoreCase(Trim(v), "none") ? "/dev/null" : v;
}

Status Apply(int opt, const char* arg, HrunOptions* o) {
  if (cli::IsAllocOption(opt)) return cli::ApplyAllocOption(opt, arg, &o->alloc);
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'D':
      o->chdir = v;
      break;
    case kExport:
      o->export_spec = v;
      break;
    case 'm': {
      HERD_ASSIGN_OR_RETURN(o->distribution, ParseDistribution(v));
      break;
    }
    case kCpuBind: {
      HERD_ASSIGN_OR_RETURN(o->cpu_bind, ParseCpuBind(v));
      break;
    }
    case kMpi: {
      HERD_ASSIGN_OR_RETURN(o->mpi, ParseMpiType(v));
      break;
    }
    case 'l':
      o->label = true;
      break;
    case 'K':
      if (arg == nullptr || v == "1") {
        o->kill_on_bad_exit = true;
      } else if (v == "0") {
        o->kill_on_bad_exit = false;
      } else {
        return InvalidArgument("invalid --kill-on-bad-exit value '" + v + "' (0 or 1)");
      }
      break;
    case 'o':
      o->output = OutputPattern(v);
      break;
    case 'e':
      o->error = OutputPattern(v);
      break;
    case 'i': {
      const std::string t = Trim(v);
      if (EqualsIgnoreCase(t, "all") || (!t.empty() && ParseUint(t).ok() && t != "0")) {
        return InvalidArgument("--input=" + v + ": only task 0 can read hrun's standard input");
      }
      if (t != "0") o->input = EqualsIgnoreCase(t, "none") ? "none" : v;
      break;
    }
    case kJobid: {
      // "123" or "123.4" (a step: its job is meant).
      const std::string t = Trim(v);
      HERD_ASSIGN_OR_RETURN(o->jobid, cli::ParseJobId(t.substr(0, t.find('.'))));
      break;
    }
    case kOverlap:
    case kExternalLauncher:
      o->overlap = true;
      break;
    case kGres:
      if (!Trim(v).empty() && !EqualsIgnoreCase(Trim(v), "none")) {
        return InvalidArgument("--gres=" + v + ": generic resources are not supported");
      }
      break;
    case kResvPorts:
      break;  // ports are not reserved; Open MPI copes without them
    case 'u':
      o->unbuffered = true;
      break;
    case 'Q':
      o->quiet = true;
      break;
    case 'W': {
      HERD_ASSIGN_OR_RETURN(o->wait_s, cli::ParseCount("--wait", v, true));
      break;
    }
    case 'v':
      ++o->verbose;
      break;
    case 'h':
      o->help = true;
      break;
    case 'V':
      o->version = true;
      break;
    default:
      return cli::TakeForeignCode(opt, &o->alloc.ignored_options);
  }
  return Status::Ok();
}

}  // namespace

Result<HrunOptions> ParseHrunCommandLine(const std::vector<std::string>& args,
                                         const std::vector<std::string>& env) {
  HrunOptions o;
  auto apply = [&o](int opt, const char* arg) { return Apply(opt, arg, &o); };
  // srun's input variables first: the command line overrides them.
  std::vector<std::string> none;
  HERD_RETURN_IF_ERROR(Table().Parse("hrun", cli::EnvironmentOptionWords(cli::kSrun, env),
                                     /*stop_at_positional=*/true, apply, &none));
  HERD_RETURN_IF_ERROR(Table().Parse("hrun", args, /*stop_at_positional=*/true, apply, &o.argv));
  if (o.help || o.version || o.mpi == std::optional<std::string>("list")) return o;
  HERD_RETURN_IF_ERROR(cli::CheckAllocOptions(o.alloc));
  if (o.argv.empty()) return InvalidArgument("No command given to execute.");
  return o;
}

Result<std::string> ParseDistribution(const std::string& text) {
  const std::vector<std::string> parts = Split(ToLower(Trim(text)), ':', /*keep_empty=*/true);
  auto bad = [&text]() {
    return InvalidArgument("Invalid --distribution specification '" + text +
                           "' (block|cyclic[:block|cyclic])");
  };
  if (parts.empty() || parts.size() > 2) return bad();
  std::vector<std::string> out;
  for (const std::string& p : parts) {
    if (p == "*" || p == "block") {
      out.push_back("block");
    } else if (p == "cyclic") {
      out.push_back("cyclic");
    } else {
      return bad();
    }
  }
  return Join(out, ":");
}

Result<std::string> ParseCpuBind(const std::string& text) {
  const std::vector<std::string> items = Split(Trim(text), ',', /*keep_empty=*/true);
  std::string type;
  bool verbose = false;
  bool verbosity_given = false;  // "verbose" or "quiet"
  bool in_list = false;          // after map_cpu:/mask_cpu:, numbers continue the list
  auto bad = [&text](const std::string& why) {
    return InvalidArgument("invalid --cpu-bind '" + text + "': " + why);
  };
  for (const std::string& raw : items) {
    const std::string item = ToLower(Trim(raw));
    if (item == "verbose" || item == "v") {
      verbose = true;
      verbosity_given = true;
    } else if (item == "quiet" || item == "q") {
      verbose = false;
      verbosity_given = true;
    } else if (in_list && IsCpuListItem(item)) {
      type += "," + item;
      continue;
    } else if (!type.empty()) {
      return bad("more than one binding type");
    } else if (item == "none" || item == "no") {
      type = "none";
    } else if (item == "cores" || item == "threads" || item == "sockets") {
      type = item;
    } else if (StartsWith(item, "map_cpu:") || StartsWith(item, "mask_cpu:")) {
      const std::string list = item.substr(item.find(':') + 1);
      if (!IsCpuListItem(list)) return bad("bad cpu list");
      type = item;
      in_list = true;
      continue;
    } else {
      return bad("unknown type '" + item + "'");
    }
    in_list = false;
  }
  if (type.empty()) {
    // "verbose" or "quiet" alone keeps the default binding (cores), as srun does
    // (Snakemake runs its rules with `srun -n1 --cpu-bind=q`).
    if (verbosity_given) return std::string(verbose ? "cores,verbose" : "cores");
    return bad("no binding type");
  }
  return verbose ? type + ",verbose" : type;
}

Result<std::string> ParseMpiType(const std::string& text) {
  std::string t = ToLower(Trim(text));
  if (StartsWith(t, "mpi/")) t = t.substr(4);
  if (t == "none" || t == "list") return t;
  if (t == "pmix" || StartsWith(t, "pmix_v")) return std::string("pmix");
  return InvalidArgument("invalid MPI type '" + text + "', --mpi=list for acceptable types");
}

std::string MpiTypeList() { return "MPI plugin types are...\n\tnone\n\tpmix\n"; }

std::string HrunUsage() {
  return R"(Usage: hrun [OPTIONS...] executable [args...]
Run a parallel job step: inside an allocation (hbatch script, halloc, or --jobid) it
uses the job's nodes; otherwise it first allocates nodes itself and releases them at
the end. Output of the tasks comes back here; stdin goes to task 0; signals go to all.

Allocation and step size:
  -N, --nodes=N[-M]           number of nodes
  -n, --ntasks=ntasks         number of tasks
  -c, --cpus-per-task=ncpus   cpus per task
      --ntasks-per-node=n     tasks per node
  -w, --nodelist=hosts        nodes to use
  -x, --exclude=hosts         nodes not to use
      --exclusive             nodes (standalone) or cpus (in a job) not shared
      --overlap               share cpus with other running steps
  -t, --time=time             time limit
  -p, --partition=partition   partition (standalone only)
  -A, --account=name          account charged (standalone only; recorded)
  -q, --qos=qos               quality of service (standalone only; recorded)
  -J, --job-name=name         name of the job and step
      --mem=size, --mem-per-cpu=size, -C, --constraint=list   (standalone only)
      --nice[=value]          lower the job's priority (standalone only; below 0: root)
      --jobid=id              run in this job (default: $HERD_JOB_ID, $SLURM_JOB_ID)

Tasks:
  -D, --chdir=directory       working directory of the tasks
      --export=ALL|NONE|list  environment passed to the tasks (default ALL)
  -m, --distribution=block|cyclic[:block|cyclic]   placement of the tasks
      --cpu-bind=type         none|cores|threads|sockets|map_cpu:..|mask_cpu:..[,verbose]
      --mpi=pmix|none|list    MPI bootstrap (default: MpiDefault of herd.conf)
  -K, --kill-on-bad-exit[=0|1] kill every task when one exits non-zero
  -W, --wait=seconds          kill the rest this long after the first task ends

Input and output:
  -o, --output=pattern        task stdout to files (%t task, %n node index, %N node,
                              %j job, %s step); default: to hrun's stdout
  -e, --error=pattern         task stderr to files
  -i, --input=none|pattern    stdin of the tasks (default: hrun's stdin to task 0)
  -l, --label                 prefix every output line with its task number
  -u, --unbuffered            write partial lines as soon as they arrive
  -Q, --quiet                 no informational messages
  -v, --verbose               more messages

      --conf FILE             configuration (default: $HERD_CONF or /etc/herd/herd.conf)
  -h, --help                  show this help
  -V, --version               show the version

Environment: HERD_IO_ADDR is the address the nodes reach hrun at (default: 127.0.0.1
for a controller on loopback, else this host's address on the route to the controller).
)";
}

}  // namespace herd::hrun
