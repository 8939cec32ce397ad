// herd commands — times as users type them (time_parse.h).
#include "commands/lib/time_parse.h"

#include <cctype>
#include <cstdio>

#include "common/base/strings.h"

namespace herd::cli {
namespace {

Status BadBegin(const std::string& text) {
  return InvalidArgument("Invalid --begin specification: '" + text + "'");
}

// The next time the clock reads hour:min:sec (today's, or tomorrow's once it has passed).
int64_t NextClock(std::tm tm, int64_t now) {
  int64_t t = FromTm(tm);
  if (t <= now) {
    tm.tm_mday += 1;
    t = FromTm(tm);
  }
  return t;
}

}  // namespace

std::tm LocalTm(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

int64_t FromTm(std::tm tm) {
  tm.tm_isdst = -1;
  return static_cast<int64_t>(std::mktime(&tm));
}

bool ParseClock(const std::string& s, std::tm* tm) {
  int h = 0, m = 0, sec = 0, n = 0;
  if (std::sscanf(s.c_str(), "%d:%d:%d%n", &h, &m, &sec, &n) == 3 &&
      static_cast<size_t>(n) == s.size()) {
  } else if (sec = 0, std::sscanf(s.c_str(), "%d:%d%n", &h, &m, &n) == 2 &&
                          static_cast<size_t>(n) == s.size()) {
  } else {
    return false;
  }
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return false;
  tm->tm_hour = h;
  tm->tm_min = m;
  tm->tm_sec = sec;
  return true;
}

DateParse ParseIsoDate(const std::string& t, int64_t* out) {
  int y = 0, mo = 0, d = 0, n = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return DateParse::kNotDate;
  std::tm x{};
  x.tm_year = y - 1900;
  x.tm_mon = mo - 1;
  x.tm_mday = d;
  const std::string rest = t.substr(static_cast<size_t>(n));
  if (!rest.empty() && (rest[0] != 't' || !ParseClock(rest.substr(1), &x))) return DateParse::kBad;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return DateParse::kBad;
  *out = FromTm(x);
  return DateParse::kDate;
}

Result<int64_t> ParseBeginTime(const std::string& text, int64_t now) {
  const std::string t = ToLower(Trim(text));
  std::tm day = LocalTm(now);
  day.tm_hour = day.tm_min = day.tm_sec = 0;
  if (t == "now" || t == "today") return now;
  if (t == "tomorrow" || t == "midnight") {
    day.tm_mday += 1;
    return FromTm(day);
  }
  static const std::pair<const char*, int> kNamed[] = {{"noon", 12}, {"fika", 15}, {"teatime", 16}};
  for (const auto& [name, hour] : kNamed) {
    if (t != name) continue;
    day.tm_hour = hour;
    return NextClock(day, now);
  }
  if (t.rfind("now+", 0) == 0) {
    size_t i = 4;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == 4 || i - 4 > 9) return BadBegin(text);
    const int64_t n = std::stoll(t.substr(4, i - 4));
    const std::string unit = t.substr(i);
    static const std::pair<const char*, int64_t> kUnits[] = {
        {"", 1},         {"second", 1},    {"seconds", 1},   {"minute", 60},
        {"minutes", 60}, {"hour", 3600},   {"hours", 3600},  {"day", 86400},
        {"days", 86400}, {"week", 604800}, {"weeks", 604800}};
    for (const auto& [name, mult] : kUnits) {
      if (unit == name) return now + n * mult;
    }
    return BadBegin(text);
  }
  int64_t date = 0;
  switch (ParseIsoDate(t, &date)) {
    case DateParse::kDate:
      return date;
    case DateParse::kBad:
      return BadBegin(text);
    case DateParse::kNotDate:
      break;
  }
  int mo = 0, d = 0, n = 0;
  if (t.find('/') != std::string::npos) {  // MM/DD[/YY]
    int yy = -1;
    std::tm x = day;
    if (std::sscanf(t.c_str(), "%d/%d/%d%n", &mo, &d, &yy, &n) == 3 &&
        static_cast<size_t>(n) == t.size()) {
      x.tm_year = (yy < 100 ? yy + 2000 : yy) - 1900;
    } else if (std::sscanf(t.c_str(), "%d/%d%n", &mo, &d, &n) != 2 ||
               static_cast<size_t>(n) != t.size()) {
      return BadBegin(text);
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return BadBegin(text);
    x.tm_mon = mo - 1;
    x.tm_mday = d;
    return FromTm(x);
  }
  if (ParseClock(t, &day)) return NextClock(day, now);
  return BadBegin(text);
}

}  // namespace herd::cli
