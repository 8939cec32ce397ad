// herd hcontrol — scontrol-style records.
#include "commands/hcontrol/hcontrol_format.h"

#include <grp.h>

#include <cctype>

#include "commands/lib/display.h"
#include "commands/lib/timefmt.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::hcontrol {
namespace {

using proto::JobInfo;
using proto::JobState;

// Values may hold user text (job name, command, paths, reasons): escaped, so that a
// newline or an escape sequence cannot forge lines or reach the reader's terminal.
std::string Kv(const std::string& key, const std::string& value) {
  return key + "=" + cli::EscapeForDisplay(value);
}

std::string OrNull(const std::string& s) { return s.empty() ? "(null)" : s; }

// A job's reason as one word: scontrol prints the white space of a reason's text as '_'
// ("job requeued in held state" -> job_requeued_in_held_state), so that it parses as one.
std::string ReasonWord(const std::string& reason) {
  if (reason.empty()) return "None";
  std::string out = reason;
  for (char& c : out) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

std::string GroupName(uint32_t gid) {
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (getgrgid_r(static_cast<gid_t>(gid), &gr, buf.data(), buf.size(), &found) == 0 &&
      found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

std::string Memory(uint64_t mb) { return mb == 0 ? "0" : std::to_string(mb) + "M"; }

// Logical CPU ids as ranges ("0-1,4"), as scontrol -d prints CPU_IDs.
std::string CpuIds(const std::vector<uint32_t>& cpus) {
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t k = i;
    while (k + 1 < cpus.size() && cpus[k + 1] == cpus[k] + 1) ++k;
    if (!out.empty()) out += ",";
    out += std::to_string(cpus[i]);
    if (k > i) out += "-" + std::to_string(cpus[k]);
    i = k + 1;
  }
  return out;
}

// The job's trackable resources: cpu, memory (all nodes), nodes, billing (= cpus).
std::string JobTres(const JobInfo& j) {
  uint64_t mem = 0;
  for (const proto::NodeAlloc& a : j.alloc) mem += a.mem_mb;
  if (j.alloc.empty())
    mem = j.mem_per_cpu_mb != 0 ? j.mem_per_cpu_mb * j.num_cpus : j.mem_mb * j.num_nodes;
  const std::string cpus = std::to_string(j.num_cpus);
  std::string tres = "cpu=" + cpus;
  if (mem != 0) tres += ",mem=" + TresMemory(mem);
  return tres + ",node=" + std::to_string(j.num_nodes) + ",billing=" + cpus;
}

}  // namespace

std::string RenderRecord(const std::vector<std::vector<std::string>>& lines, bool oneliner) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += oneliner ? " " : "\n   ";
    out += Join(lines[i], " ");
  }
  out += oneliner ? "\n" : "\n\n";
  return out;
}

std::string FormatJob(const JobInfo& j, int64_t now, bool oneliner, int details) {
  const std::string user = j.user.empty() ? std::to_string(j.uid) : j.user;
  const bool pending = j.state == JobState::kPending;
  std::string end = cli::FormatTimestamp(j.end_time);
  if (j.end_time <= 0 && j.start_time > 0 && j.time_limit_s >= 0) {
    end = cli::FormatTimestamp(j.start_time + j.time_limit_s);  // expected end
  }
  // An array's task: ArrayJobId=1 ArrayTaskId=4; its pending rest: ArrayTaskId=5-99%10;
  // the throttle of the array on both (scontrol's).
  std::vector<std::string> first = {Kv("JobId", std::to_string(j.job_id))};
  if (j.array_job_id != 0) {
    const std::string throttle = j.array_throttle != 0 ? std::to_string(j.array_throttle) : "";
    first.push_back(Kv("ArrayJobId", std::to_string(j.array_job_id)));
    first.push_back(
        Kv("ArrayTaskId", j.array_task_id != proto::kNoArrayTask
                              ? std::to_string(j.array_task_id)
                              : j.array_pending + (throttle.empty() ? "" : "%" + throttle)));
    if (!throttle.empty()) first.push_back(Kv("ArrayTaskThrottle", throttle));
  }
  first.push_back(Kv("JobName", j.name));
  const std::string exit_code = std::to_string(j.exit_code) + ":" + std::to_string(j.exit_signal);
  // Slurm 22.05's fields in its order. Those of features herd does not have (MCS labels,
  // reboots, --time-min, deadlines, suspension, core specialization, licenses, power) as
  // Slurm prints them when they are not used.
  std::vector<std::vector<std::string>> lines = {
      first,
      {Kv("UserId", user + "(" + std::to_string(j.uid) + ")"),
       Kv("GroupId", GroupName(j.gid) + "(" + std::to_string(j.gid) + ")"), Kv("MCS_label", "N/A")},
      {Kv("Priority", std::to_string(j.priority)), Kv("Nice", std::to_string(j.nice)),
       Kv("Account", OrNull(j.account)), Kv("QOS", OrNull(j.qos))},
      {Kv("JobState", proto::JobStateName(j.state)), Kv("Reason", ReasonWord(j.reason)),
       Kv("Dependency", OrNull(j.dependency))},
      {Kv("Requeue", j.requeue ? "1" : "0"), Kv("Restarts", std::to_string(j.restarts)),
       Kv("BatchFlag", j.batch ? "1" : "0"), Kv("Reboot", "0"), Kv("ExitCode", exit_code)},
  };
  // -d: the highest exit code of the job's steps; herd keeps the script's (Slurm's for a
  // job without steps).
  if (details > 0) lines.push_back({Kv("DerivedExitCode", exit_code)});
  const std::string eligible = cli::FormatTimestamp(j.eligible_time);
  const std::vector<std::vector<std::string>> times = {
      {Kv("RunTime", cli::FormatRunTime(cli::JobElapsed(j, now))),
       Kv("TimeLimit", cli::FormatRunTime(j.time_limit_s < 0 ? -1 : j.time_limit_s)),
       Kv("TimeMin", "N/A")},
      {Kv("SubmitTime", cli::FormatTimestamp(j.submit_time)), Kv("EligibleTime", eligible)},
      {Kv("AccrueTime", eligible)},
      {Kv("StartTime", cli::FormatTimestamp(j.start_time)), Kv("EndTime", end),
       Kv("Deadline", "N/A")},
      {Kv("SuspendTime", "None"), Kv("SecsPreSuspend", "0")},
      {Kv("Partition", OrNull(j.partition))},
      {Kv("ReqNodeList", OrNull(j.req_nodes)), Kv("ExcNodeList", OrNull(j.exc_nodes))},
      {Kv("NodeList", pending ? "" : OrNull(j.nodelist))},
  };
  lines.insert(lines.end(), times.begin(), times.end());
  if (pending && !j.sched_nodes.empty()) {  // as Slurm: a reservation's nodes
    lines.back().push_back(Kv("SchedNodeList", j.sched_nodes));
  }
  if (!j.batch_host.empty()) lines.push_back({Kv("BatchHost", j.batch_host)});
  // A pending job that gave -N shows the range it accepts.
  const std::string nodes = pending && j.max_nodes != 0
                                ? std::to_string(j.num_nodes) + "-" + std::to_string(j.max_nodes)
                                : std::to_string(j.num_nodes);
  lines.push_back({Kv("NumNodes", nodes), Kv("NumCPUs", std::to_string(j.num_cpus)),
                   Kv("NumTasks", std::to_string(j.num_tasks)),
                   Kv("CPUs/Task", std::to_string(j.cpus_per_task)), Kv("ReqB:S:C:T", "0:0:*:*")});
  lines.push_back({Kv("TRES", JobTres(j))});
  lines.push_back({Kv("Socks/Node", "*"),
                   Kv("NtasksPerN:B:S:C", std::to_string(j.ntasks_per_node) + ":0:*:*"),
                   Kv("CoreSpec", "*")});
  if (details > 0 && !j.alloc.empty()) {
    // -d: each node's cores and memory; the continuation lines are indented two more.
    lines.push_back({Kv("JOB_GRES", "(null)")});
    for (const proto::NodeAlloc& a : j.alloc) {
      lines.push_back({"  " + Kv("Nodes", a.node), Kv("CPU_IDs", CpuIds(a.cpus)),
                       Kv("Mem", std::to_string(a.mem_mb)), Kv("GRES", "")});
    }
  }
  const uint32_t min_cpus = j.cpus_per_task * std::max<uint32_t>(1, j.ntasks_per_node);
  lines.push_back({Kv("MinCPUsNode", std::to_string(min_cpus)),
                   j.mem_per_cpu_mb != 0 ? Kv("MinMemoryCPU", Memory(j.mem_per_cpu_mb))
                                         : Kv("MinMemoryNode", Memory(j.mem_mb)),
                   Kv("MinTmpDiskNode", "0")});
  lines.push_back({Kv("Features", OrNull(j.features)), Kv("DelayBoot", "00:00:00")});
  if (!j.reservation.empty()) lines.push_back({Kv("Reservation", j.reservation)});
  lines.push_back({Kv("OverSubscribe", j.exclusive ? "NO" : "OK"), Kv("Contiguous", "0"),
                   Kv("Licenses", "(null)"), Kv("Network", "(null)")});
  lines.push_back({Kv("Command", OrNull(j.command))});
  lines.push_back({Kv("WorkDir", OrNull(j.work_dir))});
  if (j.batch) {  // an allocation has no files of its own
    lines.push_back({Kv("StdErr", OrNull(j.stderr_path))});
    lines.push_back({Kv("StdIn", "/dev/null")});
    lines.push_back({Kv("StdOut", OrNull(j.stdout_path))});
  }
  lines.push_back({Kv("Power", "")});
  lines.push_back({});  // Slurm ends the record with an empty field line
  return RenderRecord(lines, oneliner);
}

std::string NodeStateFull(const proto::NodeInfo& n) {
  std::string s;
  switch (n.state) {
    case proto::NodeState::kIdle:
      s = "IDLE";
      break;
    case proto::NodeState::kMixed:
      s = "MIXED";
      break;
    case proto::NodeState::kAllocated:
      s = "ALLOCATED";
      break;
    case proto::NodeState::kDown:
      s = "DOWN";
      break;
    case proto::NodeState::kUnknown:
      s = "UNKNOWN";
      break;
  }
  if (n.drain) s += "+DRAIN";
  if (n.fail) s += "+FAIL";
  if (!n.responding) s += "+NOT_RESPONDING";
  return s;
}

std::string FormatNode(const proto::NodeInfo& n, bool oneliner) {
  std::vector<std::vector<std::string>> lines = {
      {Kv("NodeName", n.name), Kv("CoresPerSocket", std::to_string(n.cores_per_socket))},
      {Kv("CPUAlloc", std::to_string(n.alloc_cpus)), Kv("CPUTot", std::to_string(n.cpus))},
      {Kv("AvailableFeatures", OrNull(Join(n.features, ",")))},
      {Kv("ActiveFeatures", OrNull(Join(n.active_features, ",")))},
      {Kv("Gres", OrNull(n.gres))},
      {Kv("NodeAddr", n.addr.empty() ? n.name : n.addr), Kv("NodeHostName", n.name),
       Kv("Version", n.version.empty() ? "N/A" : n.version)},
      {Kv("RealMemory", std::to_string(n.memory_mb)),
       Kv("AllocMem", std::to_string(n.alloc_mem_mb)), Kv("Sockets", std::to_string(n.sockets))},
      {Kv("State", NodeStateFull(n)), Kv("ThreadsPerCore", std::to_string(n.threads_per_core)),
       Kv("Weight", std::to_string(n.weight))},
      {Kv("Partitions", n.partitions.empty() ? "(null)" : Join(n.partitions, ","))},
      {Kv("BootTime", cli::FormatTimestamp(n.boot_time, "None")),
       Kv("LastHeartbeat", cli::FormatTimestamp(n.last_heartbeat, "None"))},
  };
  if (!n.hw.topology.empty()) lines.push_back({Kv("Topology", n.hw.topology)});
  if (!n.reason.empty()) {
    std::string reason = Kv("Reason", n.reason);
    if (n.reason_time > 0) reason += " [" + cli::FormatTimestamp(n.reason_time) + "]";
    lines.push_back({reason});
  }
  return RenderRecord(lines, oneliner);
}

std::string TresMemory(uint64_t mb) {
  const char* units[] = {"M", "G", "T", "P"};
  size_t u = 0;
  while (mb != 0 && mb % 1024 == 0 && u + 1 < sizeof units / sizeof units[0]) {
    mb /= 1024;
    ++u;
  }
  return std::to_string(mb) + units[u];
}

std::string FormatPartition(const proto::PartitionInfo& p, uint64_t mem_mb, bool oneliner) {
  const std::string nodes = p.nodes.empty() ? "(null)" : CompressHostlist(p.nodes);
  const std::string cpus = std::to_string(p.total_cpus);
  const std::string count = std::to_string(p.nodes.size());
  std::string tres = "cpu=" + cpus;
  if (mem_mb > 0) tres += ",mem=" + TresMemory(mem_mb);
  tres += ",node=" + count + ",billing=" + cpus;
  // Slurm 22.05's fields in its order; those of features herd does not have (QOS,
  // preemption, oversubscription, ...) as Slurm prints them when they are not set.
  std::vector<std::vector<std::string>> lines = {
      {Kv("PartitionName", p.name)},
      {Kv("AllowGroups", "ALL"), Kv("AllowAccounts", "ALL"), Kv("AllowQos", "ALL")},
      {Kv("AllocNodes", "ALL"), Kv("Default", p.is_default ? "YES" : "NO"), Kv("QoS", "N/A")},
      {Kv("DefaultTime", p.default_time_s < 0 ? "NONE" : cli::FormatRunTime(p.default_time_s)),
       Kv("DisableRootJobs", "NO"), Kv("ExclusiveUser", "NO"), Kv("GraceTime", "0"),
       Kv("Hidden", "NO")},
      {Kv("MaxNodes", p.max_nodes == 0 ? "UNLIMITED" : std::to_string(p.max_nodes)),
       Kv("MaxTime", cli::FormatRunTime(p.max_time_s < 0 ? -1 : p.max_time_s)),
       Kv("MinNodes", std::to_string(p.min_nodes)), Kv("LLN", "NO"),
       Kv("MaxCPUsPerNode", "UNLIMITED")},
      {Kv("Nodes", nodes)},
      {Kv("PriorityJobFactor", "1"), Kv("PriorityTier", std::to_string(p.priority_tier)),
       Kv("RootOnly", "NO"), Kv("ReqResv", "NO"), Kv("OverSubscribe", "NO")},
      {Kv("OverTimeLimit", "NONE"), Kv("PreemptMode", "OFF")},
      {Kv("State", p.state.empty() ? "UP" : p.state), Kv("TotalCPUs", cpus),
       Kv("TotalNodes", count), Kv("SelectTypeParameters", "NONE")},
      {Kv("JobDefaults", "(null)")},
      {Kv("DefMemPerNode", "UNLIMITED"), Kv("MaxMemPerNode", "UNLIMITED")},
      {Kv("TRES", tres)},
  };
  return RenderRecord(lines, oneliner);
}

std::string FormatAudit(const proto::AuditRecord& r, bool oneliner) {
  std::vector<std::vector<std::string>> lines = {
      {Kv("Seq", std::to_string(r.seq)), Kv("Time", cli::FormatTimestamp(r.time)),
       Kv("User", r.user + "(" + std::to_string(r.uid) + ")"), Kv("From", OrNull(r.from))},
      {Kv("Entity", r.entity), Kv("Action", r.action)},
      {Kv("Old", OrNull(r.old_value))},
      {Kv("New", OrNull(r.new_value))},
  };
  return RenderRecord(lines, oneliner);
}

std::string FormatConfig(const std::vector<std::string>& lines, int64_t now) {
  std::string out = "Configuration data as of " + cli::FormatTimestamp(now, "Unknown") + "\n";
  for (const std::string& l : lines) out += cli::EscapeForDisplay(l) + "\n";
  return out;
}

std::optional<proto::JobInfo> FindArrayTask(const std::vector<proto::JobInfo>& jobs,
                                            uint64_t array_job_id, uint32_t task_id) {
  for (const proto::JobInfo& j : jobs) {
    if (j.array_job_id == array_job_id && j.array_task_id == task_id) return j;
  }
  for (const proto::JobInfo& j : jobs) {
    if (j.array_job_id != array_job_id || j.array_task_id != proto::kNoArrayTask) continue;
    auto pending = proto::ParseArraySpec(j.array_pending, UINT32_MAX);
    if (!pending.ok() || !proto::HasTask(pending->ranges, task_id)) continue;
    proto::JobInfo one = j;
    one.array_task_id = task_id;
    one.array_pending.clear();
    return one;
  }
  return std::nullopt;
}

}  // namespace herd::hcontrol
