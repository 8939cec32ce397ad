// herd hshare — show the fair-share tree (sshare's interface). Options and the table:
// hshare.cc. This file asks the controller and prints.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include "commands/hshare/hshare.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"

namespace {
const char* Cmd() { return herd::cli::Name().c_str(); }
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hshare", "sshare");
  using namespace herd;
  auto opts = hshare::ParseHshareArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hshare::HshareUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  auto rep = (*client)->Read<proto::QueryShareReply>(proto::QueryShareRequest{});
  if (!rep.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(rep.error()).message());
  const struct passwd* pw = getpwuid(getuid());
  std::fputs(hshare::Render(*opts, *rep, pw != nullptr ? pw->pw_name : "").c_str(), stdout);
  return 0;
}
