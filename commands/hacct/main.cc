// herd hacct — sacct's interface to herd's accounting database: reads the database that
// herd.conf names (AccountingStorageType...) and prints the jobs.
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "commands/hacct/hacct_fields.h"
#include "commands/hacct/hacct_options.h"
#include "commands/lib/cli.h"
#include "common/config/config.h"
#include "controller/acct/acct_store.h"

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
  auto cfg = LoadConfig(cli::ConfigPath());
  if (!cfg.ok()) return cli::ReportError(kCmd, cfg.error().message());
  if (cfg->acct_type.empty()) {
    return cli::ReportError(
        kCmd, "accounting is not configured (AccountingStorageType in " + cfg->source_path + ")");
  }
  opts->cluster = cfg->cluster_name;
  auto store = ctld::acct::OpenStore(ctld::acct::StorageConfigOf(*cfg), /*read_only=*/true);
  if (!store.ok()) return cli::ReportError(kCmd, store.error().message());
  opts->query.with_steps = !opts->allocations;
  auto jobs = (*store)->Jobs(opts->query);
  if (!jobs.ok()) return cli::ReportError(kCmd, jobs.error().message());
  const auto rows = hacct::RowsOf(*jobs, opts->allocations, now);
  std::fputs(hacct::Render(rows, *opts).c_str(), stdout);
  return 0;
}
