// herd hacct — sacct's interface to herd's accounting database: reads the database that
// herd.conf names (AccountingStorageType...), merges in the jobs the controller holds now
// (hacct_live.h) and prints them.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "commands/hacct/acct_open.h"
#include "commands/hacct/hacct_fields.h"
#include "commands/hacct/hacct_json.h"
#include "commands/hacct/hacct_live.h"
#include "commands/hacct/hacct_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "controller/acct/acct_store.h"

namespace {

// The jobs the controller holds (pending, running, ended and not yet forgotten): hacct
// shows them as they are now even while the database lags. A controller that does not
// answer within a short time leaves the stored records alone.
std::vector<herd::proto::JobInfo> LiveJobs(const herd::hacct::HacctOptions& o) {
  constexpr std::chrono::milliseconds kLiveTimeout{2000};
  auto client = herd::cli::Client::Create();
  if (!client.ok()) return {};
  (*client)->set_timeout(kLiveTimeout);
  herd::proto::JobFilter f;
  f.job_ids = o.query.job_ids;
  f.partitions = o.query.partitions;
  f.names = o.query.names;
  for (uint32_t uid : o.query.uids) {  // only theirs are fetched (the rest is filtered here)
    const std::string name = herd::hacct::UserNameOf(uid);
    if (name.empty()) return {};
    f.users.push_back(name);
  }
  f.include_finished = true;
  auto reply = (*client)->QueryAllJobs(f);
  if (!reply.ok()) return {};
  return std::move(reply->jobs);
}

bool PrivateJobs(const herd::ClusterConfig& c) {
  for (const std::string& w : herd::Split(c.private_data, ',')) {
    if (w == "jobs") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  constexpr char kCmd[] = "hacct";
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto opts = hacct::ParseHacctArgs(cli::Args(argc, argv), now, static_cast<uint32_t>(getuid()));
  if (!opts.ok()) return cli::ReportStatus(kCmd, opts.error());
  if (opts->help) {
    std::fputs(hacct::HacctUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  auto opened = hacct::OpenConfiguredStore();
  if (!opened.ok()) return cli::ReportError(kCmd, opened.error().message());
  const ClusterConfig& cfg = opened->config;
  opts->cluster = cfg.cluster_name;
  // PrivateData=jobs: a user sees their own jobs only, whatever -a or -u ask (as sacct);
  // root and AdminUser see all.
  const uint32_t uid = static_cast<uint32_t>(getuid());
  if (PrivateJobs(cfg) && uid != 0 && !herd::IsAdminUserName(cfg, herd::hacct::UserNameOf(uid))) {
    opts->query.uids = {uid};
  }
  ctld::acct::AcctStore* store = opened->store.get();
  opts->query.with_steps = !opts->allocations;
  // --json prints every field: all columns; a table only those its fields need.
  if (!opts->json) opts->query.columns = hacct::JobColumnsFor(*opts);
  auto found = store->Jobs(opts->query);
  if (!found.ok()) return cli::ReportError(kCmd, found.error().message());
  const auto jobs = hacct::JobsOnNodes(
      hacct::MergeLive(std::move(*found), LiveJobs(*opts), opts->query), opts->nodes);
  if (opts->json) {
    std::fputs(hacct::RenderJson(jobs, opts->cluster, opts->allocations, now).c_str(), stdout);
    return 0;
  }
  const auto rows = hacct::RowsOf(jobs, opts->allocations, now, opts->units);
  hacct::RenderTo(rows, *opts, stdout);
  return 0;
}
