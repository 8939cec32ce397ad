// herd hacctmgr — sacctmgr's interface to herd's accounting database. Today it answers
// `show event` (alias `list event`): the node state periods the controller recorded
// (commands/hacctmgr/hacctmgr_event.h); accounts, users and QOS come with them.
#include <cstdio>
#include <ctime>

#include "commands/hacct/acct_open.h"
#include "commands/hacctmgr/hacctmgr_event.h"
#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "controller/acct/acct_store.h"

namespace {

constexpr char kEntities[] =
    "No valid entity in list command\n"
    "Input line must include \"Event\" (herd's hacctmgr shows node events only, so far)";

const char* Cmd() { return herd::cli::Name().c_str(); }

// sacctmgr prints its refusals as they are; under herd's name they are errors as usual.
int Refuse(const std::string& message) {
  if (herd::cli::SlurmDialect()) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return 1;
  }
  return herd::cli::ReportError(Cmd(), herd::Trim(message));
}

std::string Usage() {
  return "Usage: hacctmgr [-P|-p] [-n] show|list event [CONDITIONS]   (herd's sacctmgr)\n"
         "  nodes=LIST        these nodes (hostlists)\n"
         "  states=LIST       periods still open in these states (DOWN, DRAIN, DOWN+DRAIN)\n"
         "  start=TIME        periods going on since (default: 00:00 of the previous day)\n"
         "  end=TIME          ... and up to (default: now)\n"
         "  user=LIST         changed by these users\n"
         "  format=FIELDS     Cluster,NodeName,TimeStart,TimeEnd,State,Reason,User,\n"
         "                    Duration,Event,EventRaw,ClusterNodes (Name%WIDTH)\n"
         "  -P, --parsable2   '|'-separated;  -p, --parsable: with a trailing '|'\n"
         "  -n, --noheader    no header\n"
         "      --conf=FILE   herd.conf to read\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  cli::InitName(argv[0], "hacctmgr", "sacctmgr");
  hacctmgr::Printing printing;
  bool help = false, version = false;
  const struct option longopts[] = {
      {"parsable2", no_argument, nullptr, 'P'}, {"parsable", no_argument, nullptr, 'p'},
      {"noheader", no_argument, nullptr, 'n'},  {"immediate", no_argument, nullptr, 'i'},
      {"quiet", no_argument, nullptr, 'Q'},     {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},   {nullptr, 0, nullptr, 0},
  };
  std::vector<std::string> words;
  Status parsed = cli::RunGetopt(
      Cmd(), cli::Args(argc, argv), "PpniQhV", longopts, /*stop_at_positional=*/false,
      [&](int opt, const char*) -> Status {
        if (opt == 'P' || opt == 'p') {
          printing.parsable = true;
          printing.trailing_delimiter = opt == 'p';
        } else if (opt == 'n') {
          printing.noheader = true;
        } else if (opt == 'h') {
          help = true;
        } else if (opt == 'V') {
          version = true;
        }
        return Status::Ok();  // -i, -Q: nothing to confirm or quiet here
      },
      &words);
  if (!parsed.ok()) return cli::ReportStatus(Cmd(), parsed);
  if (help || (words.empty() && !version)) {
    std::fputs(Usage().c_str(), help ? stdout : stderr);
    return help ? 0 : 1;
  }
  if (version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  const std::string verb = ToLower(words[0]);
  if (verb != "show" && verb != "list") return Refuse("invalid keyword: " + words[0]);
  if (words.size() < 2) return Refuse(kEntities);
  const std::string entity = ToLower(words[1]);
  if (entity != "event" && entity != "events") return Refuse(kEntities);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto opts = hacctmgr::ParseEventArgs({words.begin() + 2, words.end()}, now);
  if (!opts.ok()) return Refuse(opts.error().message());

  auto opened = hacct::OpenConfiguredStore();
  if (!opened.ok()) return cli::ReportError(Cmd(), opened.error().message());
  auto rows = opened->store->NodeEvents(opts->query);
  if (!rows.ok()) return cli::ReportError(Cmd(), rows.error().message());
  std::fputs(
      hacctmgr::RenderEvents(*rows, *opts, printing, opened->config.cluster_name, now).c_str(),
      stdout);
  return 0;
}
