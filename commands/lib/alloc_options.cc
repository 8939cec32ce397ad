// herd commands — allocation options shared by halloc and hrun.
#include "commands/lib/alloc_options.h"

#include <ctime>

#include "commands/hbatch/hbatch_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/time_parse.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::cli {
namespace {

Result<uint64_t> ParseMemOption(const std::string& option, const std::string& value) {
  auto mb = ParseMemoryMb(Trim(value));
  if (!mb.ok()) return BadOptionValue(option, mb.error());
  return *mb;
}

Result<std::string> CheckHostlist(const std::string& option, const std::string& value) {
  auto hosts = ExpandHostlist(value);
  if (!hosts.ok()) {
    return InvalidArgument(option + ": invalid node list: " + hosts.error().message());
  }
  if (hosts->empty()) return InvalidArgument(option + ": empty node list");
  return value;
}

}  // namespace

void AddAllocOptions(OptionTable* table) {
  table->Add({
      {"nodes", 'N', required_argument},
      {"ntasks", 'n', required_argument},
      {"cpus-per-task", 'c', required_argument},
      {"ntasks-per-node", 0, required_argument, kOptNtasksPerNode},
      {"partition", 'p', required_argument},
      {"account", 'A', required_argument},
      {"qos", 'q', required_argument},
      {"time", 't', required_argument},
      {"job-name", 'J', required_argument},
      {"nodelist", 'w', required_argument},
      {"exclude", 'x', required_argument},
      {"exclusive", 0, optional_argument, kOptExclusive},
      {"mem", 0, required_argument, kOptMem},
      {"mem-per-cpu", 0, required_argument, kOptMemPerCpu},
      {"constraint", 'C', required_argument},
      {"nice", 0, optional_argument, kOptNice},
      {"dependency", 'd', required_argument},
      {"begin", 'b', required_argument},
      {"reservation", 0, required_argument, kOptReservation},
  });
}

bool IsAllocOption(int opt) {
  switch (opt) {
    case 'N':
    case 'n':
    case 'c':
    case 'p':
    case 'A':
    case 'q':
    case 't':
    case 'J':
    case 'w':
    case 'x':
    case 'C':
    case 'd':
    case 'b':
    case kOptNtasksPerNode:
    case kOptMem:
    case kOptMemPerCpu:
    case kOptExclusive:
    case kOptNice:
    case kOptReservation:
      return true;
    default:
      return false;
  }
}

Status ApplyAllocOption(int opt, const char* arg, AllocOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'N': {
      HERD_ASSIGN_OR_RETURN(o->nodes, hbatch::ParseNodeCount(v));
      break;
    }
    case 'n': {
      HERD_ASSIGN_OR_RETURN(o->ntasks, ParseCount("--ntasks", v, false));
      break;
    }
    case 'c': {
      HERD_ASSIGN_OR_RETURN(o->cpus_per_task, ParseCount("--cpus-per-task", v, false));
      break;
    }
    case kOptNtasksPerNode: {
      HERD_ASSIGN_OR_RETURN(o->ntasks_per_node, ParseCount("--ntasks-per-node", v, false));
      break;
    }
    case 'p':
      o->partition = Trim(v);
      break;
    case 'A':
      o->account = Trim(v);
      break;
    case 'q':
      o->qos = Trim(v);
      break;
    case 't': {
      auto t = ParseTimeLimit(Trim(v));
      if (!t.ok()) return BadOptionValue("--time", t.error());
      o->time_limit_s = OptionTimeLimit(*t);
      break;
    }
    case 'J':
      o->job_name = v;
      break;
    case 'w': {
      HERD_ASSIGN_OR_RETURN(o->nodelist, CheckHostlist("--nodelist", v));
      break;
    }
    case 'x': {
      HERD_ASSIGN_OR_RETURN(o->exclude, CheckHostlist("--exclude", v));
      break;
    }
    case kOptExclusive:
      HERD_RETURN_IF_ERROR(hbatch::CheckExclusive(arg));
      o->exclusive = true;
      break;
    case kOptNice: {
      HERD_ASSIGN_OR_RETURN(o->nice, hbatch::ParseNice(arg));
      break;
    }
    case kOptMem: {
      HERD_ASSIGN_OR_RETURN(o->mem_mb, ParseMemOption("--mem", v));
      break;
    }
    case kOptMemPerCpu: {
      HERD_ASSIGN_OR_RETURN(o->mem_per_cpu_mb, ParseMemOption("--mem-per-cpu", v));
      break;
    }
    case 'C': {
      HERD_ASSIGN_OR_RETURN(o->constraints, hbatch::ParseConstraint(v));
      break;
    }
    case 'd':
      o->dependency = v;
      break;
    case 'b': {
      HERD_ASSIGN_OR_RETURN(o->begin_time, ParseBeginTime(v, static_cast<int64_t>(time(nullptr))));
      break;
    }
    case kOptReservation:
      if (Trim(v).empty()) return InvalidArgument("Invalid --reservation specification");
      o->reservation = Trim(v);
      break;
    default:
      return UsageError("unexpected option");
  }
  return Status::Ok();
}

Status CheckAllocOptions(const AllocOptions& o) {
  if (o.mem_mb && o.mem_per_cpu_mb) {
    return InvalidArgument("--mem and --mem-per-cpu are mutually exclusive");
  }
  return Status::Ok();
}

proto::JobSpec BuildAllocationSpec(const AllocOptions& o, const std::string& name,
                                   const std::vector<std::string>& argv,
                                   std::vector<std::string> env, const std::string& submit_dir,
                                   const std::string& work_dir) {
  proto::JobSpec spec;
  spec.interactive = true;
  spec.name = o.job_name.value_or(name);
  spec.partition = o.partition.value_or("");
  spec.account = o.account.value_or("");
  spec.qos = o.qos.value_or("");
  spec.submit_line = o.submit_line;
  if (o.nodes) {
    spec.min_nodes = o.nodes->first;
    spec.max_nodes = o.nodes->second;
  }
  spec.num_tasks = o.ntasks.value_or(0);
  spec.cpus_per_task = o.cpus_per_task.value_or(1);
  spec.ntasks_per_node = o.ntasks_per_node.value_or(0);
  spec.mem_per_node_mb = o.mem_mb.value_or(0);
  spec.mem_per_cpu_mb = o.mem_per_cpu_mb.value_or(0);
  spec.time_limit_s = o.time_limit_s.value_or(-2);
  spec.submit_dir = submit_dir;
  spec.work_dir = work_dir;
  spec.argv = argv;
  spec.env = std::move(env);
  spec.export_spec = "ALL";
  spec.exclusive = o.exclusive;
  spec.requeue = false;  // the allocation's owner is a live process: never rerun it
  spec.nodelist = o.nodelist.value_or("");
  spec.exclude = o.exclude.value_or("");
  spec.constraints = o.constraints.value_or(std::vector<std::string>{});
  spec.nice = o.nice.value_or(0);
  spec.dependency = o.dependency.value_or("");
  spec.begin_time = o.begin_time.value_or(0);
  spec.reservation = o.reservation.value_or("");
  spec.umask = CurrentUmask();
  return spec;
}

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string AbsolutePath(const std::string& path, const std::string& cwd) {
  if (!path.empty() && path[0] == '/') return path;
  if (cwd.empty() || cwd.back() == '/') return cwd + path;
  return cwd + "/" + path;
}

}  // namespace herd::cli
