// herd hcancel — cancel or signal jobs (scancel's interface). Options and messages:
// hcancel_options.cc. Prints nothing on success.
#include <cstdio>

#include "commands/hcancel/hcancel_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "common/base/random.h"

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hcancel", "scancel");
  using namespace herd;
  auto opts = hcancel::ParseHcancelArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hcancel::HcancelUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  proto::CancelJobsRequest req;
  req.filter = opts->filter;
  req.signal = opts->signal;
  req.token = RandomNonZeroU64();  // the same in every resend of this request
  auto reply = (*client)->Call<proto::CancelJobsReply>(req);
  if (!reply.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(reply.error()).message());
  const hcancel::Outcome out = hcancel::DescribeResults(reply->results, *opts);
  for (const std::string& line : out.info) std::fprintf(stderr, "%s: %s\n", Cmd(), line.c_str());
  for (const std::string& line : out.errors) cli::ReportError(Cmd(), line);
  return out.exit_code;
}
