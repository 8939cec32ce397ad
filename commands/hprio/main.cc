// herd hprio — show the pending jobs' priority factors (sprio's interface). Options,
// formats and the table: hprio.cc. This file asks the controller and prints.
#include <cstdio>

#include "commands/hprio/hprio.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"

namespace {
const char* Cmd() { return herd::cli::Name().c_str(); }
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hprio", "sprio");
  using namespace herd;
  auto opts = hprio::ParseHprioArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hprio::HprioUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  // A bad format is reported before the controller is asked.
  if (!opts->format.empty()) {
    auto check = hprio::Render(*opts, opts->format, {});
    if (!check.ok()) return cli::ReportError(Cmd(), check.error().message());
  }
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  proto::QueryPriorityRequest req;
  req.job_ids = opts->job_ids;
  req.users = opts->users;
  req.partitions = opts->partitions;
  auto rep = (*client)->Read<proto::QueryPriorityReply>(req);
  if (!rep.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(rep.error()).message());
  if (!rep->multifactor) {
    return cli::ReportError(Cmd(),
                            "You are not running a supported priority plugin\n"
                            "(priority/basic).\nOnly 'priority/multifactor' is supported.");
  }
  if (!opts->weights && rep->jobs.empty() && (opts->jobs_given || !opts->users.empty())) {
    std::printf("Unable to find jobs matching user/id(s) specified\n");
    return 0;
  }
  const std::string format =
      opts->format.empty() ? hprio::DefaultFormat(*opts, *rep) : opts->format;
  auto out = hprio::Render(*opts, format, *rep);
  if (!out.ok()) return cli::ReportError(Cmd(), out.error().message());
  std::fputs(out->c_str(), stdout);
  return 0;
}
