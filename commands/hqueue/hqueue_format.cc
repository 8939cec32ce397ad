// herd hqueue — job fields, tables and JSON.
#include "commands/hqueue/hqueue_format.h"

#include <grp.h>

#include <algorithm>
#include <cstdio>

#include "commands/lib/json.h"
#include "commands/lib/table.h"
#include "commands/lib/timefmt.h"
#include "common/config/config.h"

namespace herd::hqueue {
namespace {

using proto::JobInfo;
using proto::JobState;

std::string OrNone(const std::string& s) { return s.empty() ? "None" : s; }

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

// squeue shows "(Reason)" instead of the nodes for jobs that are waiting or that ended
// for a reason worth reading.
bool ShowsReason(JobState s) {
  return s == JobState::kPending || s == JobState::kFailed || s == JobState::kTimeout ||
         s == JobState::kOutOfMemory;
}

std::string EndField(const JobInfo& job) {
  if (job.end_time > 0) return cli::FormatTimestamp(job.end_time);
  if (job.start_time > 0 && job.time_limit_s >= 0) {
    return cli::FormatTimestamp(job.start_time + job.time_limit_s);
  }
  return "N/A";
}

std::string TimeLeft(const JobInfo& job, int64_t now) {
  if (job.time_limit_s < 0) return "UNLIMITED";
  if (proto::IsFinished(job.state)) return "0:00";
  const int64_t left = job.time_limit_s - cli::JobElapsed(job, now);
  return FormatDuration(left > 0 ? left : 0);
}

}  // namespace

const std::map<char, std::string>& JobTitles() {
  static const std::map<char, std::string> kTitles = {
      {'A', "JOBID"},
      {'a', "ACCOUNT"},
      {'B', "EXEC_HOST"},
      {'b', "TRES_PER_NODE"},
      {'C', "CPUS"},
      {'c', "MIN_CPUS"},
      {'D', "NODES"},
      {'d', "MIN_TMP_DISK"},
      {'E', "DEPENDENCY"},
      {'e', "END_TIME"},
      {'F', "ARRAY_JOB_ID"},
      {'f', "FEATURES"},
      {'h', "OVER_SUBSCRIBE"},
      {'H', "SOCKETS_PER_NODE"},
      {'I', "CORES_PER_SOCKET"},
      {'J', "THREADS_PER_CORE"},
      {'k', "COMMENT"},
      {'O', "CONTIGUOUS"},
      {'p', "PRIORITY"},
      {'q', "QOS"},
      {'v', "RESERVATION"},
      {'W', "LICENSES"},
      {'w', "WCKEY"},
      {'X', "CORE_SPEC"},
      {'Y', "SCHEDNODES"},
      {'z', "S:C:T"},
      {'G', "GROUP"},
      {'g', "GROUP"},
      {'i', "JOBID"},
      {'K', "ARRAY_TASK_ID"},
      {'j', "NAME"},
      {'L', "TIME_LEFT"},
      {'l', "TIME_LIMIT"},
      {'M', "TIME"},
      {'m', "MIN_MEMORY"},
      {'N', "NODELIST"},
      {'n', "REQ_NODES"},
      {'o', "COMMAND"},
      {'P', "PARTITION"},
      {'Q', "PRIORITY"},
      {'R', "NODELIST(REASON)"},
      {'r', "REASON"},
      {'S', "START_TIME"},
      {'T', "STATE"},
      {'t', "ST"},
      {'U', "UID"},
      {'u', "USER"},
      {'V', "SUBMIT_TIME"},
      {'x', "EXC_NODES"},
      {'y', "NICE"},
      {'Z', "WORK_DIR"},
  };
  return kTitles;
}

std::string JobIdText(const proto::JobInfo& job) {
  if (job.array_job_id == 0) return std::to_string(job.job_id);
  std::string id = std::to_string(job.array_job_id) + "_";
  if (job.array_task_id != proto::kNoArrayTask) return id + std::to_string(job.array_task_id);
  return id + "[" + JobField('K', job, 0) + "]";
}

void ExpandArrayTasks(std::vector<proto::JobInfo>* jobs) {
  std::vector<proto::JobInfo> out;
  for (proto::JobInfo& j : *jobs) {
    if (j.array_job_id == 0 || j.array_task_id != proto::kNoArrayTask) {
      out.push_back(std::move(j));
      continue;
    }
    auto tasks = proto::ParseArraySpec(j.array_pending, UINT32_MAX);
    if (!tasks.ok()) continue;  // nothing pending
    for (const proto::ArrayRange& r : tasks->ranges) {
      for (uint64_t t = r.first; t <= r.last; t += r.step) {
        out.push_back(j);
        out.back().array_task_id = static_cast<uint32_t>(t);
      }
    }
  }
  *jobs = std::move(out);
}

std::string JobField(char code, const JobInfo& job, int64_t now) {
  switch (code) {
    case 'E':  // what it still waits for, as Slurm: "afterok:4(unfulfilled)"
      return job.dependency.empty() ? "(null)" : job.dependency;
    case 'a':  // -A and -q as given ((null) when not), as Slurm without accounting
      return job.account.empty() ? "(null)" : job.account;
    case 'q':
      return job.qos.empty() ? "(null)" : job.qos;
    case 'v':  // --reservation
      return job.reservation.empty() ? "(null)" : job.reservation;
    // What Slurm prints when the job asked for none of it: herd has no licenses or core
    // specialisation yet, refuses the options that ask for them, and keeps no comment or
    // wckey.
    case 'k':
    case 'W':
    case 'w':
      return "(null)";
    case 'y':
      return std::to_string(job.nice);
    case 'n':  // -w and -x as given
      return job.req_nodes;
    case 'x':
      return job.exc_nodes;
    case 'f':  // the --constraint expression
      return job.features.empty() ? "(null)" : job.features;
    case 'h':  // shares its nodes unless --exclusive
      return job.exclusive ? "NO" : "OK";
    case 'Y':  // the nodes a pending job's reservation expects
      return job.sched_nodes.empty() ? "(null)" : job.sched_nodes;
    case 'F':  // a job that is no array is its own array job
      return std::to_string(job.array_job_id != 0 ? job.array_job_id : job.job_id);
    case 'K':  // the task id, or the tasks still pending
      if (job.array_job_id == 0) return "N/A";
      if (job.array_task_id != proto::kNoArrayTask) return std::to_string(job.array_task_id);
      return job.array_pending +
             (job.array_throttle != 0 ? "%" + std::to_string(job.array_throttle) : "");
    case 'H':
    case 'I':
    case 'J':
      return "*";
    case 'z':
      return "*:*:*";
    case 'd':
    case 'O':
      return "0";
    case 'X':
      return "N/A";
    case 'p': {  // the priority normalized to [0, 1], as squeue's %p
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.14f", job.priority / 4294967295.0);
      return buf;
    }
    case 'A':
      return std::to_string(job.job_id);
    case 'i':
      return JobIdText(job);
    case 'B':
      return job.batch_host.empty() ? "n/a" : job.batch_host;
    case 'b':
      return "N/A";
    case 'C':
      return std::to_string(job.num_cpus);
    case 'c':
      return std::to_string(job.cpus_per_task);
    case 'D':
      return std::to_string(job.num_nodes);
    case 'e':
      return EndField(job);
    case 'G':
      return std::to_string(job.gid);
    case 'g':
      return GroupName(job.gid);
    case 'j':
      return job.name;
    case 'L':
      return TimeLeft(job, now);
    case 'l':
      return FormatDuration(job.time_limit_s < 0 ? -1 : job.time_limit_s);
    case 'M':
      return FormatDuration(cli::JobElapsed(job, now));
    case 'm':
      return job.mem_mb == 0 ? "0" : std::to_string(job.mem_mb) + "M";
    case 'N':
      return job.state == JobState::kPending ? "" : job.nodelist;
    case 'o':
      return job.command;
    case 'P':
      return job.partition;
    case 'Q':
      return std::to_string(job.priority);
    case 'R':
      return ShowsReason(job.state) ? "(" + OrNone(job.reason) + ")" : job.nodelist;
    case 'r':
      return OrNone(job.reason);
    case 'S':
      return cli::FormatTimestamp(job.start_time, "N/A");
    case 'T':
      return proto::JobStateName(job.state);
    case 't':
      return proto::JobStateShort(job.state);
    case 'U':
      return std::to_string(job.uid);
    case 'u':
      return job.user;
    case 'V':
      return cli::FormatTimestamp(job.submit_time, "N/A");
    case 'Z':
      return job.work_dir;
    default:
      return "";
  }
}

Result<std::string> RenderJobs(const std::vector<JobInfo>& jobs, int64_t now,
                               const std::string& format, bool header) {
  auto fmt = cli::TableFormat::Parse(format, JobTitles());
  if (!fmt.ok()) return InvalidArgument("Invalid job format: " + fmt.error().message());
  const std::vector<char> codes = fmt->codes();
  std::vector<std::vector<std::string>> rows;
  rows.reserve(jobs.size());
  for (const JobInfo& job : jobs) {
    std::vector<std::string> cells;
    cells.reserve(codes.size());
    for (char c : codes) cells.push_back(JobField(c, job, now));
    rows.push_back(std::move(cells));
  }
  return fmt->Render(rows, header);
}

void SortByStart(std::vector<JobInfo>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(), [](const JobInfo& a, const JobInfo& b) {
    // Jobs with no expected start (N/A) come last.
    const int64_t x = a.start_time > 0 ? a.start_time : INT64_MAX;
    const int64_t y = b.start_time > 0 ? b.start_time : INT64_MAX;
    return x < y;
  });
}

std::string JobsJson(const std::vector<JobInfo>& jobs, int64_t now) {
  cli::JsonWriter w;
  auto str = [&w](const char* key, const std::string& v) {
    w.Key(key);
    w.String(v);
  };
  auto num = [&w](const char* key, int64_t v) {
    w.Key(key);
    w.Int(v);
  };
  w.BeginObject();
  num("now", now);
  w.Key("jobs");
  w.BeginArray();
  for (const JobInfo& j : jobs) {
    w.BeginObject();
    w.Key("job_id");
    w.Uint(j.job_id);
    str("name", j.name);
    str("user_name", j.user);
    num("user_id", j.uid);
    num("group_id", j.gid);
    str("partition", j.partition);
    str("job_state", proto::JobStateName(j.state));
    str("state_reason", OrNone(j.reason));
    num("priority", j.priority);
    str("nodes", j.nodelist);
    num("node_count", j.num_nodes);
    num("cpus", j.num_cpus);
    num("cpus_per_task", j.cpus_per_task);
    num("tasks", j.num_tasks);
    w.Key("memory_per_node");
    w.Uint(j.mem_mb);
    w.Key("time_limit");
    if (j.time_limit_s < 0) {
      w.Null();
    } else {
      w.Int((j.time_limit_s + 59) / 60);
    }
    num("time_limit_seconds", j.time_limit_s);
    num("submit_time", j.submit_time);
    num("start_time", j.start_time);
    str("sched_nodes", j.sched_nodes);
    num("end_time", j.end_time);
    num("elapsed", cli::JobElapsed(j, now));
    num("exit_code", j.exit_code);
    num("exit_signal", j.exit_signal);
    w.Key("held");
    w.Bool(j.held);
    num("restarts", j.restarts);
    str("batch_host", j.batch_host);
    str("work_dir", j.work_dir);
    str("standard_output", j.stdout_path);
    str("standard_error", j.stderr_path);
    str("command", j.command);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

}  // namespace herd::hqueue
