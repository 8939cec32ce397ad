// herd hreport — sreport's command line: `[-P|-p] [-n] [-t FORMAT] TYPE REPORT [OPTION=...]`
// for the reports herd answers (cluster Utilization, cluster AccountUtilizationByUser,
// user TopUsage, job SizesByAccount), with sreport's time formats, Start=/End= (default:
// the previous day) and the options of those reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::hreport {

enum class Report { kUtilization, kAccountUtilizationByUser, kTopUsage, kSizesByAccount };

// -t: how a time figure is printed (sreport's names, any case, abbreviations allowed).
enum class TimeFormat { kSeconds, kMinutes, kHours, kPercent, kSecPer, kMinPer, kHourPer };

struct HreportOptions {
  Report report = Report::kUtilization;
  TimeFormat time = TimeFormat::kMinutes;
  int64_t start = 0;  // whole hours: the rollups are hourly
  int64_t end = 0;    // exclusive
  bool parsable = false;
  bool trailing_delimiter = false;  // -p
  bool noheader = false;
  std::vector<std::string> accounts;                   // Accounts=
  std::vector<std::string> users;                      // Users=
  std::vector<uint32_t> grouping{50, 250, 500, 1000};  // Grouping= (SizesByAccount)
  bool flat_view = false;                              // FlatView (SizesByAccount)
  uint32_t top_count = 10;                             // TopCount= (TopUsage)
  bool group_accounts = false;                         // Group (TopUsage)
  bool help = false;
  bool version = false;
};

// `now`: the wall clock (defaults and relative times).
Result<HreportOptions> ParseHreportArgs(const std::vector<std::string>& args, int64_t now);
std::string HreportUsage();

// The unit line under a report's title ("CPU Minutes", "Percentage of Total", ...).
std::string TimeFormatName(TimeFormat t);

}  // namespace herd::hreport
