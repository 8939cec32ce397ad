// herd hcontrol — advance reservations (hcontrol_resv.h).
#include "commands/hcontrol/hcontrol_resv.h"

#include <cstdio>

#include "commands/lib/cli.h"
#include "commands/lib/time_parse.h"
#include "commands/lib/timefmt.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::hcontrol {
namespace {

bool IsKey(const std::string& key, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (EqualsIgnoreCase(key, n)) return true;
  }
  return false;
}

std::string IsoTime(int64_t t) { return cli::FormatTimestamp(t); }

// The keys scontrol takes for a reservation, in the controller's spelling.
const char* const kKeys[] = {"StartTime", "EndTime",  "Duration",      "Nodes", "NodeCnt",
                             "Users",     "Accounts", "PartitionName", "Flags"};

}  // namespace

bool NamesReservation(const std::vector<std::string>& words) {
  if (words.empty()) return false;
  if (IsKey(words[0], {"reservation", "res", "reservations"})) return true;
  for (const std::string& w : words) {
    const std::string key = w.substr(0, w.find('='));
    if (IsKey(key, {"ReservationName", "Reservation"})) return true;
  }
  return false;
}

Result<proto::UpdateReservationRequest> ParseReservationCommand(std::vector<std::string> words,
                                                                proto::ResvOp op, int64_t now) {
  proto::UpdateReservationRequest r;
  r.op = op;
  if (!words.empty() && IsKey(words[0], {"reservation", "res", "reservations"})) {
    words.erase(words.begin());
    if (op == proto::ResvOp::kDelete && words.size() == 1 &&
        words[0].find('=') == std::string::npos) {
      words[0] = "ReservationName=" + words[0];
    }
  }
  for (const std::string& w : words) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("Invalid input: " + w);
    const std::string key = w.substr(0, eq), value = Trim(w.substr(eq + 1));
    if (IsKey(key, {"ReservationName", "Reservation"})) {
      if (value.empty()) return InvalidArgument("Invalid reservation name specified");
      r.name = value;
      continue;
    }
    if (op == proto::ResvOp::kDelete)
      return InvalidArgument("too many arguments for keyword: delete");
    const char* canonical = nullptr;
    for (const char* k : kKeys) {
      if (EqualsIgnoreCase(key, k) ||
          (EqualsIgnoreCase(key, "Partition") && std::string(k) == "PartitionName") ||
          (EqualsIgnoreCase(key, "NodeCount") && std::string(k) == "NodeCnt") ||
          (EqualsIgnoreCase(key, "User") && std::string(k) == "Users") ||
          (EqualsIgnoreCase(key, "Account") && std::string(k) == "Accounts")) {
        canonical = k;
      }
    }
    if (canonical == nullptr) return InvalidArgument("Unknown reservation key: " + key);
    std::string v = value;
    const std::string ck = canonical;
    if (ck == "StartTime" || ck == "EndTime") {
      auto t = cli::ParseBeginTime(v, now);
      if (!t.ok()) return InvalidArgument("Invalid " + ck + " value: " + v);
      v = std::to_string(*t);
    } else if (ck == "Duration") {
      auto d = ParseTimeLimit(v);
      if (!d.ok() || *d <= 0) return InvalidArgument("Invalid duration specified: " + v);
    } else if (ck == "Flags") {
      const std::string bare = !v.empty() && (v[0] == '+' || v[0] == '-') ? v.substr(1) : v;
      if (!proto::ParseResvFlags(bare).ok()) {
        return InvalidArgument("Error parsing flags " + v + ".  No reservation created.");
      }
    }
    r.keys.push_back(ck);
    r.values.push_back(v);
  }
  if (op != proto::ResvOp::kCreate && r.name.empty()) {
    return InvalidArgument("ReservationName must be given");
  }
  if (op == proto::ResvOp::kUpdate && r.keys.empty())
    return InvalidArgument("No changes specified");
  return r;
}

int RunReservationCommand(cli::Client& client, const char* cmd,
                          const proto::UpdateReservationRequest& req) {
  auto rep = client.Call<proto::StatusReply>(req);
  if (!rep.ok()) {
    const std::string why = cli::DescribeCallError(rep.error()).message();
    switch (req.op) {
      case proto::ResvOp::kCreate:
        std::fprintf(stderr, "Error creating the reservation: %s\n", why.c_str());
        break;
      case proto::ResvOp::kUpdate:
        std::fprintf(stderr, "Error updating the reservation: %s\n", why.c_str());
        break;
      case proto::ResvOp::kDelete:
        std::fprintf(stderr, "delete_reservation ReservationName=%s: %s\n", req.name.c_str(),
                     why.c_str());
        break;
    }
    (void)cmd;
    return 1;
  }
  if (req.op == proto::ResvOp::kCreate)
    std::printf("Reservation created: %s\n", rep->message.c_str());
  if (req.op == proto::ResvOp::kUpdate) std::printf("Reservation updated.\n");
  return 0;
}

int ShowReservations(cli::Client& client, const char* cmd, const std::string& name, bool oneliner) {
  proto::QueryReservationsRequest req;
  req.name = name;
  auto rep = client.Read<proto::QueryReservationsReply>(req);
  if (!name.empty() &&
      (!rep.ok() ? rep.error().code() == Code::kNotFound : rep->reservations.empty())) {
    return cli::ReportNotFound(cmd, "Reservation " + name + " not found");
  }
  if (!rep.ok()) return cli::ReportError(cmd, cli::DescribeCallError(rep.error()).message());
  if (rep->reservations.empty()) {
    std::printf("No reservations in the system\n");
    return 0;
  }
  for (size_t i = 0; i < rep->reservations.size(); ++i) {
    const uint64_t cpus = i < rep->cpus.size() ? rep->cpus[i] : 0;
    std::fputs(
        proto::FormatReservation(rep->reservations[i], rep->now, cpus, oneliner, &IsoTime).c_str(),
        stdout);
  }
  return 0;
}

}  // namespace herd::hcontrol
