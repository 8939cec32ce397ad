// herd hcancel — cancel or signal jobs (scancel's interface). Options and messages:
// hcancel_options.cc. Prints nothing on success.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "commands/hcancel/hcancel_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "common/base/random.h"
#include "common/base/strings.h"

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }

// The live jobs the filter selects that -w, -A, -q and -R select and, with -i, that the user
// confirms one by one. Ids asked for that are unknown or ended stay, for the controller
// to answer as it does without -w and -i.
herd::Result<std::vector<uint64_t>> ChooseJobs(herd::cli::Client& client,
                                               const herd::hcancel::HcancelOptions& opts) {
  auto reply = client.QueryAllJobs(opts.filter);
  if (!reply.ok()) return herd::cli::DescribeCallError(reply.error());
  const std::vector<uint64_t>& asked = opts.filter.job_ids;
  std::vector<uint64_t> ids;
  std::set<uint64_t> seen;
  for (const herd::proto::JobInfo& j : reply->jobs) {
    seen.insert(j.job_id);
    if (herd::proto::IsFinished(j.state)) {
      if (std::find(asked.begin(), asked.end(), j.job_id) != asked.end()) ids.push_back(j.job_id);
      continue;
    }
    if (!herd::hcancel::Selected(j, opts)) continue;
    if (opts.interactive) {
      std::fputs(herd::hcancel::ConfirmPrompt(j).c_str(), stdout);
      std::fflush(stdout);
      std::string line;
      if (!std::getline(std::cin, line) || !herd::hcancel::ConfirmAnswer(line)) continue;
    }
    ids.push_back(j.job_id);
  }
  for (uint64_t id : asked) {
    if (seen.count(id) == 0) ids.push_back(id);
  }
  return ids;
}
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hcancel", "scancel");
  using namespace herd;
  auto opts = hcancel::ParseHcancelArgs(cli::Args(argc, argv));
  if (!opts.ok()) {
    // scancel prints these alone, without its name
    const std::string m = opts.error().message();
    if (cli::SlurmDialect() &&
        (StartsWith(m, "Invalid job state specified") || StartsWith(m, "Unknown job signal"))) {
      std::fprintf(stderr, "%s\n", m.c_str());
      return 1;
    }
    return cli::ReportStatus(Cmd(), opts.error());
  }
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
  if (hcancel::ChoosesJobs(*opts)) {
    // -w, -A, -q, -R and -i choose among the jobs the filter selects: ask which, then
    // cancel those.
    auto chosen = ChooseJobs(**client, *opts);
    if (!chosen.ok()) return cli::ReportError(Cmd(), chosen.error().message());
    if (chosen->empty()) return 0;
    req.filter.job_ids = *chosen;
  }
  req.signal = opts->signal;
  req.scope = opts->scope;
  req.token = RandomNonZeroU64();  // the same in every resend of this request
  auto reply = (*client)->Call<proto::CancelJobsReply>(req);
  if (!reply.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(reply.error()).message());
  const hcancel::Outcome out = hcancel::DescribeResults(reply->results, *opts);
  for (const std::string& line : out.info) std::fprintf(stderr, "%s: %s\n", Cmd(), line.c_str());
  for (const std::string& line : out.errors) cli::ReportError(Cmd(), line);
  return out.exit_code;
}
