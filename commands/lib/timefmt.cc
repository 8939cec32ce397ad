// herd commands — time formatting.
#include "commands/lib/timefmt.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"

namespace herd::cli {

namespace {

constexpr const char* kStandard = "%Y-%m-%dT%H:%M:%S";

// Days since year 0 as Slurm counts them for "relative": 1000 * year + day of the year.
long DayKey(const std::tm& tm) { return 1000L * (tm.tm_year + 1900) + tm.tm_yday; }

const char* RelativeFormat(const std::tm& when, const std::tm& today) {
  const long distance = DayKey(when) - DayKey(today);
  if (distance == -1) return "Ystday %H:%M";
  if (distance == 0) return "%H:%M:%S";
  if (distance == 1) return "Tomorr %H:%M";
  if (distance < -365 || distance > 365) return "%-d %b %Y";
  if (distance < -1 || distance > 6) return "%-d %b %H:%M";
  return "%a %H:%M";
}

}  // namespace

std::string FormatTimestampAs(int64_t t, const std::string& spec, int64_t today,
                              const std::string& unset, bool* valid) {
  *valid = true;
  if (t <= 0) return unset;
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (localtime_r(&tt, &tm) == nullptr) return unset;
  std::string format = kStandard;
  if (spec == "relative") {
    const std::time_t now = static_cast<std::time_t>(today);
    std::tm now_tm{};
    if (localtime_r(&now, &now_tm) == nullptr) return unset;
    format = RelativeFormat(tm, now_tm);
  } else if (!spec.empty() && spec != "standard") {
    if (spec.find('%') == std::string::npos) {
      *valid = false;
    } else {
      format = spec;
    }
  }
  char buf[256];
  if (std::strftime(buf, sizeof buf, format.c_str(), &tm) == 0) return unset;
  return buf;
}

std::string FormatTimestamp(int64_t t, const std::string& unset) {
  static const std::string spec = [] {
    const char* v = std::getenv("SLURM_TIME_FORMAT");
    return std::string(v != nullptr ? v : "");
  }();
  static bool reported = false;
  bool valid = true;
  std::string out = FormatTimestampAs(t, spec, std::time(nullptr), unset, &valid);
  if (!valid && !reported) {
    reported = true;
    ReportError(Name(), "invalid SLURM_TIME_FORMAT = '" + spec + "'");
  }
  return out;
}

std::string LongHeaderDate(int64_t unix_seconds) {
  const std::time_t t =
      static_cast<std::time_t>(unix_seconds > 0 ? unix_seconds : std::time(nullptr));
  char buf[64];
  std::tm tm{};
  if (localtime_r(&t, &tm) == nullptr ||
      std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm) == 0) {
    return "";
  }
  return buf;
}

std::string FormatRunTime(int64_t seconds) {
  if (seconds == -1) return "UNLIMITED";
  if (seconds < 0) seconds = 0;
  const long long d = seconds / 86400;
  const long long h = seconds / 3600 % 24;
  const long long m = seconds / 60 % 60;
  const long long s = seconds % 60;
  char buf[64];
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", d, h, m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", h, m, s);
  }
  return buf;
}

int64_t JobElapsed(const proto::JobInfo& job, int64_t now) {
  if (job.state == proto::JobState::kPending || job.start_time <= 0) return 0;
  const bool ongoing =
      job.state == proto::JobState::kRunning || job.state == proto::JobState::kSuspended;
  int64_t until = now;
  if (!ongoing && job.end_time > 0) until = job.end_time;
  return until > job.start_time ? until - job.start_time : 0;
}

}  // namespace herd::cli
