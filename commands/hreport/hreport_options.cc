// herd hreport — sreport's command line.
#include "commands/hreport/hreport_options.h"

#include <getopt.h>

#include <algorithm>

#include "commands/hacct/hacct_options.h"
#include "commands/lib/cli.h"
#include "common/base/strings.h"

namespace herd::hreport {
namespace {

constexpr int64_t kHour = 3600;

// sreport takes a keyword or any abbreviation of it ("util", "Acc").
bool Abbreviates(const std::string& word, const std::string& keyword, size_t min = 1) {
  return word.size() >= min && word.size() <= keyword.size() &&
         EqualsIgnoreCase(word, keyword.substr(0, word.size()));
}

Result<TimeFormat> ParseTimeFormat(const std::string& v) {
  static const std::pair<const char*, TimeFormat> kFormats[] = {
      {"secper", TimeFormat::kSecPer},   {"minper", TimeFormat::kMinPer},
      {"hourper", TimeFormat::kHourPer}, {"seconds", TimeFormat::kSeconds},
      {"minutes", TimeFormat::kMinutes}, {"hours", TimeFormat::kHours},
      {"percent", TimeFormat::kPercent},
  };
  for (const auto& [name, t] : kFormats) {
    if (EqualsIgnoreCase(v, name)) return t;
  }
  for (const auto& [name, t] : kFormats) {
    if (Abbreviates(v, name)) return t;
  }
  return InvalidArgument("unknown time format " + v +
                         " (seconds, minutes, hours, percent, secper, minper, hourper)");
}

Result<Report> ParseReport(const std::string& type, const std::string& name) {
  if (Abbreviates(type, "cluster")) {
    if (Abbreviates(name, "Utilization", 2)) return Report::kUtilization;
    if (Abbreviates(name, "AccountUtilizationByUser", 2)) return Report::kAccountUtilizationByUser;
  } else if (Abbreviates(type, "user")) {
    if (Abbreviates(name, "TopUsage")) return Report::kTopUsage;
  } else if (Abbreviates(type, "job")) {
    if (Abbreviates(name, "SizesByAccount")) return Report::kSizesByAccount;
  } else {
    return InvalidArgument("Not valid report type " + type +
                           " (herd answers cluster, user and job reports)");
  }
  return InvalidArgument("Not valid report " + name + " for " + type +
                         " (herd answers cluster Utilization, cluster AccountUtilizationByUser,"
                         " user TopUsage and job SizesByAccount)");
}

Status ApplyCondition(const std::string& word, int64_t now, HreportOptions* o) {
  const size_t eq = word.find('=');
  const std::string key = word.substr(0, eq);
  const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
  auto needs_value = [&]() -> Status {
    if (eq == std::string::npos || value.empty()) return InvalidArgument(key + " needs a value");
    return Status::Ok();
  };
  if (Abbreviates(key, "Start", 1) && eq != std::string::npos) {
    HERD_RETURN_IF_ERROR(needs_value());
    HERD_ASSIGN_OR_RETURN(o->start, hacct::ParseSacctTime(value, now));
  } else if (Abbreviates(key, "End", 1) && eq != std::string::npos) {
    HERD_RETURN_IF_ERROR(needs_value());
    HERD_ASSIGN_OR_RETURN(o->end, hacct::ParseSacctTime(value, now));
  } else if (Abbreviates(key, "Accounts", 3)) {
    HERD_RETURN_IF_ERROR(needs_value());
    o->accounts = cli::SplitList(value);
  } else if (Abbreviates(key, "Users", 1)) {
    HERD_RETURN_IF_ERROR(needs_value());
    o->users = cli::SplitList(value);
  } else if (Abbreviates(key, "Grouping", 2)) {
    HERD_RETURN_IF_ERROR(needs_value());
    o->grouping.clear();
    for (const std::string& g : cli::SplitList(value)) {
      auto n = ParseUint(g, UINT32_MAX);
      if (!n.ok() || *n == 0) return InvalidArgument("Grouping: not a cpu count: " + g);
      if (!o->grouping.empty() && *n <= o->grouping.back()) {
        return InvalidArgument("Grouping: sizes must increase: " + value);
      }
      o->grouping.push_back(static_cast<uint32_t>(*n));
    }
  } else if (Abbreviates(key, "TopCount", 2)) {
    HERD_RETURN_IF_ERROR(needs_value());
    auto n = ParseUint(value, 1000000);
    if (!n.ok() || *n == 0) return InvalidArgument("TopCount: not a count: " + value);
    o->top_count = static_cast<uint32_t>(*n);
  } else if (Abbreviates(key, "FlatView", 2) && eq == std::string::npos) {
    o->flat_view = true;
  } else if (Abbreviates(key, "Group", 2) && eq == std::string::npos) {
    o->group_accounts = true;
  } else if (EqualsIgnoreCase(key, "Clusters") || EqualsIgnoreCase(key, "Format") ||
             EqualsIgnoreCase(key, "PrintJobCount") || EqualsIgnoreCase(key, "Tree")) {
    return InvalidArgument(key + " is not supported by herd's hreport yet");
  } else {
    return InvalidArgument("Unknown condition: " + word);
  }
  return Status::Ok();
}

}  // namespace

std::string TimeFormatName(TimeFormat t) {
  switch (t) {
    case TimeFormat::kSeconds:
      return "CPU Seconds";
    case TimeFormat::kHours:
      return "CPU Hours";
    case TimeFormat::kPercent:
      return "Percentage of Total";
    case TimeFormat::kSecPer:
      return "CPU Seconds/Percentage of Total";
    case TimeFormat::kMinPer:
      return "CPU Minutes/Percentage of Total";
    case TimeFormat::kHourPer:
      return "CPU Hours/Percentage of Total";
    case TimeFormat::kMinutes:
      break;
  }
  return "CPU Minutes";
}

Result<HreportOptions> ParseHreportArgs(const std::vector<std::string>& args, int64_t now) {
  HreportOptions o;
  const struct option longopts[] = {
      {"parsable", no_argument, nullptr, 'p'},
      {"parsable2", no_argument, nullptr, 'P'},
      {"noheader", no_argument, nullptr, 'n'},
      {"quiet", no_argument, nullptr, 'Q'},
      {"help", no_argument, nullptr, 'h'},
      {"version", no_argument, nullptr, 'V'},
      {nullptr, 0, nullptr, 0},
  };
  std::vector<std::string> words;
  HERD_RETURN_IF_ERROR(cli::RunGetopt(
      "hreport", args, "pPnt:QhVv", longopts, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) -> Status {
        switch (opt) {
          case 'p':
          case 'P':
            o.parsable = true;
            o.trailing_delimiter = opt == 'p';
            break;
          case 'n':
            o.noheader = true;
            break;
          case 't': {
            HERD_ASSIGN_OR_RETURN(o.time, ParseTimeFormat(arg != nullptr ? arg : ""));
            break;
          }
          case 'h':
            o.help = true;
            break;
          case 'V':
            o.version = true;
            break;
          default:
            break;  // -Q, -v
        }
        return Status::Ok();
      },
      &words));
  if (o.help || o.version) return o;
  if (words.size() < 2) return cli::UsageError("a report type and a report are needed");
  HERD_ASSIGN_OR_RETURN(o.report, ParseReport(words[0], words[1]));
  // Default: the previous day, 00:00 to 00:00.
  o.end = *hacct::ParseSacctTime("midnight", now);
  o.start = o.end - 86400;
  for (size_t i = 2; i < words.size(); ++i) {
    HERD_RETURN_IF_ERROR(ApplyCondition(words[i], now, &o));
  }
  // The rollups are hourly: each end goes up to the next whole hour, and a period that
  // ends before it starts is its first hour, as sreport's hourly reports.
  auto up = [](int64_t t) { return t % kHour == 0 ? t : t - t % kHour + kHour; };
  o.start = up(o.start);
  o.end = up(o.end);
  if (o.end <= o.start) o.end = o.start + kHour;
  return o;
}

std::string HreportUsage() {
  return "Usage: hreport [-P|-p] [-n] [-t FORMAT] TYPE REPORT [OPTION=VALUE ...]   (herd's "
         "sreport)\n"
         "  cluster Utilization               allocated, down and idle CPU time\n"
         "  cluster AccountUtilizationByUser  CPU time per account and its users\n"
         "  user TopUsage                     the users with the most CPU time\n"
         "  job SizesByAccount                CPU time per account by job size\n"
         "  Start=TIME End=TIME               the period (default: the previous day; whole "
         "hours)\n"
         "  Accounts=LIST Users=LIST          only these\n"
         "  Grouping=N,M,...  FlatView        SizesByAccount: size columns; one row per "
         "account\n"
         "  TopCount=N  Group                 TopUsage: how many users; one row per user\n"
         "  -t seconds|minutes|hours|percent|secper|minper|hourper   (default: minutes)\n"
         "  -P, --parsable2   '|'-separated;  -p, --parsable: with a trailing '|'\n"
         "  -n, --noheader    no title and no column names\n"
         "      --conf=FILE   herd.conf to read\n";
}

}  // namespace herd::hreport
