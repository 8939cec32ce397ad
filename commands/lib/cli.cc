// herd commands — option parsing and error printing shared by every command.
#include "commands/lib/cli.h"

#include <pwd.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <utility>

#include "commands/lib/dialect.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::cli {

Result<std::string> ResolveUserName(const std::string& text) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return std::string(found->pw_name);
  }
  auto uid = ParseUint(text, UINT32_MAX);
  if (uid.ok() && getpwuid_r(static_cast<uid_t>(*uid), &pw, buf.data(), buf.size(), &found) == 0 &&
      found != nullptr) {
    return std::string(found->pw_name);
  }
  return NotFound("no such user: " + text);
}
namespace {

// getopt's value for --conf: above every command's own option codes.
constexpr int kConfOption = 0x10000;

std::string& ConfigOverride() {
  static std::string path;
  return path;
}

// The long options whose names start with `name` (for "ambiguous" messages).
int CountPrefixMatches(const struct option* longopts, const std::string& name) {
  int n = 0;
  for (const struct option* o = longopts; o != nullptr && o->name != nullptr; ++o) {
    if (std::strncmp(o->name, name.c_str(), name.size()) == 0) ++n;
  }
  return n;
}

// "--job-name=x" -> "--job-name".
std::string LongName(const std::string& word) { return word.substr(0, word.find('=')); }

}  // namespace

std::string ConfigPath() {
  return ConfigOverride().empty() ? DefaultConfigPath() : ConfigOverride();
}

void SetConfigPath(std::string path) { ConfigOverride() = std::move(path); }

Status UsageError(std::string message) { return Unsupported(std::move(message)); }

bool IsUsageError(const Status& st) { return st.code() == Code::kUnsupported; }

int ReportError(const std::string& cmd, const std::string& message) {
  std::string text;  // one write, each line of the message prefixed
  for (const std::string& line : Split(message, '\n')) text += cmd + ": error: " + line + "\n";
  std::fputs(text.c_str(), stderr);
  return 1;
}

int ReportLoadError(const std::string& cmd, const std::string& api, const std::string& message) {
  if (!SlurmDialect()) return ReportError(cmd, message);
  std::fprintf(stderr, "%s error: %s\n", api.c_str(), message.c_str());
  return 1;
}

int ReportNotFound(const std::string& cmd, const std::string& message) {
  if (!SlurmDialect()) return ReportError(cmd, message);
  std::printf("%s\n", message.c_str());
  return 1;
}

int ReportStatus(const std::string& cmd, const Status& st) {
  if (IsUsageError(st)) {
    std::fprintf(stderr, "%s: %s\nTry \"%s --help\" for more information\n", cmd.c_str(),
                 st.message().c_str(), cmd.c_str());
    return UsageExitCode();
  }
  ReportError(cmd, st.message());
  // Slurm's option parser exits as for a usage error (255) on the values it calls an
  // "Invalid --time specification"; its other value errors exit 1.
  const std::string& m = st.message();
  const std::string tail = " specification";
  const bool specification = StartsWith(m, "Invalid --") && m.size() > tail.size() &&
                             m.compare(m.size() - tail.size(), tail.size(), tail) == 0;
  return specification && SlurmDialect() ? UsageExitCode() : 1;
}

Status RunGetopt(const std::string& cmd, const std::vector<std::string>& args,
                 const std::string& shortopts, const struct option* longopts,
                 bool stop_at_positional, const OptionHandler& handler,
                 std::vector<std::string>* positional) {
  // getopt_long permutes the pointer array, never the strings: keep both alive here.
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(cmd);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(storage.size());

  std::vector<struct option> options;
  for (const struct option* o = longopts; o != nullptr && o->name != nullptr; ++o) {
    options.push_back(*o);
  }
  options.push_back({"conf", required_argument, nullptr, kConfOption});
  options.push_back({nullptr, 0, nullptr, 0});
  longopts = options.data();

  // '+': stop at the first non-option; ':': report a missing argument as ':'.
  const std::string optstring = std::string(stop_at_positional ? "+:" : ":") + shortopts;
  optind = 0;  // full re-initialisation (glibc), so every call starts afresh
  opterr = 0;
  while (true) {
    int index = -1;
    const int c = getopt_long(argc, argv.data(), optstring.c_str(), longopts, &index);
    if (c == -1) break;
    // The word that was being parsed when getopt stopped (valid for long options).
    const std::string word = (optind >= 1 && optind <= argc) ? argv[optind - 1] : "";
    if (c == ':') {
      if (StartsWith(word, "--")) {
        return UsageError("option '" + LongName(word) + "' requires an argument");
      }
      return UsageError(std::string("option requires an argument -- '") +
                        static_cast<char>(optopt) + "'");
    }
    if (c == '?') {
      if (optopt != 0 && !StartsWith(word, "--")) {
        return UsageError(std::string("invalid option -- '") + static_cast<char>(optopt) + "'");
      }
      if (optopt != 0) {
        return UsageError("option '" + LongName(word) + "' doesn't allow an argument");
      }
      const std::string name = LongName(word);
      if (StartsWith(name, "--") && CountPrefixMatches(longopts, name.substr(2)) > 1) {
        return UsageError("option '" + name + "' is ambiguous");
      }
      return UsageError("unrecognized option '" + word + "'");
    }
    if (c == kConfOption) {
      if (optarg == nullptr || *optarg == '\0') {
        return UsageError("option '--conf' requires a file name");
      }
      SetConfigPath(optarg);
      continue;
    }
    HERD_RETURN_IF_ERROR(handler(c, optarg));
  }
  for (int i = optind; i < argc; ++i) positional->push_back(argv[i]);
  return Status::Ok();
}

int32_t CurrentUmask() {
  const mode_t m = ::umask(022);  // the only way to read it is to set it: put it back
  ::umask(m);
  return static_cast<int32_t>(m & 0777);
}

std::vector<std::string> Args(int argc, char** argv) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) out.emplace_back(argv[i]);
  return out;
}

std::string SubmitLine(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i > 0 ? " " : "") + std::string(argv[i]);
  return line;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& part : Split(text, ',')) {
    std::string t = Trim(part);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

void AddLowerCaseNames(const std::string& text, std::vector<std::string>* out) {
  for (const std::string& name : SplitList(text)) out->push_back(ToLower(name));
}

Result<uint32_t> ParseCount(const std::string& option, const std::string& value, bool allow_zero) {
  auto n = ParseUint(Trim(value), UINT32_MAX);
  if (SlurmDialect() && (!n.ok() || (*n == 0 && !allow_zero))) {
    return InvalidArgument("Invalid numeric value \"" + value + "\" for " + option + ".");
  }
  if (!n.ok()) return InvalidArgument("invalid numeric value '" + value + "' for " + option);
  if (*n == 0 && !allow_zero) {
    return InvalidArgument("invalid value '" + value + "' for " + option + ": must be at least 1");
  }
  return static_cast<uint32_t>(*n);
}

Status BadOptionValue(const std::string& option, const Status& st) {
  if (SlurmDialect()) return InvalidArgument("Invalid " + option + " specification");
  return InvalidArgument(option + ": " + st.message());
}

int64_t OptionTimeLimit(int64_t seconds) {
  if (seconds <= 0) return -1;
  return SlurmDialect() ? (seconds + 59) / 60 * 60 : seconds;
}

std::string UserNameOf(uint32_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return "";
  return found->pw_name;
}

Result<uint64_t> ParseJobId(const std::string& text) {
  auto n = ParseUint(text);
  if (!n.ok() || *n == 0) return InvalidArgument("Invalid job id " + text);
  return *n;
}

namespace {
// Splits at commas outside brackets: "1_[1,3],2" -> "1_[1,3]", "2".
std::vector<std::string> SplitIdList(const std::string& w) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (char c : w) {
    if (c == '[') depth++;
    if (c == ']') depth--;
    if (c == ',' && depth == 0) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The task ids after "123_": "4" or "[1-5,7]" (no %N).
Result<std::vector<proto::ArrayRange>> ParseTaskIds(const std::string& text) {
  std::string inner = text;
  if (!inner.empty() && inner.front() == '[') {
    if (inner.size() < 3 || inner.back() != ']') return InvalidArgument("bad task list");
    inner = inner.substr(1, inner.size() - 2);
  } else if (!ParseUint(inner).ok()) {
    return InvalidArgument("bad task id");
  }
  if (inner.find('%') != std::string::npos) return InvalidArgument("bad task list");
  HERD_ASSIGN_OR_RETURN(proto::ArraySpec spec, proto::ParseArraySpec(inner, proto::kNoArrayTask));
  return spec.ranges;
}
}  // namespace

Result<JobSelection> ParseJobSelection(const std::vector<std::string>& words) {
  JobSelection sel;
  for (const std::string& w : words) {
    for (const std::string& raw : SplitIdList(w)) {
      const std::string item = Trim(raw);
      const size_t us = item.find('_');
      if (us == std::string::npos) {
        HERD_ASSIGN_OR_RETURN(uint64_t id, ParseJobId(item));
        sel.job_ids.push_back(id);
        continue;
      }
      auto id = ParseUint(item.substr(0, us));
      auto tasks = ParseTaskIds(item.substr(us + 1));
      if (!id.ok() || *id == 0 || !tasks.ok()) return InvalidArgument("Invalid job id " + item);
      sel.task_ids.push_back({*id, *tasks});
    }
  }
  return sel;
}

std::string ResultId(const proto::JobActionResult& r) {
  if (r.array_job_id == 0 || r.array_task_id == proto::kNoArrayTask)
    return std::to_string(r.job_id);
  return std::to_string(r.array_job_id) + "_" + std::to_string(r.array_task_id);
}

Result<std::vector<uint64_t>> ParseJobIdList(const std::vector<std::string>& words) {
  std::vector<uint64_t> ids;
  for (const std::string& w : words) {
    for (const std::string& item : Split(w, ',')) {
      HERD_ASSIGN_OR_RETURN(uint64_t id, ParseJobId(Trim(item)));
      ids.push_back(id);
    }
  }
  return ids;
}

}  // namespace herd::cli
