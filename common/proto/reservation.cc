// herd — advance reservations: the window, the access rule, flags and display.
#include "common/proto/reservation.h"

#include <algorithm>
#include <cstdio>

#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::proto {
namespace {

constexpr int64_t kDay = 86400;

struct FlagName {
  uint32_t bit;
  const char* name;
};
// scontrol's order.
constexpr FlagName kFlags[] = {{kResvMaint, "MAINT"},
                               {kResvIgnoreJobs, "IGNORE_JOBS"},
                               {kResvDaily, "DAILY"},
                               {kResvWeekly, "WEEKLY"},
                               {kResvSpecNodes, "SPEC_NODES"}};

// A list admits `name`: empty admits nobody named; "-a,-b" all but a and b.
bool ListAdmits(const std::vector<std::string>& list, const std::string& name) {
  if (list.empty()) return false;
  const bool negated = list.front().size() > 1 && list.front()[0] == '-';
  const bool named = std::any_of(list.begin(), list.end(), [&](const std::string& e) {
    return (negated ? e.substr(1) : e) == name;
  });
  return negated ? !named : named;
}

std::string ListOrNull(const std::vector<std::string>& list) {
  return list.empty() ? "(null)" : Join(list, ",");
}

}  // namespace

int64_t ResvPeriod(const Reservation& r) {
  return (r.flags & kResvWeekly) != 0 ? 7 * kDay : (r.flags & kResvDaily) != 0 ? kDay : 0;
}

std::optional<std::pair<int64_t, int64_t>> ResvWindow(const Reservation& r, int64_t now) {
  if (r.end > now) return std::make_pair(r.start, r.end);
  const int64_t period = ResvPeriod(r);
  if (period == 0) return std::nullopt;
  const int64_t k = (now - r.end) / period + 1;  // the first roll whose end is past now
  return std::make_pair(r.start + k * period, r.end + k * period);
}

bool ResvMeets(const Reservation& r, int64_t now, int64_t from, int64_t to) {
  auto w = ResvWindow(r, now);
  if (!w) return false;
  const int64_t period = ResvPeriod(r);
  if (period == 0) return w->first < to && w->second > from;
  if (to == INT64_MAX) return true;  // an unlimited job meets some day's window
  int64_t s = w->first, e = w->second;
  if (e <= from) {  // skip the windows that end before `from`
    const int64_t k = (from - e) / period + 1;
    s += k * period;
    e += k * period;
  }
  return s < to && e > from;
}

bool ResvsOverlap(const Reservation& a, const Reservation& b, int64_t now) {
  auto w = ResvWindow(a, now);
  if (!w) return false;
  const int64_t period = ResvPeriod(a);
  const int64_t until = now + 56 * kDay;
  for (int64_t s = w->first, e = w->second; s < until; s += period, e += period) {
    if (ResvMeets(b, now, s, e)) return true;
    if (period == 0) break;
  }
  return false;
}

bool ResvAllows(const Reservation& r, const std::string& user, const std::string& account) {
  if (r.users.empty() && r.accounts.empty()) return false;
  if (!r.users.empty() && !ListAdmits(r.users, user)) return false;
  if (!r.accounts.empty() && (account.empty() || !ListAdmits(r.accounts, account))) return false;
  return true;
}

Result<uint32_t> ParseResvFlags(const std::string& text) {
  uint32_t bits = 0;
  for (const std::string& word : Split(text, ',')) {
    const std::string w = ToUpper(Trim(word));
    const FlagName* f = std::find_if(std::begin(kFlags), std::end(kFlags),
                                     [&](const FlagName& n) { return w == n.name; });
    if (f == std::end(kFlags) || f->bit == kResvSpecNodes) {
      return InvalidArgument("Error parsing flags " + Trim(word) +
                             " (herd supports MAINT, IGNORE_JOBS, DAILY, WEEKLY)");
    }
    bits |= f->bit;
  }
  if ((bits & kResvDaily) != 0 && (bits & kResvWeekly) != 0) {
    return InvalidArgument("DAILY and WEEKLY may not be given together");
  }
  return bits;
}

Result<uint32_t> ApplyResvFlags(uint32_t flags, const std::string& text) {
  const std::string t = Trim(text);
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    auto bits = ParseResvFlags(t.substr(1));
    if (!bits.ok()) return bits.error();
    flags = t[0] == '+' ? (flags | *bits) : (flags & ~*bits);
  } else {
    auto bits = ParseResvFlags(t);
    if (!bits.ok()) return bits.error();
    flags = (flags & kResvSpecNodes) | *bits;
  }
  if ((flags & kResvDaily) != 0 && (flags & kResvWeekly) != 0) {
    return InvalidArgument("DAILY and WEEKLY may not be given together");
  }
  return flags;
}

std::string FormatResvFlags(uint32_t flags) {
  std::vector<std::string> names;
  for (const FlagName& f : kFlags) {
    if ((flags & f.bit) != 0) names.emplace_back(f.name);
  }
  return names.empty() ? "(null)" : Join(names, ",");
}

std::string FormatResvDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[48];
  const int64_t d = seconds / kDay, h = seconds % kDay / 3600, m = seconds % 3600 / 60,
                s = seconds % 60;
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", static_cast<long long>(d),
                  static_cast<long long>(h), static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s));
  }
  return buf;
}

std::string FormatReservation(const Reservation& r, int64_t now, uint64_t cpus, bool oneliner,
                              std::string (*time_fmt)(int64_t)) {
  const auto w = ResvWindow(r, now);
  const int64_t start = w ? w->first : r.start, end = w ? w->second : r.end;
  const bool active = w && start <= now;
  const std::string sep = oneliner ? " " : "\n   ";
  std::string out = "ReservationName=" + r.name + " StartTime=" + time_fmt(start) +
                    " EndTime=" + time_fmt(end) + " Duration=" + FormatResvDuration(end - start);
  out += sep + "Nodes=" + (r.nodes.empty() ? "(null)" : CompressHostlist(r.nodes)) +
         " NodeCnt=" + std::to_string(r.nodes.size()) + " CoreCnt=" + std::to_string(cpus) +
         " Features=(null) PartitionName=" + (r.partition.empty() ? "(null)" : r.partition) +
         " Flags=" + FormatResvFlags(r.flags);
  out += sep + "TRES=cpu=" + std::to_string(cpus);
  out += sep + "Users=" + ListOrNull(r.users) +
         " Groups=(null) Accounts=" + ListOrNull(r.accounts) +
         " Licenses=(null) State=" + (active ? "ACTIVE" : "INACTIVE") +
         " BurstBuffer=(null) Watts=n/a";
  out += sep + "MaxStartDelay=(null)\n";
  if (!oneliner) out += "\n";
  return out;
}

}  // namespace herd::proto
