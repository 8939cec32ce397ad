// herd halloc — option table and parsing.
#include "commands/halloc/halloc_options.h"

#include <getopt.h>

#include "commands/lib/cli.h"
#include "commands/lib/env_list.h"
#include "common/base/strings.h"

namespace herd::halloc {
namespace {

const std::string kShortOpts = std::string(cli::kAllocShortOpts) + "D:QvhV";

std::vector<struct option> LongOptions() {
  std::vector<struct option> opts;
  cli::AddAllocLongOptions(&opts);
  const struct option own[] = {
      {"chdir", required_argument, nullptr, 'D'}, {"quiet", no_argument, nullptr, 'Q'},
      {"verbose", no_argument, nullptr, 'v'},     {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},     {nullptr, 0, nullptr, 0},
  };
  opts.insert(opts.end(), std::begin(own), std::end(own));
  return opts;
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
      return cli::UsageError("unexpected option");
  }
  return Status::Ok();
}

}  // namespace

Result<HallocOptions> ParseHallocCommandLine(const std::vector<std::string>& args) {
  HallocOptions o;
  const std::vector<struct option> longopts = LongOptions();
  HERD_RETURN_IF_ERROR(cli::RunGetopt(
      "halloc", args, kShortOpts, longopts.data(), /*stop_at_positional=*/true,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &o.command));
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
  -t, --time=time             time limit
  -J, --job-name=name         name of the job (default: the command's name)
  -w, --nodelist=hosts        nodes the job must run on
  -x, --exclude=hosts         nodes the job must not run on
      --exclusive             do not share nodes with other jobs
      --mem=size              memory per node
      --mem-per-cpu=size      memory per allocated cpu
  -C, --constraint=list       required node features
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
