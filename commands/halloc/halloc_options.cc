// herd halloc — option table and parsing.
#include "commands/halloc/halloc_options.h"

#include "commands/lib/cli.h"
#include "commands/lib/env_list.h"
#include "commands/lib/env_options.h"
#include "common/base/strings.h"

namespace herd::halloc {
namespace {

const cli::OptionTable& Table() {
  static const cli::OptionTable table = [] {
    cli::OptionTable t = {
        {"chdir", 'D', required_argument}, {"quiet", 'Q', no_argument},
        {"verbose", 'v', no_argument},     {"help", 'h', no_argument},
        {"usage", 0, no_argument, 'h'},    {"version", 'V', no_argument},
    };
    cli::AddAllocOptions(&t);
    t.AddForeign(cli::kSalloc);
    return t;
  }();
  return table;
}

Status Apply(int opt, const char* arg, HallocOptions* o) {
  if (cli::IsAllocOption(opt)) return cli::ApplyAllocOption(opt, arg, &o->alloc);
  switch (opt) {
    case 'D':
      o->chdir = arg != nullptr ? arg : "";
      break;
    case 'Q':
      o->quiet = true;
      break;
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

Result<HallocOptions> ParseHallocCommandLine(const std::vector<std::string>& args,
                                             const std::vector<std::string>& env) {
  HallocOptions o;
  auto apply = [&o](int opt, const char* arg) { return Apply(opt, arg, &o); };
  // SALLOC_* variables first: the command line overrides them.
  std::vector<std::string> none;
  HERD_RETURN_IF_ERROR(Table().Parse("halloc", cli::EnvironmentOptionWords(cli::kSalloc, env),
                                     /*stop_at_positional=*/true, apply, &none));
  HERD_RETURN_IF_ERROR(
      Table().Parse("halloc", args, /*stop_at_positional=*/true, apply, &o.command));
  if (o.help || o.version) return o;
  HERD_RETURN_IF_ERROR(cli::CheckAllocOptions(o.alloc));
  return o;
}

std::vector<std::string> CommandToRun(const HallocOptions& o, const std::vector<std::string>& env) {
  if (!o.command.empty()) return o.command;
  auto shell = cli::LookupEnv(env, "SHELL");
  if (shell && !Trim(*shell).empty()) return {*shell};
  return {"/bin/sh"};
}

std::string HallocUsage() {
  return R"(Usage: halloc [OPTIONS...] [command [args...]]
Obtain a job allocation, run a command in it (default: your shell) with the job's
environment (HERD_JOB_ID, HERD_JOB_NODELIST, ... and the SLURM_* equivalents, so hrun
and mpirun inside it use the allocation), and release the allocation when the command
ends. halloc exits with the command's exit status.

  -N, --nodes=N[-M]           number of nodes
  -n, --ntasks=ntasks         number of tasks
  -c, --cpus-per-task=ncpus   cpus per task
      --ntasks-per-node=n     tasks per node
  -p, --partition=partition   partition (default: the default one)
  -A, --account=name          account charged (recorded by accounting)
  -q, --qos=qos               quality of service (recorded by accounting)
  -t, --time=time             time limit
  -J, --job-name=name         name of the job (default: the command's name)
  -w, --nodelist=hosts        nodes the job must run on
  -x, --exclude=hosts         nodes the job must not run on
      --exclusive             do not share nodes with other jobs
      --mem=size              memory per node
      --mem-per-cpu=size      memory per allocated cpu
  -C, --constraint=list       required node features ('&', '|', (), f*N, [a|b])
      --nice[=value]          lower the job's priority (below 0: root or AdminUser only)
  -D, --chdir=directory       directory the command runs in
  -Q, --quiet                 no informational messages
  -v, --verbose               more messages

      --conf FILE             configuration (default: $HERD_CONF or /etc/herd/herd.conf)
  -h, --help                  show this help
  -V, --version               show the version
)";
}

}  // namespace herd::halloc
