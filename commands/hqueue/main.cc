// herd hqueue — show the job queue (squeue's interface). Options: hqueue_options.cc;
// printing: hqueue_format.cc. This file asks the controller and prints.
#include <cstdio>
#include <ctime>

#include "commands/hqueue/hqueue_format.h"
#include "commands/hqueue/hqueue_options.h"
#include "commands/hqueue/hqueue_steps.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"

namespace {
constexpr char kCmd[] = "hqueue";
}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  auto opts = hqueue::ParseHqueueArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(kCmd, opts.error());
  if (opts->help) {
    std::fputs(hqueue::HqueueUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  std::string format = opts->format;
  if (format.empty()) format = opts->long_format ? hqueue::kLongFormat : hqueue::kDefaultFormat;
  // A bad format is reported before the controller is asked.
  if (!opts->json && !opts->steps) {
    auto check = hqueue::RenderJobs({}, 0, format, false);
    if (!check.ok()) return cli::ReportError(kCmd, check.error().message());
  }

  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(kCmd, client.error().message());
  if (opts->from_passive) (*client)->set_from_passive(true);
  if (opts->steps) {
    proto::QueryStepsRequest sreq;
    sreq.job_ids = opts->filter.job_ids;
    auto steps = (*client)->Read<proto::QueryStepsReply>(sreq);
    if (!steps.ok()) return cli::ReportError(kCmd, cli::DescribeCallError(steps.error()).message());
    std::vector<proto::StepInfo> shown;
    for (auto& s : steps->steps) {
      if (s.state == proto::JobState::kRunning || opts->all_states) shown.push_back(std::move(s));
    }
    auto table = hqueue::RenderSteps(
        shown, steps->now, opts->format.empty() ? hqueue::kDefaultStepFormat : opts->format,
        !opts->noheader);
    if (!table.ok()) return cli::ReportError(kCmd, table.error().message());
    std::fputs(table->c_str(), stdout);
    cli::PrintPassiveNote(kCmd, **client);
    return 0;
  }
  auto reply = (*client)->QueryAllJobs(opts->filter);
  if (!reply.ok()) return cli::ReportError(kCmd, cli::DescribeCallError(reply.error()).message());

  std::vector<proto::JobInfo> jobs;
  for (proto::JobInfo& j : reply->jobs) {
    if (hqueue::JobSelected(j, *opts)) jobs.push_back(std::move(j));
  }
  if (opts->json) {
    std::fputs(hqueue::JobsJson(jobs, reply->now).c_str(), stdout);
    cli::PrintPassiveNote(kCmd, **client);
    return 0;
  }
  if (opts->long_format && !opts->noheader) {
    const std::time_t now =
        static_cast<std::time_t>(reply->now > 0 ? reply->now : std::time(nullptr));
    char buf[64];
    std::tm tm{};
    if (localtime_r(&now, &tm) != nullptr &&
        std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm) > 0) {
      std::printf("%s\n", buf);
    }
  }
  auto table = hqueue::RenderJobs(jobs, reply->now, format, !opts->noheader);
  if (!table.ok()) return cli::ReportError(kCmd, table.error().message());
  std::fputs(table->c_str(), stdout);
  cli::PrintPassiveNote(kCmd, **client);
  return 0;
}
