// herd hrun — run a parallel job step (srun's interface). Options: hrun_options.cc; specs:
// hrun_spec.cc; allocation and step creation: hrun_run.cc; the running step:
// step_session.cc. This file sets up signals, reads the environment and configuration.
#include <csignal>
#include <cstdio>

#include "commands/hrun/hrun_options.h"
#include "commands/hrun/hrun_run.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "commands/lib/env_list.h"
#include "commands/lib/signal_watch.h"
#include "commands/lib/slurm_options.h"

extern char** environ;

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hrun", "srun");
  using namespace herd;
  // Before anything else: no thread may exist yet that could take these signals.
  auto signals = cli::SignalWatch::Create(cli::ForwardedSignals());
  if (!signals.ok()) return cli::ReportError(Cmd(), signals.error().message());
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  auto opts = hrun::ParseHrunCommandLine(cli::Args(argc, argv), env);
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hrun::HrunUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  if (opts->mpi && *opts->mpi == "list") {
    std::fputs(hrun::MpiTypeList().c_str(), stdout);
    return 0;
  }

  opts->alloc.submit_line = cli::SubmitLine(argc, argv);
  auto cwd = cli::CurrentDir();
  if (!cwd.ok()) return cli::ReportError(Cmd(), cwd.error().message());
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  if (Status st = cli::WarnIgnoredOptions(Cmd(), opts->alloc.ignored_options,
                                          (*client)->config().unsupported_options_error);
      !st.ok()) {
    return cli::ReportError(Cmd(), st.message());
  }
  hrun::HrunContext ctx;
  ctx.env = cli::ProcessEnvironment();
  ctx.cwd = *cwd;
  ctx.mpi_default = (*client)->config().mpi_default;
  return hrun::RunHrun(*opts, ctx, client->get(), signals->get());
}
