// herd hqueue — option parsing and job selection.
#include "commands/hqueue/hqueue_options.h"

#include <getopt.h>
#include <unistd.h>

#include <algorithm>

#include "commands/lib/cli.h"
#include "commands/lib/field_format.h"
#include "commands/lib/option_table.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::hqueue {
namespace {

enum LongOnly : int { kJson = 256, kHelp, kMe, kFromPassive, kStart, kAccepted };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"user", 'u', required_argument},
      {"me", 0, no_argument, kMe},
      {"partition", 'p', required_argument},
      {"states", 't', required_argument},
      {"jobs", 'j', required_argument},
      {"name", 'n', required_argument},
      {"format", 'o', required_argument},
      {"nodelist", 'w', required_argument},
      {"account", 'A', required_argument},
      {"qos", 'q', required_argument},
      {"iterate", 'i', required_argument},
      // Hidden partitions and federations: herd shows every partition of its one cluster.
      {"all", 'a', no_argument, kAccepted},
      {"local", 0, no_argument, kAccepted},
      {"noconvert", 0, no_argument, kAccepted},
      {"Format", 'O', required_argument},
      {"sort", 'S', required_argument},
      {"noheader", 'h', no_argument},
      {"long", 'l', no_argument},
      {"steps", 's', no_argument},
      {"array", 'r', no_argument},
      {"start", 0, no_argument, kStart},
      {"json", 0, no_argument, kJson},
      {"from-passive", 0, no_argument, kFromPassive},
      {"help", 0, no_argument, kHelp},
      {"version", 'V', no_argument},
  };
  return table;
}

// A user name or uid; unknown users are an error, as in squeue.
Result<std::string> ResolveUser(const std::string& text) {
  auto name = cli::ResolveUserName(text);
  if (!name.ok()) return InvalidArgument("Invalid user: " + text);
  return name;
}

Status AddStates(const std::string& list, HqueueOptions* o) {
  for (const std::string& item : cli::SplitList(list)) {
    if (EqualsIgnoreCase(item, "all")) {
      o->all_states = true;
      continue;
    }
    proto::JobState st;
    if (!proto::ParseJobState(item, &st)) {
      return InvalidArgument("Invalid job state specified: " + item);
    }
    o->filter.states.push_back(st);
  }
  return Status::Ok();
}

Status Apply(int opt, const char* arg, HqueueOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'u':
      for (const std::string& u : cli::SplitList(v)) {
        HERD_ASSIGN_OR_RETURN(std::string name, ResolveUser(u));
        o->filter.users.push_back(name);
      }
      break;
    case kMe: {
      HERD_ASSIGN_OR_RETURN(std::string name, ResolveUser(std::to_string(getuid())));
      o->filter.users.push_back(name);
      break;
    }
    case 'p':
      for (const std::string& p : cli::SplitList(v)) o->filter.partitions.push_back(p);
      break;
    case 't':
      HERD_RETURN_IF_ERROR(AddStates(v, o));
      break;
    case 'j': {
      auto parsed = cli::ParseJobSelection({v});
      if (!parsed.ok()) {  // squeue's wording: "Invalid job id: abc"
        const std::string m = parsed.error().message();
        const std::string head = "Invalid job id ";
        return InvalidArgument(StartsWith(m, head) ? "Invalid job id: " + m.substr(head.size())
                                                   : m);
      }
      const std::vector<uint64_t>& ids = parsed->job_ids;
      o->filter.job_ids.insert(o->filter.job_ids.end(), ids.begin(), ids.end());
      o->tasks.insert(o->tasks.end(), parsed->task_ids.begin(), parsed->task_ids.end());
      break;
    }
    case 'n':
      for (const std::string& n : cli::SplitList(v)) o->filter.names.push_back(n);
      break;
    case 'o':
      o->format = v;
      break;
    case 'w': {
      auto names = ExpandHostlist(Trim(v));
      if (!names.ok()) return InvalidArgument("Invalid hostlist: " + v);
      o->nodes.insert(o->nodes.end(), names->begin(), names->end());
      break;
    }
    case 'A':
      cli::AddLowerCaseNames(v, &o->accounts);
      break;
    case 'q':
      cli::AddLowerCaseNames(v, &o->qos);
      break;
    case 'i': {
      auto n = ParseUint(Trim(v), INT32_MAX);
      if (!n.ok() || *n == 0) return InvalidArgument("Invalid iteration value: " + v);
      o->iterate_s = static_cast<int>(*n);
      break;
    }
    case kAccepted:
      break;
    case 'O': {
      HERD_ASSIGN_OR_RETURN(o->format, cli::FormatFromFields(v, cli::SqueueFields()));
      break;
    }
    case 'S':
      o->sort = v;
      break;
    case 'h':
      o->noheader = true;
      break;
    case 'l':
      o->long_format = true;
      break;
    case 's':
      o->steps = true;
      break;
    case 'r':
      o->array_tasks = true;
      break;
    case kJson:
      o->json = true;
      break;
    case kStart:
      o->start = true;
      break;
    case kFromPassive:
      o->from_passive = true;
      break;
    case kHelp:
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

template <class T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Result<HqueueOptions> ParseHqueueArgs(const std::vector<std::string>& args) {
  HqueueOptions o;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hqueue", args, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &positional));
  if (o.help || o.version) return o;
  if (!positional.empty()) return cli::UsageError("unrecognized argument '" + positional[0] + "'");
  // --start: pending jobs only unless states are asked for, as squeue.
  if (o.start && o.filter.states.empty() && !o.all_states) {
    o.filter.states.push_back(proto::JobState::kPending);
  }
  if (o.all_states) {
    o.filter.states.clear();  // "all" covers every state
    o.filter.include_finished = true;
  } else {
    for (proto::JobState st : o.filter.states) {
      if (proto::IsFinished(st)) o.filter.include_finished = true;
    }
  }
  return o;
}

namespace {
// The pending ids of an array's remainder ("5-99:3%10"), without the throttle.
std::vector<proto::ArrayRange> PendingRanges(const proto::JobInfo& job) {
  auto spec = proto::ParseArraySpec(job.array_pending, UINT32_MAX);
  return spec.ok() ? spec->ranges : std::vector<proto::ArrayRange>{};
}

// The ids of `ranges` that `sel` names.
std::vector<proto::ArrayRange> Named(const std::vector<proto::ArrayRange>& ranges,
                                     const std::vector<proto::ArrayRange>& sel) {
  std::vector<proto::ArrayRange> out;
  for (const proto::ArrayRange& r : ranges) {
    const uint32_t step = r.step == 0 ? 1 : r.step;
    for (uint64_t t = r.first; t <= r.last; t += step) {
      const auto id = static_cast<uint32_t>(t);
      if (!proto::HasTask(sel, id)) continue;
      if (!out.empty() && out.back().step == 1 && out.back().last + 1 == id) {
        out.back().last = id;
      } else {
        out.push_back({id, id, 1});
      }
    }
  }
  return out;
}

bool ById(const proto::JobInfo& job, const proto::JobFilter& f) {
  return Contains(f.job_ids, job.job_id) ||
         (job.array_job_id != 0 && Contains(f.job_ids, job.array_job_id));
}

bool ByTask(const proto::JobInfo& job, const std::vector<proto::ArrayTaskIds>& tasks) {
  for (const proto::ArrayTaskIds& t : tasks) {
    if (job.array_job_id != t.array_job_id || job.array_job_id == 0) continue;
    if (job.array_task_id != proto::kNoArrayTask ? proto::HasTask(t.tasks, job.array_task_id)
                                                 : !Named(PendingRanges(job), t.tasks).empty()) {
      return true;
    }
  }
  return false;
}
}  // namespace

proto::JobFilter QueryFilter(const HqueueOptions& o) {
  proto::JobFilter f = o.filter;
  for (const proto::ArrayTaskIds& t : o.tasks) f.job_ids.push_back(t.array_job_id);
  return f;
}

void NarrowToTasks(proto::JobInfo* job, const HqueueOptions& o) {
  if (job->array_task_id != proto::kNoArrayTask || ById(*job, o.filter)) return;
  std::vector<proto::ArrayRange> named;
  for (const proto::ArrayTaskIds& t : o.tasks) {
    if (t.array_job_id != job->array_job_id) continue;
    for (const proto::ArrayRange& r : Named(PendingRanges(*job), t.tasks)) named.push_back(r);
  }
  if (!named.empty()) job->array_pending = proto::FormatTasks(named, 0);
}

bool JobSelected(const proto::JobInfo& job, const HqueueOptions& o) {
  const proto::JobFilter& f = o.filter;
  if (!f.states.empty()) {
    if (!Contains(f.states, job.state)) return false;
  } else if (!o.all_states && proto::IsFinished(job.state)) {
    return false;
  }
  if ((!f.job_ids.empty() || !o.tasks.empty()) && !ById(job, f) && !ByTask(job, o.tasks)) {
    return false;
  }
  if (!f.users.empty() && !Contains(f.users, job.user)) return false;
  if (!f.partitions.empty() && !Contains(f.partitions, job.partition)) return false;
  if (!o.nodes.empty() &&
      std::none_of(job.alloc.begin(), job.alloc.end(),
                   [&o](const proto::NodeAlloc& a) { return Contains(o.nodes, a.node); })) {
    return false;
  }
  if (!f.names.empty() && !Contains(f.names, job.name)) return false;
  if (!o.accounts.empty() && !Contains(o.accounts, ToLower(job.account))) return false;
  if (!o.qos.empty() && !Contains(o.qos, ToLower(job.qos))) return false;
  return true;
}

std::string HqueueUsage() {
  return R"(Usage: hqueue [OPTIONS...]
Show the jobs in the herd queue.

  -u, --user=user_list       jobs of these users (names or uids)
      --me                   jobs of the current user
  -p, --partition=list       jobs in these partitions
  -t, --states=list          jobs in these states (PD,R,CD,... or full names, or all);
                             default: pending, running, suspended, completing
  -j, --jobs=job_id_list     these jobs (an array's id: all its tasks)
  -r, --array                an array's pending tasks one per line (123_5, 123_6, ...)
  -n, --name=name_list       jobs with these names
  -o, --format=format        output format, e.g. "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"
                             codes: %i %j %u %t %T %M %l %L %D %R %P %N %C %c %r %S %e %V
                                    %Z %o %Q %a %m %b %A %U %G %g %B %E %F %H %I %J %O
                                    %W %X %Y %d %k %p %q %v %w %z %K
                             (default: $SQUEUE_FORMAT, then $SQUEUE_FORMAT2 as -O)
  -O, --Format=fields        Slurm's field names, e.g. "JobID:8,Name:12,State:.8"
                             (20 wide unless given, '.' aligns right)
  -S, --sort=keys            order by these format letters, '-' for descending
                             (default: $SQUEUE_SORT, then "P,t,-p")
  -A, --account=list         jobs charged to these accounts
  -q, --qos=list             jobs with these QOS
  -i, --iterate=seconds      print the queue again every so many seconds, each time
                             after the date, until interrupted
  -a, --all                  accepted (herd hides no partition)
  -w, --nodelist=hostlist    jobs allocated any of these nodes
  -l, --long                 long format (full state, time limit)
  -s, --steps                job steps instead of jobs (STEPID NAME PARTITION USER TIME NODELIST)
      --start                pending jobs by expected start, with the nodes reserved
                             ("%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R")
  -h, --noheader             no header line
      --json                 JSON output {"jobs":[...]}
      --from-passive         ask the passive controller (default with ReadFromPassive=yes);
                             a note on stderr says how far behind the active it is

      --conf FILE            configuration (default: $HERD_CONF or /etc/herd/herd.conf)
      --help                 show this help
  -V, --version              show the version
)";
}

}  // namespace herd::hqueue
