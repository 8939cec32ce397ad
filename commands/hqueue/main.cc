// herd hqueue — show the job queue (squeue's interface). Options: hqueue_options.cc;
// printing: hqueue_format.cc. This file asks the controller and prints.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "commands/hqueue/hqueue_format.h"
#include "commands/hqueue/hqueue_options.h"
#include "commands/hqueue/hqueue_sort.h"
#include "commands/hqueue/hqueue_steps.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "commands/lib/field_format.h"
#include "commands/lib/timefmt.h"

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }

// The jobs the options select, in their order and format: one screenful (0: shown).
int ShowJobs(herd::cli::Client& client, const herd::hqueue::HqueueOptions& opts,
             const std::string& format) {
  using namespace herd;
  auto reply = client.QueryAllJobs(hqueue::QueryFilter(opts));
  if (!reply.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(reply.error()).message());

  // As squeue: one job id asked for that the controller does not know is an error.
  const auto known = [&reply](uint64_t id) {
    for (const proto::JobInfo& j : reply->jobs) {
      if (j.job_id == id || j.array_job_id == id) return true;
    }
    return false;
  };
  // (A task id of a known array that is not there is no error, as squeue.)
  const std::vector<uint64_t> asked = hqueue::QueryFilter(opts).job_ids;
  if (asked.size() == 1 && !known(asked[0])) {
    return cli::ReportLoadError(Cmd(), "slurm_load_jobs", "Invalid job id specified");
  }
  std::vector<proto::JobInfo> jobs;
  for (proto::JobInfo& j : reply->jobs) {
    if (!hqueue::JobSelected(j, opts)) continue;
    hqueue::NarrowToTasks(&j, opts);
    jobs.push_back(std::move(j));
  }
  if (opts.array_tasks) hqueue::ExpandArrayTasks(&jobs);
  // The order: -S, else $SQUEUE_SORT, else squeue's. As squeue, a bad key is found after
  // the header is out.
  std::string sort = opts.sort;
  if (sort.empty()) {
    const char* env = std::getenv("SQUEUE_SORT");
    sort = env != nullptr && *env != '\0' ? env : hqueue::kDefaultSort;
  }
  std::vector<std::string> sort_warnings;
  auto keys = hqueue::ParseSortKeys(sort, &sort_warnings);
  for (const std::string& w : sort_warnings) std::fprintf(stderr, "%s: %s\n", Cmd(), w.c_str());
  if (!keys.ok()) {
    if (!opts.json && !opts.noheader) {
      auto header = hqueue::RenderJobs({}, reply->now, format, true);
      if (header.ok()) std::fputs(header->c_str(), stdout);
    }
    return cli::ReportError(Cmd(), keys.error().message());
  }
  hqueue::SortJobs(*keys, reply->now, &jobs);
  if (opts.start) hqueue::SortByStart(&jobs);
  if (opts.json) {
    std::fputs(hqueue::JobsJson(jobs, reply->now).c_str(), stdout);
    cli::PrintPassiveNote(Cmd(), client);
    return 0;
  }
  if (opts.long_format && !opts.noheader) {
    const std::string date = cli::LongHeaderDate(reply->now);
    if (!date.empty()) std::printf("%s\n", date.c_str());
  }
  auto table = hqueue::RenderJobs(jobs, reply->now, format, !opts.noheader);
  if (!table.ok()) return cli::ReportError(Cmd(), table.error().message());
  std::fputs(table->c_str(), stdout);
  cli::PrintPassiveNote(Cmd(), client);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hqueue", "squeue");
  using namespace herd;
  auto opts = hqueue::ParseHqueueArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hqueue::HqueueUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  if (opts->format.empty() && !opts->steps) {
    auto env = cli::FormatFromEnvironment("SQUEUE_FORMAT", "SQUEUE_FORMAT2", cli::SqueueFields());
    if (!env.ok()) return cli::ReportError(Cmd(), env.error().message());
    opts->format = *env;
  }
  std::string format = opts->format;
  if (format.empty()) {
    format = opts->start         ? hqueue::kStartFormat
             : opts->long_format ? hqueue::kLongFormat
                                 : hqueue::kDefaultFormat;
  }
  // A bad format is reported before the controller is asked.
  if (!opts->json && !opts->steps) {
    auto check = hqueue::RenderJobs({}, 0, format, false);
    if (!check.ok()) return cli::ReportError(Cmd(), check.error().message());
  }

  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  if (opts->from_passive) (*client)->set_from_passive(true);
  if (opts->steps) {
    proto::QueryStepsRequest sreq;
    sreq.job_ids = opts->filter.job_ids;
    auto steps = (*client)->Read<proto::QueryStepsReply>(sreq);
    if (!steps.ok())
      return cli::ReportError(Cmd(), cli::DescribeCallError(steps.error()).message());
    std::vector<proto::StepInfo> shown;
    for (auto& s : steps->steps) {
      if (s.state == proto::JobState::kRunning || opts->all_states) shown.push_back(std::move(s));
    }
    auto table = hqueue::RenderSteps(
        shown, steps->now, opts->format.empty() ? hqueue::kDefaultStepFormat : opts->format,
        !opts->noheader);
    if (!table.ok()) return cli::ReportError(Cmd(), table.error().message());
    std::fputs(table->c_str(), stdout);
    cli::PrintPassiveNote(Cmd(), **client);
    return 0;
  }
  if (opts->iterate_s == 0) return ShowJobs(**client, *opts, format);
  // -i: again and again, each time after the date, as squeue (until interrupted).
  for (;;) {
    const time_t now = time(nullptr);
    char date[64];
    struct tm tm {};
    localtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%a %b %d %H:%M:%S %Y", &tm);
    std::printf("%s\n", date);
    const int rc = ShowJobs(**client, *opts, format);
    if (rc != 0) return rc;
    std::printf("\n");
    std::fflush(stdout);
    sleep(static_cast<unsigned>(opts->iterate_s));
  }
}
