// herd commands — time formatting.
#include "commands/lib/timefmt.h"

#include <cstdio>
#include <ctime>

namespace herd::cli {

std::string FormatTimestamp(int64_t t, const std::string& unset) {
  if (t <= 0) return unset;
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (localtime_r(&tt, &tm) == nullptr) return unset;
  char buf[64];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm) == 0) return unset;
  return buf;
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
