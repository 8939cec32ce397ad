// herd hreport — sreport's interface: usage reports from the accounting database's hourly
// rollups (commands/hreport/hreport_reports.h).
#include <pwd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "commands/hacct/acct_open.h"
#include "commands/hreport/hreport_options.h"
#include "commands/hreport/hreport_reports.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"

namespace {

const char* Cmd() { return herd::cli::Name().c_str(); }

// The first GECOS field of a user's passwd entry (sreport's "Proper Name").
std::string ProperName(const std::string& user) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr ||
      found->pw_gecos == nullptr) {
    return "";
  }
  const std::string gecos = found->pw_gecos;
  return gecos.substr(0, gecos.find(','));
}

// The running jobs the controller holds: their finished hours count (the database rolls a
// job up when it ends). A controller that does not answer within a short time adds none.
std::vector<herd::proto::JobInfo> RunningJobs() {
  auto client = herd::cli::Client::Create();
  if (!client.ok()) return {};
  (*client)->set_timeout(std::chrono::milliseconds(2000));
  herd::proto::JobFilter f;
  f.states = {herd::proto::JobState::kRunning};
  auto reply = (*client)->QueryAllJobs(f);
  if (!reply.ok()) return {};
  return std::move(reply->jobs);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  cli::InitName(argv[0], "hreport", "sreport");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto opts = hreport::ParseHreportArgs(cli::Args(argc, argv), now);
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hreport::HreportUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  auto opened = hacct::OpenConfiguredStore();
  if (!opened.ok()) return cli::ReportError(Cmd(), opened.error().message());
  hreport::ReportInput in;
  in.cluster = opened->config.cluster_name;
  // Looked up once per user (each lookup reads the passwd database).
  std::map<std::string, std::string> names;
  in.proper_name = [&names](const std::string& user) {
    auto it = names.find(user);
    if (it == names.end()) it = names.emplace(user, ProperName(user)).first;
    return it->second;
  };
  std::map<std::string, uint32_t> node_cpus;
  for (const NodeConfig& n : opened->config.nodes) {
    node_cpus[n.name] = n.cpus;
    in.cluster_cpus += n.cpus;
  }
  auto usage = opened->store->Usage(opts->start, opts->end);
  if (!usage.ok()) return cli::ReportError(Cmd(), usage.error().message());
  in.usage = std::move(*usage);
  for (ctld::acct::UsageRow& u :
       hreport::RunningUsage(RunningJobs(), opts->start, opts->end, now)) {
    in.usage.push_back(std::move(u));
  }
  if (opts->report == hreport::Report::kUtilization) {
    ctld::acct::EventQuery q;
    q.start = opts->start;
    q.end = opts->end;
    auto events = opened->store->NodeEvents(q);
    if (!events.ok()) return cli::ReportError(Cmd(), events.error().message());
    in.down_cpu_s = hreport::DownCpuSeconds(*events, node_cpus, opts->start, opts->end, now);
  }
  std::fputs(hreport::RenderReport(*opts, in).c_str(), stdout);
  return 0;
}
