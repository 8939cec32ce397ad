// herd hinfo — -T: the advance reservations, as sinfo -T prints them.
#include <algorithm>
#include <string>

#include "commands/hinfo/hinfo_format.h"
#include "commands/lib/display.h"
#include "commands/lib/timefmt.h"
#include "common/base/hostlist.h"

namespace herd::hinfo {
namespace {

std::string Right(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string Left(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string RenderReservations(const proto::QueryReservationsReply& rep, bool noheader) {
  size_t name_width = 9;  // as sinfo: the longest name (at least the title's), and a space
  for (const proto::Reservation& r : rep.reservations) {
    name_width = std::max(name_width, cli::EscapeForDisplay(r.name).size());
  }
  ++name_width;
  auto line = [&](const std::string& name, const std::string& state, const std::string& start,
                  const std::string& end, const std::string& duration, const std::string& nodes) {
    return Left(name, name_width) + " " + Right(state, 8) + " " + Right(start, 20) + " " +
           Right(end, 20) + " " + Right(duration, 12) + "  " + nodes + "\n";
  };
  std::string out;
  if (!noheader)
    out += line("RESV_NAME", "STATE", "START_TIME", "END_TIME", "DURATION", "NODELIST");
  for (const proto::Reservation& r : rep.reservations) {
    const auto w = proto::ResvWindow(r, rep.now);
    if (!w) continue;
    out += line(cli::EscapeForDisplay(r.name), w->first <= rep.now ? "ACTIVE" : "INACTIVE",
                cli::FormatTimestamp(w->first), cli::FormatTimestamp(w->second),
                proto::FormatResvDuration(w->second - w->first), CompressHostlist(r.nodes));
  }
  return out;
}

}  // namespace herd::hinfo
