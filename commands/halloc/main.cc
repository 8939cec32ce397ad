// herd halloc — obtain a job allocation and run a command in it (salloc's interface).
// Options: halloc_options.cc; the command's environment: halloc_env.cc; allocation,
// command and release: halloc_run.cc.
#include <csignal>
#include <cstdio>

#include "commands/halloc/halloc_options.h"
#include "commands/halloc/halloc_run.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "commands/lib/env_list.h"
#include "commands/lib/signal_watch.h"
#include "commands/lib/slurm_options.h"

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "halloc", "salloc");
  using namespace herd;
  // Before anything else: no thread may exist yet that could take these signals.
  auto signals = cli::SignalWatch::Create(halloc::WatchedSignals());
  if (!signals.ok()) return cli::ReportError(Cmd(), signals.error().message());
  std::signal(SIGPIPE, SIG_IGN);

  auto opts = halloc::ParseHallocCommandLine(cli::Args(argc, argv), cli::ProcessEnvironment());
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(halloc::HallocUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
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
  return halloc::RunHalloc(*opts, cli::ProcessEnvironment(), *cwd, client->get(), signals->get());
}
