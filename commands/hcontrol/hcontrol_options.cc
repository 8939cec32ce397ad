// herd hcontrol — command-line parsing.
#include "commands/hcontrol/hcontrol_options.h"

#include <ctime>

#include "commands/hcontrol/hcontrol_resv.h"
#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "commands/lib/time_parse.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::hcontrol {
namespace {

constexpr int kFromPassive = 256;

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"oneliner", 'o', no_argument},
      {"details", 'd', no_argument},
      {"from-passive", 0, no_argument, kFromPassive},
      {"help", 'h', no_argument},
      {"version", 'V', no_argument},
  };
  return table;
}

bool OneOf(const std::string& word, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (EqualsIgnoreCase(word, n)) return true;
  }
  return false;
}

Result<Entity> ParseEntity(const std::string& word) {
  if (OneOf(word, {"job", "jobs", "jobid"})) return Entity::kJob;
  if (OneOf(word, {"node", "nodes", "nodename"})) return Entity::kNode;
  if (OneOf(word, {"partition", "partitions", "partitionname", "part"})) {
    return Entity::kPartition;
  }
  if (OneOf(word, {"config", "configuration"})) return Entity::kConfig;
  if (OneOf(word, {"audit"})) return Entity::kAudit;
  if (OneOf(word, {"reservation", "reservations", "reservationname", "res"})) {
    return Entity::kReservation;
  }
  if (OneOf(word, {"hostnames"})) return Entity::kHostnames;
  if (OneOf(word, {"hostlist"})) return Entity::kHostlist;
  if (OneOf(word, {"hostlistsorted"})) return Entity::kHostlistSorted;
  return InvalidArgument("invalid entity: " + word + " for keyword: show");
}

// A local time YYYY-MM-DD[THH:MM[:SS]] -> seconds since the epoch.
Result<int64_t> ParseLocalTime(const std::string& text) {
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), fmt, &tm);
    if (end == nullptr || *end != '\0') continue;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
  }
  return InvalidArgument("Invalid time: " + text + " (YYYY-MM-DD[THH:MM[:SS]])");
}

// show audit [since=TIME] [user=NAME] [entity=KIND[=NAME]].
Status ParseAuditFilter(const std::vector<std::string>& words, proto::QueryAuditRequest* q) {
  for (const std::string& w : words) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos) return InvalidArgument("Invalid input: " + w);
    const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    if (OneOf(key, {"since"})) {
      HERD_ASSIGN_OR_RETURN(q->since, ParseLocalTime(value));
    } else if (OneOf(key, {"user"})) {
      q->user = value;
    } else if (OneOf(key, {"entity"})) {
      q->entity = value;
    } else {
      return InvalidArgument("Invalid input: " + w + " (show audit takes since=, user=, entity=)");
    }
  }
  return Status::Ok();
}

// show ENTITY [NAME] (also ENTITY=NAME).
Status ParseShow(const std::vector<std::string>& words, HcontrolCommand* c) {
  if (words.empty()) return InvalidArgument("too few arguments for keyword: show");
  std::string entity_word = words[0];
  std::vector<std::string> rest(words.begin() + 1, words.end());
  if (const size_t eq = entity_word.find('='); eq != std::string::npos) {
    rest.insert(rest.begin(), entity_word.substr(eq + 1));
    entity_word = entity_word.substr(0, eq);
  }
  HERD_ASSIGN_OR_RETURN(c->entity, ParseEntity(entity_word));
  c->verb = Verb::kShow;
  if (c->entity == Entity::kAudit) return ParseAuditFilter(rest, &c->audit);
  if (rest.size() > 1) return InvalidArgument("too many arguments for keyword: show");
  if (rest.empty()) return Status::Ok();
  c->name = rest[0];
  if (c->entity == Entity::kConfig) {
    return InvalidArgument("too many arguments for keyword: show");
  }
  if (c->entity == Entity::kJob) {
    // "123" or one array task "123_4", as scontrol takes them.
    const size_t us = c->name.find('_');
    auto id = ParseUint(c->name.substr(0, us));
    if (!id.ok() || *id == 0) return NotFound("Invalid job id specified");
    c->job_id = *id;
    if (us != std::string::npos) {
      auto task = ParseUint(c->name.substr(us + 1), proto::kNoArrayTask - 1);
      if (!task.ok()) return NotFound("Invalid job id specified");
      c->task_id = static_cast<uint32_t>(*task);
    }
  }
  return Status::Ok();
}

struct KeyValue {
  std::string key;  // as written
  std::string value;
};

Result<std::vector<KeyValue>> SplitPairs(const std::vector<std::string>& words) {
  std::vector<KeyValue> out;
  for (const std::string& w : words) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument("Invalid input: " + w);
    out.push_back({w.substr(0, eq), w.substr(eq + 1)});
  }
  return out;
}

Status ParseNodeUpdate(const std::vector<KeyValue>& pairs, HcontrolCommand* c) {
  proto::UpdateNodeRequest& r = c->node_update;
  bool has_reason = false;
  for (const KeyValue& kv : pairs) {
    if (OneOf(kv.key, {"NodeName", "Node", "NodeNames"})) {
      auto names = ExpandHostlist(Trim(kv.value));
      if (!names.ok() || names->empty()) {
        return InvalidArgument("Invalid node name specified: " + kv.value);
      }
      r.names.insert(r.names.end(), names->begin(), names->end());
    } else if (OneOf(kv.key, {"State"})) {
      const std::string s = ToUpper(Trim(kv.value));
      if (!OneOf(s, {"DRAIN", "RESUME", "DOWN", "IDLE", "FAIL"})) {
        return InvalidArgument("Invalid node state specified: " + kv.value +
                               " (valid: DRAIN, RESUME, DOWN, IDLE, FAIL)");
      }
      r.state = s;
    } else if (OneOf(kv.key, {"Reason"})) {
      r.reason = kv.value;
      has_reason = !Trim(kv.value).empty();
    } else if (OneOf(kv.key,
                     {"Weight", "Features", "AvailableFeatures", "ActiveFeatures", "Gres"})) {
      // Checked by the controller, which knows the node.
      r.keys.push_back(kv.key);
      r.values.push_back(Trim(kv.value));
    } else {
      return InvalidArgument("Update of this parameter is not supported: " + kv.key + "=" +
                             kv.value);
    }
  }
  if ((r.state == "DRAIN" || r.state == "DOWN" || r.state == "FAIL") && !has_reason) {
    return InvalidArgument(
        "You must specify a reason when DOWNING or DRAINING a node. Request denied");
  }
  if (r.state.empty() && !has_reason && r.keys.empty()) {
    return InvalidArgument("No changes specified");
  }
  c->verb = Verb::kUpdateNode;
  return Status::Ok();
}

// update|create PartitionName=NAME KEY=VALUE...: the keys go to the controller, which
// checks them against its partitions and nodes; known keys and their values are checked
// here first, as scontrol does.
Status ParsePartitionUpdate(const std::vector<KeyValue>& pairs, proto::PartitionOp op,
                            HcontrolCommand* c) {
  proto::UpdatePartitionRequest& r = c->partition_update;
  r.op = op;
  for (const KeyValue& kv : pairs) {
    if (OneOf(kv.key, {"PartitionName", "Partition"})) {
      r.name = Trim(kv.value);
      if (r.name.empty()) return InvalidArgument("Invalid partition name specified");
      continue;
    }
    const std::string key = CanonicalPartitionKey(kv.key);
    if (key.empty()) {
      return InvalidArgument("Update of this parameter is not supported: " + kv.key + "=" +
                             kv.value);
    }
    PartitionConfig scratch;
    bool all = false;
    if (Status st = ApplyPartitionKey(&scratch, key, Trim(kv.value), &all); !st.ok()) {
      return InvalidArgument("Invalid " + key + " value: " + kv.value + " (" + st.message() + ")");
    }
    if (key == "State") r.state = ToUpper(Trim(kv.value));
    r.keys.push_back(key);
    r.values.push_back(kv.value);
  }
  if (r.name.empty()) return InvalidArgument("PartitionName must be given");
  if (op == proto::PartitionOp::kUpdate && r.keys.empty()) {
    return InvalidArgument("No changes specified");
  }
  c->verb = Verb::kUpdatePartition;
  return Status::Ok();
}

// create [partition] PartitionName=NAME KEY=VALUE..., delete [partition] PartitionName=NAME
// (also "delete partition NAME").
Status ParseCreateOrDelete(std::vector<std::string> words, bool create, HcontrolCommand* c) {
  const char* verb = create ? "create" : "delete";
  if (NamesReservation(words)) {
    HERD_ASSIGN_OR_RETURN(
        c->resv_update,
        ParseReservationCommand(words, create ? proto::ResvOp::kCreate : proto::ResvOp::kDelete,
                                std::time(nullptr)));
    c->verb = Verb::kReservation;
    return Status::Ok();
  }
  if (!words.empty() && OneOf(words[0], {"partition", "part"})) {
    words.erase(words.begin());
    if (!create && words.size() == 1 && words[0].find('=') == std::string::npos) {
      words[0] = "PartitionName=" + words[0];
    }
  }
  if (words.empty()) return InvalidArgument(std::string("too few arguments for keyword: ") + verb);
  HERD_ASSIGN_OR_RETURN(std::vector<KeyValue> pairs, SplitPairs(words));
  if (!OneOf(pairs[0].key, {"PartitionName", "Partition"})) {
    return InvalidArgument(std::string("Invalid ") + verb +
                           " specification: give PartitionName= first");
  }
  if (!create && pairs.size() > 1) return InvalidArgument("too many arguments for keyword: delete");
  return ParsePartitionUpdate(
      pairs, create ? proto::PartitionOp::kCreate : proto::PartitionOp::kDelete, c);
}

// update JobId=N Key=Value...: the keys go to the controller as written; it knows which
// it can change and when.
Status ParseJobUpdate(const std::vector<KeyValue>& pairs, HcontrolCommand* c) {
  proto::UpdateJobRequest& r = c->job_update;
  for (const KeyValue& kv : pairs) {
    if (OneOf(kv.key, {"JobId", "JobID"})) {
      const std::string v = Trim(kv.value);
      const size_t us = v.find('_');  // 123_4: one task of an array
      auto id = ParseUint(v.substr(0, us));
      if (!id.ok() || *id == 0) return InvalidArgument("Invalid job id " + kv.value);
      r.job_id = *id;
      if (us != std::string::npos) {
        auto task = ParseUint(v.substr(us + 1), proto::kNoArrayTask - 1);
        if (!task.ok()) return InvalidArgument("Invalid job id " + kv.value);
        r.array_task_id = static_cast<uint32_t>(*task);
      }
    } else {
      // scontrol checks a time limit before sending it.
      if (OneOf(kv.key, {"TimeLimit"}) && !ParseTimeLimit(Trim(kv.value)).ok()) {
        return InvalidArgument("Invalid TimeLimit value");
      }
      r.keys.push_back(kv.key);
      r.values.push_back(kv.value);
      // StartTime goes as seconds since the epoch: "now", "now+1hour" are the caller's.
      if (OneOf(kv.key, {"StartTime"})) {
        auto t = cli::ParseBeginTime(ToLower(Trim(kv.value)), std::time(nullptr));
        if (!t.ok()) return InvalidArgument("Invalid StartTime value: " + kv.value);
        r.values.back() = std::to_string(*t);
      }
    }
  }
  if (r.keys.empty()) return InvalidArgument("No changes specified");
  c->verb = Verb::kUpdateJob;
  return Status::Ok();
}

Status ParseUpdate(const std::vector<std::string>& words, HcontrolCommand* c) {
  if (words.empty()) return InvalidArgument("too few arguments for keyword: update");
  if (NamesReservation(words)) {
    HERD_ASSIGN_OR_RETURN(
        c->resv_update, ParseReservationCommand(words, proto::ResvOp::kUpdate, std::time(nullptr)));
    c->verb = Verb::kReservation;
    return Status::Ok();
  }
  HERD_ASSIGN_OR_RETURN(std::vector<KeyValue> pairs, SplitPairs(words));
  for (const KeyValue& kv : pairs) {
    if (OneOf(kv.key, {"JobId", "JobID"})) return ParseJobUpdate(pairs, c);
  }
  for (const KeyValue& kv : pairs) {
    if (OneOf(kv.key, {"NodeName", "Node", "NodeNames"})) return ParseNodeUpdate(pairs, c);
    if (OneOf(kv.key, {"PartitionName", "Partition"})) {
      return ParsePartitionUpdate(pairs, proto::PartitionOp::kUpdate, c);
    }
  }
  return InvalidArgument(
      "No valid entity in update command (use JobId=, NodeName= or PartitionName=)");
}

}  // namespace

Result<HcontrolCommand> ParseHcontrolArgs(const std::vector<std::string>& args) {
  HcontrolCommand c;
  std::vector<std::string> words;
  // Options may come anywhere, as scontrol takes them: "show jobid -dd 7", "show -o job".
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hcontrol", args, /*stop_at_positional=*/false,
      [&c](int opt, const char*) {
        switch (opt) {
          case 'o':
            c.oneliner = true;
            break;
          case 'd':
            ++c.details;
            break;
          case 'h':
            c.help = true;
            break;
          case 'V':
            c.version = true;
            break;
          case kFromPassive:
            c.from_passive = true;
            break;
          default:
            return cli::UsageError("unexpected option");
        }
        return Status::Ok();
      },
      &words));
  if (c.help || c.version) return c;
  if (words.empty()) return cli::UsageError("no command given");
  const std::string verb = words[0];
  const std::vector<std::string> rest(words.begin() + 1, words.end());
  if (OneOf(verb, {"show"})) {
    HERD_RETURN_IF_ERROR(ParseShow(rest, &c));
  } else if (OneOf(verb, {"update"})) {
    HERD_RETURN_IF_ERROR(ParseUpdate(rest, &c));
  } else if (OneOf(verb, {"create", "delete"})) {
    HERD_RETURN_IF_ERROR(ParseCreateOrDelete(rest, OneOf(verb, {"create"}), &c));
  } else if (OneOf(verb, {"write"})) {
    if (rest.empty() || !OneOf(rest[0], {"config", "configuration"})) {
      return InvalidArgument("write takes: config [FILE]");
    }
    if (rest.size() > 2) return InvalidArgument("too many arguments for keyword: write");
    if (rest.size() == 2) c.write_to = rest[1];
    c.verb = Verb::kWriteConfig;
  } else if (OneOf(verb, {"hold", "uhold", "release", "requeue", "requeuehold"})) {
    std::vector<std::string> ids_words = rest;
    const bool requeue = OneOf(verb, {"requeue", "requeuehold"});
    // scontrol requeuehold [State=SpecialExit] JOBS: herd has no SPECIAL_EXIT state.
    if (requeue && !ids_words.empty() && StartsWith(ToLower(ids_words[0]), "state=")) {
      return InvalidArgument("State=" + ids_words[0].substr(6) + " is not supported for " + verb);
    }
    if (ids_words.empty()) {
      if (requeue) return InvalidArgument("too few arguments for keyword:" + verb);
      return InvalidArgument("Invalid job id specified");
    }
    HERD_ASSIGN_OR_RETURN(cli::JobSelection ids, cli::ParseJobSelection(ids_words));
    if (ids.job_ids.empty() && ids.task_ids.empty()) {
      return InvalidArgument("Invalid job id specified");
    }
    c.job_ids = std::move(ids.job_ids);
    c.task_ids = std::move(ids.task_ids);
    c.user_hold = OneOf(verb, {"uhold"});
    c.requeue_hold = OneOf(verb, {"requeuehold"});
    c.verb = requeue                          ? Verb::kRequeue
             : OneOf(verb, {"hold", "uhold"}) ? Verb::kHold
                                              : Verb::kRelease;
  } else if (OneOf(verb, {"ping"})) {
    if (!rest.empty()) return InvalidArgument("too many arguments for keyword: ping");
    c.verb = Verb::kPing;
  } else if (OneOf(verb, {"takeover"})) {
    if (rest.size() > 1) return InvalidArgument("too many arguments for keyword: takeover");
    if (!rest.empty()) c.takeover_to = rest[0];
    c.verb = Verb::kTakeover;
  } else if (OneOf(verb, {"keygen"})) {
    for (const std::string& w : rest) {
      if (w == "--force" || w == "-f") {
        c.keygen_force = true;
      } else if (!w.empty() && w[0] == '-') {
        return InvalidArgument("unknown option for keygen: " + w);
      } else {
        c.keygen_names.push_back(w);
      }
    }
    c.verb = Verb::kKeygen;
  } else if (OneOf(verb, {"help"})) {
    c.help = true;
  } else if (OneOf(verb, {"version"})) {
    c.version = true;
  } else {
    return InvalidArgument("invalid keyword: " + verb);
  }
  return c;
}

std::string HcontrolUsage() {
  return R"(Usage: hcontrol [OPTIONS...] COMMAND
View and change the state of a herd cluster.

Commands:
  show job [JOBID]                     jobs (finished ones still remembered too)
  show node [NAME]                     nodes
  show partition [NAME]                partitions
  show config                          the controller's configuration
  show audit [since=TIME] [user=NAME] [entity=KIND[=NAME]]
                                       the audit trail of admin changes (KIND:
                                       partition, node, job)
  show hostnames [LIST]                one name per line (LIST: the job's nodes by default)
  show hostlist LIST                   the compressed host list
  update NodeName=HOSTLIST [State=DRAIN|RESUME|DOWN|IDLE|FAIL] [Reason="text"]
         [Weight=N] [Features=LIST] [ActiveFeatures=LIST] [Gres=NAME[:TYPE]:COUNT,...]
                                       (DRAIN, DOWN and FAIL need a Reason; Gres
                                       counts at most what herd.conf gives the node)
  update PartitionName=NAME KEY=VALUE...
                                       change a partition at once: Nodes, Default,
                                       State=UP|DOWN|DRAIN|INACTIVE, MaxTime,
                                       DefaultTime, MinNodes, MaxNodes, PriorityTier
  create PartitionName=NAME Nodes=LIST [KEY=VALUE...]
                                       add a partition (same keys)
  delete PartitionName=NAME            remove a partition without queued or running jobs
  show reservation [NAME]              advance reservations not ended
  create reservation [ReservationName=NAME] StartTime=now|now+N|TIME
         Duration=MIN|EndTime=TIME Nodes=LIST|ALL|NodeCnt=N Users=LIST|Accounts=LIST
         [PartitionName=P] [Flags=MAINT,IGNORE_JOBS,DAILY,WEEKLY]
                                       set nodes aside (admins)
  update ReservationName=NAME KEY=VALUE...
                                       change one (same keys; Flags=+F or -F)
  delete ReservationName=NAME          remove one no running job uses
  write config [FILE]                  write herd.conf with the runtime partitions
                                       merged in (default: herd.conf.YYYYMMDDTHHMMSS
                                       beside it)
  update JobId=ID KEY=VALUE...         change a job: TimeLimit, JobName, Nice, Partition,
                                       NumNodes, NumTasks, ReqNodeList, ExcNodeList,
                                       Features (pending jobs); TimeLimit (lower only)
                                       and JobName of running ones; ArrayTaskThrottle
                                       of a job array
  hold JOBID[,JOBID...]                keep jobs from starting (a running job runs on,
                                       and is held if requeued)
  uhold JOBID[,JOBID...]               hold as the job's user would (the user may
                                       release it)
  release JOBID[,JOBID...]             let held jobs start
  requeue JOBID[,JOBID...]             put running or finished batch jobs back to
                                       pending with the same id (their run is killed;
                                       eligible again 121 s later, as Slurm)
  requeuehold JOBID[,JOBID...]         requeue, and hold them
  ping                                 is each controller (and the witness) up, which
                                       one is active, how far behind the passive is
  takeover [NAME]                      hand the active role to NAME (default: the other
                                       controller) and wait until it has it
  keygen [--force] [NAME...]           create the CURVE key pairs of the daemons (every
                                       controller, witness and node of the configuration
                                       without one, or the NAMEs) in KeyDir; as root

Options:
  -o, --oneliner                       one line per record
  -d, --details                        more of a job (DerivedExitCode=; -dd as -d)
      --from-passive                   let the passive controller answer show (default
                                       with ReadFromPassive=yes)
      --conf FILE                      configuration (default: $HERD_CONF or /etc/herd/herd.conf)
  -h, --help                           show this help
  -V, --version                        show the version
)";
}

}  // namespace herd::hcontrol
