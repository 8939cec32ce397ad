// herd hcancel — option parsing, signal names, result messages.
#include "commands/hcancel/hcancel_options.h"

#include <getopt.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::hcancel {
namespace {

enum LongOnly : int { kMe = 256, kCtld };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"signal", 's', required_argument},   {"user", 'u', required_argument},
      {"me", 0, no_argument, kMe},          {"partition", 'p', required_argument},
      {"state", 't', required_argument},    {"name", 'n', required_argument},
      {"nodelist", 'w', required_argument}, {"account", 'A', required_argument},
      {"qos", 'q', required_argument},      {"reservation", 'R', required_argument},
      {"batch", 'b', no_argument},          {"full", 'f', no_argument},
      {"interactive", 'i', no_argument},    {"hurry", 'H', no_argument},
      {"ctld", 0, no_argument, kCtld},      {"jobname", 0, required_argument, 'n'},
      {"quiet", 'Q', no_argument},          {"verbose", 'v', no_argument},
      {"help", 'h', no_argument},           {"version", 'V', no_argument},
  };
  return table;
}

struct SignalName {
  const char* name;
  int number;
};
const SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

Result<std::string> UserName(uid_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return std::string(found->pw_name);
  }
  return NotFound("cannot find the name of uid " + std::to_string(uid));
}

Status Apply(int opt, const char* arg, HcancelOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 's': {
      HERD_ASSIGN_OR_RETURN(o->signal, ParseSignal(v));
      break;
    }
    case 'u':
      for (const std::string& u : cli::SplitList(v)) {
        auto name = cli::ResolveUserName(u);
        if (!name.ok()) return InvalidArgument("Invalid user name: " + u);
        o->filter.users.push_back(*name);
      }
      break;
    case kMe: {
      HERD_ASSIGN_OR_RETURN(std::string name, UserName(getuid()));
      o->filter.users.push_back(name);
      break;
    }
    case 'p':
      for (const std::string& p : cli::SplitList(v)) o->filter.partitions.push_back(p);
      break;
    case 't':
      for (const std::string& s : cli::SplitList(v)) {
        proto::JobState st;
        if (!proto::ParseJobState(s, &st)) {
          return InvalidArgument("Invalid job state specified: " + s +
                                 "\nValid job states are PENDING, RUNNING, and SUSPENDED");
        }
        o->filter.states.push_back(st);
      }
      break;
    case 'w': {
      // A list that names no node selects no job (scancel: nothing cancelled, exit 0).
      auto names = ExpandHostlist(Trim(v));
      if (names.ok()) o->nodes.insert(o->nodes.end(), names->begin(), names->end());
      o->by_nodes = true;
      break;
    }
    case 'A':
      cli::AddLowerCaseNames(v, &o->accounts);
      break;
    case 'q':
      cli::AddLowerCaseNames(v, &o->qos);
      break;
    case 'R':
      o->reservation = Trim(v);
      break;
    case 'i':
      o->interactive = true;
      break;
    case 'b':
      o->scope = proto::SignalScope::kBatchShell;
      break;
    case 'f':
      o->scope = proto::SignalScope::kWholeJob;
      break;
    case 'H':    // burst buffer stage-out is not waited for: herd has none
    case kCtld:  // herd's commands always talk to the controller
      break;
    case 'n':
      for (const std::string& n : cli::SplitList(v)) o->filter.names.push_back(n);
      break;
    case 'Q':
      o->quiet = true;
      break;
    case 'v':
      o->verbose = true;
      break;
    case 'h':
      o->help = true;
      break;
    case 'V':
      o->version = true;
      break;
    default:
      return cli::UsageError("unexpected option");
  }
  return Status::Ok();
}

}  // namespace

Result<int32_t> ParseSignal(const std::string& text) {
  const std::string t = Trim(text);
  if (auto n = ParseUint(t, 64); n.ok()) {
    if (*n == 0) return InvalidArgument("Unknown job signal: " + text);
    return static_cast<int32_t>(*n);
  }
  std::string name = ToUpper(t);
  if (StartsWith(name, "SIG")) name = name.substr(3);
  for (const SignalName& s : kSignals) {
    if (name == s.name) return s.number;
  }
  return InvalidArgument("Unknown job signal: " + text);
}

Result<HcancelOptions> ParseHcancelArgs(const std::vector<std::string>& args) {
  HcancelOptions o;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hcancel", args, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &positional));
  if (o.help || o.version) return o;
  HERD_ASSIGN_OR_RETURN(cli::JobSelection ids, cli::ParseJobSelection(positional));
  o.filter.job_ids = std::move(ids.job_ids);
  o.filter.task_ids = std::move(ids.task_ids);
  const proto::JobFilter& f = o.filter;
  if (f.job_ids.empty() && f.task_ids.empty() && f.users.empty() && f.partitions.empty() &&
      f.states.empty() && f.names.empty() && !o.by_nodes && o.accounts.empty() && o.qos.empty() &&
      !o.reservation) {
    return InvalidArgument("No job identification provided");
  }
  return o;
}

Outcome DescribeResults(const std::vector<proto::JobActionResult>& results,
                        const HcancelOptions& opts) {
  Outcome out;
  for (const proto::JobActionResult& r : results) {
    const std::string id = cli::ResultId(r);
    if (r.code == 0) {
      if (opts.verbose) {
        out.info.push_back(opts.signal == 0
                               ? "Terminating job " + id
                               : "Signal " + std::to_string(opts.signal) + " to job " + id);
      }
      continue;
    }
    // -Q: a job that already ended is not worth an error.
    if (opts.quiet && r.code == static_cast<int32_t>(Code::kFailedPrecondition)) continue;
    const std::string msg = r.message.empty() ? "error" : r.message;
    out.errors.push_back("Kill job error on job id " + id + ": " + msg);
    out.exit_code = 1;
  }
  return out;
}

bool ChoosesJobs(const HcancelOptions& opts) {
  return opts.by_nodes || opts.interactive || !opts.accounts.empty() || !opts.qos.empty() ||
         opts.reservation.has_value();
}

namespace {
// Account and QOS names compare as Slurm keeps them: lower case.
bool AmongLower(const std::vector<std::string>& wanted, const std::string& value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), ToLower(value)) != wanted.end();
}
}  // namespace

bool Selected(const proto::JobInfo& job, const HcancelOptions& opts) {
  if (opts.reservation && job.reservation != *opts.reservation) return false;
  if (!AmongLower(opts.accounts, job.account) || !AmongLower(opts.qos, job.qos)) return false;
  if (!opts.by_nodes) return true;
  for (const proto::NodeAlloc& a : job.alloc) {
    if (std::find(opts.nodes.begin(), opts.nodes.end(), a.node) != opts.nodes.end()) return true;
  }
  return false;
}

std::string ConfirmPrompt(const proto::JobInfo& job) {
  return "Cancel job_id=" + std::to_string(job.job_id) + " name=" + job.name +
         " partition=" + job.partition + " [y/n]? ";
}

bool ConfirmAnswer(const std::string& line) {
  const std::string t = Trim(line);
  return !t.empty() && (t[0] == 'y' || t[0] == 'Y');
}

std::string HcancelUsage() {
  return R"(Usage: hcancel [OPTIONS...] [job_id...]
Cancel herd jobs, or send them a signal.

  -s, --signal=name|number   send this signal instead of cancelling (USR1, SIGUSR1, 10);
                             it reaches the job's steps, not the batch script (but KILL)
  -b, --batch                the signal to the batch script's shell alone (without
                             -s: cancel the job)
  -f, --full                 the signal to every process, the batch script's included
  -u, --user=user_list       jobs of these users
      --me                   jobs of the current user
  -p, --partition=list       jobs in these partitions
  -t, --state=list           jobs in these states (PENDING, RUNNING, ... or PD, R)
  -n, --name=name_list       jobs with these names
  -w, --nodelist=hostlist    jobs allocated any of these nodes
  -A, --account=list         jobs charged to these accounts
  -q, --qos=list             jobs with these QOS
  -R, --reservation=name     jobs in this advance reservation
  -i, --interactive          ask before each job ("[y/n]?" on stdout; end of input is no)
  -H, --hurry                accepted (herd has no burst buffer stage-out to skip)
  -Q, --quiet                no error for jobs that already ended
  -v, --verbose              report every job acted on

      --conf FILE            configuration (default: $HERD_CONF or /etc/herd/herd.conf)
  -h, --help                 show this help
  -V, --version              show the version
)";
}

}  // namespace herd::hcancel
