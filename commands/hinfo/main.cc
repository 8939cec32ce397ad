// herd hinfo — show partitions and nodes (sinfo's interface). Options: hinfo_options.cc;
// printing: hinfo_format.cc. This file asks the controller and prints.
#include <cstdio>

#include "commands/hinfo/hinfo_format.h"
#include "commands/hinfo/hinfo_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "commands/lib/field_format.h"
#include "commands/lib/ha_format.h"
#include "commands/lib/timefmt.h"

namespace {
// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }

// --controllers: the controllers as the one that answers sees them (the configuration
// alone when none answers, or it does not know HaStatusRequest).
int ShowControllers(herd::cli::Client& client) {
  auto st = client.HaStatus();
  if (!st.ok() && st.error().code() != herd::Code::kUnsupported) {
    herd::cli::ReportError(Cmd(), herd::cli::DescribeCallError(st.error()).message());
  }
  std::fputs(herd::cli::ControllerTable(client.config(), st.ok() ? &*st : nullptr).c_str(), stdout);
  return st.ok() || st.error().code() == herd::Code::kUnsupported ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hinfo", "sinfo");
  using namespace herd;
  auto opts = hinfo::ParseHinfoArgs(cli::Args(argc, argv));
  if (!opts.ok()) return cli::ReportStatus(Cmd(), opts.error());
  if (opts->help) {
    std::fputs(hinfo::HinfoUsage().c_str(), stdout);
    return 0;
  }
  if (opts->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  if (opts->format.empty()) {
    auto env = cli::FormatFromEnvironment("SINFO_FORMAT", "SINFO_FORMAT2", cli::SinfoFields());
    if (!env.ok()) return cli::ReportError(Cmd(), env.error().message());
    opts->format = *env;
  }
  // A bad format is reported before the controller is asked.
  auto check = hinfo::RenderInfo({}, {}, *opts);
  if (!check.ok()) return cli::ReportError(Cmd(), check.error().message());

  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  if (opts->controllers) return ShowControllers(**client);
  if (opts->from_passive) (*client)->set_from_passive(true);
  if (opts->reservations) {
    auto rep = (*client)->Read<proto::QueryReservationsReply>(proto::QueryReservationsRequest{});
    if (!rep.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(rep.error()).message());
    std::fputs(hinfo::RenderReservations(*rep, opts->noheader).c_str(), stdout);
    cli::PrintPassiveNote(Cmd(), **client);
    return 0;
  }
  auto parts = (*client)->Read<proto::QueryPartitionsReply>(proto::QueryPartitionsRequest{});
  if (!parts.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(parts.error()).message());
  auto nodes = (*client)->QueryNodes();
  if (!nodes.ok()) return cli::ReportError(Cmd(), cli::DescribeCallError(nodes.error()).message());

  auto out = hinfo::RenderInfo(parts->partitions, nodes->nodes, *opts);
  if (!out.ok()) return cli::ReportError(Cmd(), out.error().message());
  if (opts->long_format && !opts->noheader) {
    const std::string date = cli::LongHeaderDate(0);
    if (!date.empty()) std::printf("%s\n", date.c_str());
  }
  std::fputs(out->c_str(), stdout);
  cli::PrintPassiveNote(Cmd(), **client);
  return 0;
}
