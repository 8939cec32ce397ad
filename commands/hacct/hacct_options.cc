// herd hacct — option parsing, time formats and field lists.
#include "commands/hacct/hacct_options.h"

#include <getopt.h>
#include <pwd.h>

#include <cctype>
#include <ctime>

#include "commands/hacct/hacct_fields.h"
#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "commands/lib/time_parse.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/proto/types.h"

namespace herd::hacct {

using cli::FromTm;
using cli::LocalTm;
using cli::ParseClock;
namespace {

enum LongOnly : int { kHelp = 256, kName, kDelimiter, kUnits, kJson };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"allusers", 'a', no_argument},
      {"brief", 'b', no_argument},
      {"allocations", 'X', no_argument},
      {"long", 'l', no_argument},
      {"parsable2", 'P', no_argument},
      {"parsable", 'p', no_argument},
      {"noheader", 'n', no_argument},
      {"jobs", 'j', required_argument},
      {"user", 'u', required_argument},
      {"uid", 0, required_argument, 'u'},
      {"accounts", 'A', required_argument},
      {"account", 0, required_argument, 'A'},
      {"partition", 'r', required_argument},
      {"state", 's', required_argument},
      {"starttime", 'S', required_argument},
      {"endtime", 'E', required_argument},
      {"format", 'o', required_argument},
      {"name", 0, required_argument, kName},
      {"delimiter", 0, required_argument, kDelimiter},
      {"nodelist", 'N', required_argument},
      {"units", 0, required_argument, kUnits},
      {"json", 0, no_argument, kJson},
      {"help", 'h', no_argument},
      {"version", 'V', no_argument},
  };
  return table;
}

// sacct's state names and abbreviations.
Result<int> ParseState(const std::string& text) {
  static const std::pair<const char*, proto::JobState> kShort[] = {
      {"CA", proto::JobState::kCancelled}, {"CD", proto::JobState::kCompleted},
      {"F", proto::JobState::kFailed},     {"NF", proto::JobState::kNodeFail},
      {"PD", proto::JobState::kPending},   {"R", proto::JobState::kRunning},
      {"TO", proto::JobState::kTimeout},   {"OOM", proto::JobState::kOutOfMemory},
      {"PR", proto::JobState::kPreempted}, {"S", proto::JobState::kSuspended},
  };
  for (const auto& [name, st] : kShort) {
    if (EqualsIgnoreCase(text, name)) return static_cast<int>(st);
  }
  proto::JobState st;
  if (proto::ParseJobState(text, &st)) return static_cast<int>(st);
  return InvalidArgument("Invalid state: " + text);
}

Status BadTime(const std::string& text) {
  return InvalidArgument("Invalid time specification: " + text);
}

}  // namespace

Result<uint32_t> ResolveUid(const std::string& text) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return static_cast<uint32_t>(found->pw_uid);
  }
  auto uid = ParseUint(text, UINT32_MAX);
  if (uid.ok()) return static_cast<uint32_t>(*uid);
  return InvalidArgument("Invalid user id: " + text);
}

std::string UserNameOf(uint32_t uid) { return cli::UserNameOf(uid); }

Result<int64_t> ParseSacctTime(const std::string& text, int64_t now) {
  const std::string t = ToLower(text);
  std::tm tm = LocalTm(now);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  if (t == "now") return now;
  if (t == "today" || t == "midnight") return FromTm(tm);
  if (t == "noon") {
    tm.tm_hour = 12;
    return FromTm(tm);
  }
  if (t == "tomorrow") {
    tm.tm_mday += 1;
    return FromTm(tm);
  }
  if (t.rfind("now", 0) == 0 && t.size() > 4 && (t[3] == '-' || t[3] == '+')) {
    size_t i = 4;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i == 4) return BadTime(text);
    const int64_t n = std::stoll(t.substr(4, i - 4));
    const std::string unit = t.substr(i);
    int64_t mult = 0;
    if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "seconds") {
      mult = 1;
    } else if (unit == "min" || unit == "mins" || unit == "minutes") {
      mult = 60;
    } else if (unit == "hour" || unit == "hours") {
      mult = 3600;
    } else if (unit == "day" || unit == "days") {
      mult = 86400;
    } else if (unit == "week" || unit == "weeks") {
      mult = 7 * 86400;
    } else {
      return BadTime(text);
    }
    return t[3] == '-' ? now - n * mult : now + n * mult;
  }
  int64_t iso = 0;
  switch (cli::ParseIsoDate(t, &iso)) {  // YYYY-MM-DD[THH:MM[:SS]]
    case cli::DateParse::kDate:
      return iso;
    case cli::DateParse::kBad:
      return BadTime(text);
    case cli::DateParse::kNotDate:
      break;
  }
  int mo = 0, d = 0, n = 0;
  // MM/DD[/YY][-HH:MM[:SS]]
  if (t.find('/') != std::string::npos) {
    const size_t dash = t.find('-');
    const std::string date = t.substr(0, dash);
    int yy = -1;
    std::tm x = tm;
    if (std::sscanf(date.c_str(), "%d/%d/%d%n", &mo, &d, &yy, &n) == 3 &&
        static_cast<size_t>(n) == date.size()) {
      x.tm_year = (yy < 100 ? yy + 2000 : yy) - 1900;
    } else if (std::sscanf(date.c_str(), "%d/%d%n", &mo, &d, &n) != 2 ||
               static_cast<size_t>(n) != date.size()) {
      return BadTime(text);
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return BadTime(text);
    x.tm_mon = mo - 1;
    x.tm_mday = d;
    if (dash != std::string::npos && !ParseClock(t.substr(dash + 1), &x)) return BadTime(text);
    return FromTm(x);
  }
  // HH:MM[:SS] today
  if (ParseClock(t, &tm)) return FromTm(tm);
  return BadTime(text);
}

Result<std::vector<OutputField>> ParseFormat(const std::string& spec) {
  std::vector<OutputField> out;
  for (const std::string& item : cli::SplitList(spec)) {
    const size_t pct = item.find('%');
    OutputField f;
    const int width = FieldWidth(item.substr(0, pct), &f.name);
    if (width == 0)
      return InvalidArgument("Invalid field requested: \"" + item.substr(0, pct) + "\"");
    f.width = width;
    if (pct != std::string::npos) {
      std::string w = item.substr(pct + 1);
      const bool left = !w.empty() && w[0] == '-';
      if (left) w.erase(0, 1);
      auto n = ParseUint(w, 4096);
      if (!n.ok() || *n == 0) return InvalidArgument("Invalid field width: \"" + item + "\"");
      f.width = static_cast<int>(*n);
      if (left || width < 0) f.width = -f.width;  // JobID stays left-justified
    }
    out.push_back(f);
  }
  if (out.empty()) return InvalidArgument("No fields given to --format");
  return out;
}

Result<HacctOptions> ParseHacctArgs(const std::vector<std::string>& args, int64_t now,
                                    uint32_t uid) {
  HacctOptions o;
  std::string format = kDefaultFields;
  std::string start, end;
  bool brief = false, longf = false, format_given = false;
  auto handler = [&](int opt, const char* arg) -> Status {
    const std::string v = arg != nullptr ? arg : "";
    switch (opt) {
      case 'a':
        o.all_users = true;
        break;
      case 'b':
        brief = true;
        break;
      case 'X':
        o.allocations = true;
        break;
      case 'l':
        longf = true;
        break;
      case 'P':
        o.parsable = true;
        o.trailing_delimiter = false;
        break;
      case 'p':
        o.parsable = true;
        o.trailing_delimiter = true;
        break;
      case 'n':
        o.noheader = true;
        break;
      case 'j':
        for (const std::string& id : cli::SplitList(v)) {
          // "12", "12.batch", "12.3": the job's rows.
          auto n = ParseUint(id.substr(0, id.find('.')), UINT64_MAX);
          if (!n.ok()) return InvalidArgument("Invalid job id: " + id);
          o.query.job_ids.push_back(*n);
        }
        break;
      case 'u':
        for (const std::string& u : cli::SplitList(v)) {
          HERD_ASSIGN_OR_RETURN(uint32_t id, ResolveUid(u));
          o.query.uids.push_back(id);
        }
        break;
      case 'A':
        for (const std::string& a : cli::SplitList(v)) o.query.accounts.push_back(a);
        break;
      case 'r':
        for (const std::string& p : cli::SplitList(v)) o.query.partitions.push_back(p);
        break;
      case 's':
        for (const std::string& s : cli::SplitList(v)) {
          HERD_ASSIGN_OR_RETURN(int st, ParseState(s));
          o.query.states.push_back(st);
        }
        break;
      case 'S':
        start = v;
        break;
      case 'E':
        end = v;
        break;
      case 'o':
        format = v;
        format_given = true;
        break;
      case kName:
        for (const std::string& n : cli::SplitList(v)) o.query.names.push_back(n);
        break;
      case kDelimiter:
        o.delimiter = v;
        break;
      case kJson:
        o.json = true;
        break;
      case 'N': {
        auto names = ExpandHostlist(v);
        if (!names.ok() || names->empty()) return InvalidArgument("Invalid node list: " + v);
        o.nodes = std::move(*names);
        break;
      }
      case kUnits:
        if (v.size() != 1 || std::string("KMGTP").find(ToUpper(v)[0]) == std::string::npos) {
          return InvalidArgument("Invalid unit type '" + v + "'. Possible options are 'KMGTP'");
        }
        o.units = ToUpper(v)[0];
        break;
      case 'h':
        o.help = true;
        break;
      case 'V':
        o.version = true;
        break;
      default:
        return cli::UsageError("invalid option");
    }
    return Status::Ok();
  };
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse("hacct", args, false, handler, &positional));
  if (!positional.empty()) return cli::UsageError("unexpected argument: " + positional[0]);
  if (brief && !format_given) format = kBriefFields;
  if (longf && !format_given) format = kLongFields;
  HERD_ASSIGN_OR_RETURN(o.fields, ParseFormat(format));
  // sacct: with -S or -j no default window; otherwise since midnight, or with -s now
  // (the jobs in those states now). With -s the window ends where it starts unless -E.
  const bool states = !o.query.states.empty();
  if (!start.empty()) {
    HERD_ASSIGN_OR_RETURN(o.query.start, ParseSacctTime(start, now));
    o.start_given = true;
  } else if (o.query.job_ids.empty()) {
    HERD_ASSIGN_OR_RETURN(o.query.start, ParseSacctTime(states ? "now" : "midnight", now));
  }
  if (!end.empty()) {
    HERD_ASSIGN_OR_RETURN(o.query.end, ParseSacctTime(end, now));
  } else if (states && o.query.start > 0) {
    o.query.end = o.query.start;
  }
  if (o.query.end > 0 && o.query.start > o.query.end) {
    return InvalidArgument("Start time (" + start + ") requested is after end time (" + end + ")");
  }
  // Only your own jobs unless -a, -u or root.
  if (!o.all_users && o.query.uids.empty() && uid != 0) o.query.uids.push_back(uid);
  return o;
}

std::string HacctUsage() {
  return "Usage: hacct [OPTIONS]   (herd's sacct: jobs from the accounting database)\n"
         "  -j, --jobs=ID[,ID]       these jobs (no default time window)\n"
         "  -u, --user=USER[,...]    these users' jobs (default: your own; root: all)\n"
         "  -a, --allusers           every user's jobs\n"
         "  -A, --accounts=LIST      these accounts\n"
         "      --name=NAME[,...]    jobs of these names\n"
         "  -r, --partition=LIST     these partitions\n"
         "  -s, --state=LIST         in these states during the window (CA,CD,F,NF,PD,R,TO,\n"
         "                           OOM or full names; default window: now)\n"
         "  -N, --nodelist=HOSTS     jobs that ran on these nodes\n"
         "  -S, --starttime=TIME     eligible or running since (default: midnight)\n"
         "  -E, --endtime=TIME       ... and up to (default: now; with -s: -S)\n"
         "  -X, --allocations        jobs only, not their steps\n"
         "  -b, --brief              JobID,State,ExitCode\n"
         "  -l, --long               the long field list\n"
         "  -o, --format=FIELDS      fields, each Name or Name%WIDTH\n"
         "  -P, --parsable2          '|'-separated;  -p, --parsable: with a trailing '|'\n"
         "      --delimiter=TEXT     separator for -p/-P\n"
         "  -n, --noheader           no header\n"
         "      --units=[KMGTP]      memory figures in this unit\n"
         "      --json               sacct's JSON document (jobs with their steps)\n"
         "      --conf=FILE          herd.conf to read\n";
}

}  // namespace herd::hacct
