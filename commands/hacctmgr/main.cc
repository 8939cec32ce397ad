// herd hacctmgr — sacctmgr's interface: accounts, users and QOS kept by the controller
// (add, modify, delete, list: commands/hacctmgr/hacctmgr_assoc.h), and `show event`,
// the node state periods of the accounting database (hacctmgr_event.h).
#include <cstdio>
#include <ctime>
#include <optional>

#include "commands/hacct/acct_open.h"
#include "commands/hacctmgr/hacctmgr_archive.h"
#include "commands/hacctmgr/hacctmgr_assoc.h"
#include "commands/hacctmgr/hacctmgr_event.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "common/base/strings.h"
#include "common/config/config.h"
#include "controller/acct/acct_store.h"

namespace {

constexpr char kEntities[] =
    "No valid entity in list command\n"
    "Input line must include \"Account\", \"Association\", \"Event\", \"QOS\" or \"User\"";

const char* Cmd() { return herd::cli::Name().c_str(); }

// sacctmgr prints its refusals as they are; under herd's name they are errors as usual.
int Refuse(const std::string& message) {
  if (herd::cli::SlurmDialect()) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return 1;
  }
  return herd::cli::ReportError(Cmd(), herd::Trim(message));
}

// add|create, modify|update, delete|remove -> AssocOp; -1 for anything else.
int AssocOpOf(const std::string& verb) {
  if (verb == "add" || verb == "create") return static_cast<int>(herd::proto::AssocOp::kAdd);
  if (verb == "modify" || verb == "update") return static_cast<int>(herd::proto::AssocOp::kModify);
  if (verb == "delete" || verb == "remove") return static_cast<int>(herd::proto::AssocOp::kDelete);
  return -1;
}

// Accounts, users, QOS and associations: asked of the controller.
int AssocCommand(const std::string& verb, const std::vector<std::string>& words,
                 const herd::hacctmgr::Printing& printing) {
  using namespace herd;
  const hacctmgr::Entity entity = hacctmgr::ParseEntity(words[1]);
  const std::vector<std::string> rest(words.begin() + 2, words.end());
  const int op = AssocOpOf(verb);
  if (entity == hacctmgr::Entity::kNone || (op >= 0 && entity == hacctmgr::Entity::kAssoc)) {
    return Refuse(op < 0 ? kEntities : " Unknown entity: " + words[1]);
  }
  std::optional<proto::AssocUpdateRequest> req;
  if (op >= 0) {
    auto parsed = hacctmgr::ParseUpdate(static_cast<proto::AssocOp>(op), entity, rest);
    if (!parsed.ok()) return Refuse(parsed.error().message());
    req = std::move(*parsed);
  }
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportStatus(Cmd(), client.error());
  if (!req) {
    auto tree = (*client)->Read<proto::QueryAssocReply>(proto::QueryAssocRequest{});
    if (!tree.ok()) return cli::ReportStatus(Cmd(), cli::DescribeCallError(tree.error()));
    auto text = hacctmgr::RenderList(entity, rest, *tree, printing);
    if (!text.ok()) return Refuse(text.error().message());
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  auto rep = (*client)->Call<proto::AssocUpdateReply>(*req);
  if (!rep.ok()) {
    if (rep.error().code() == Code::kPermissionDenied || rep.error().code() == Code::kUnavailable)
      return cli::ReportStatus(Cmd(), cli::DescribeCallError(rep.error()));
    return Refuse(rep.error().message());
  }
  const hacctmgr::Outcome out =
      hacctmgr::DescribeUpdate(*req, rep->changed, (*client)->config().cluster_name);
  std::fputs(out.text.c_str(), stdout);
  return out.rc;
}

std::string Usage() {
  return "Usage: hacctmgr [-i] [-P|-p] [-n] COMMAND ENTITY [...]   (herd's sacctmgr)\n"
         "  add|create account NAME[,NAME] [parent=] [fairshare=] [description=] "
         "[organization=] [LIMIT=]\n"
         "  add|create user NAME account=A[,A] [defaultaccount=] [adminlevel=] [LIMIT=]\n"
         "  add|create qos NAME [priority=] [description=] [flags=] [LIMIT=]\n"
         "  modify|update account|user|qos [where] name=X [account=A] set K=V ...\n"
         "  delete|remove account|user|qos NAME | where name=X [account=A]\n"
         "  list|show account|user|qos|assoc [where K=V ...] [format=F1,F2%W,...]\n"
         "    LIMIT: GrpJobs GrpSubmitJobs GrpTRES MaxJobs MaxSubmitJobs MaxWall MaxTRESPerJob\n"
         "           (a QOS: MaxJobsPerUser MaxSubmitJobsPerUser); -1 clears\n"
         "  archive dump [Directory=D] [Jobs] [Steps] [Events] [Usage] [PurgeJobAfter=T]\n"
         "               [PurgeStepAfter=T] [PurgeEventAfter=T] [PurgeUsageAfter=T]\n"
         "  archive load File=PATH\n"
         "  list|show event [CONDITIONS]\n"
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
  if (verb == "archive") return hacctmgr::ArchiveCommand(Cmd(), words);
  const bool list = verb == "show" || verb == "list";
  if (!list && AssocOpOf(verb) < 0) return Refuse("invalid keyword: " + words[0]);
  if (words.size() < 2) return Refuse(kEntities);
  const std::string entity = ToLower(words[1]);
  if (!list || (entity != "event" && entity != "events")) {
    return AssocCommand(verb, words, printing);
  }
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
