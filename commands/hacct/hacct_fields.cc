// herd hacct — the field table and the rendering, with sacct's widths and justification:
// JobID and JobIDRaw left-justified, the rest right-justified, a space after each column;
// a value longer than its column is cut and ends in '+'. Usage the nodes did not report is
// printed empty, never as a zero.
#include "commands/hacct/hacct_fields.h"

#include <grp.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include "commands/lib/display.h"
#include "commands/lib/timefmt.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/proto/types.h"

namespace herd::hacct {

const char* const kDefaultFields = "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode";
const char* const kBriefFields = "JobID,State,ExitCode";
const char* const kLongFields =
    "JobID,JobIDRaw,JobName,Partition,MaxVMSize,MaxVMSizeNode,MaxVMSizeTask,AveVMSize,MaxRSS,"
    "MaxRSSNode,MaxRSSTask,AveRSS,MaxPages,MaxPagesNode,MaxPagesTask,AvePages,MinCPU,"
    "MinCPUNode,MinCPUTask,AveCPU,NTasks,AllocCPUS,Elapsed,State,ExitCode,AveCPUFreq,"
    "ReqCPUFreqMin,ReqCPUFreqMax,ReqCPUFreqGov,ReqMem,ConsumedEnergy,MaxDiskRead,"
    "MaxDiskReadNode,MaxDiskReadTask,AveDiskRead,MaxDiskWrite,MaxDiskWriteNode,"
    "MaxDiskWriteTask,AveDiskWrite,ReqTRES,AllocTRES,TRESUsageInAve,TRESUsageInMax,"
    "TRESUsageInMaxNode,TRESUsageInMaxTask,TRESUsageInMin,TRESUsageInMinNode,"
    "TRESUsageInMinTask,TRESUsageInTot,TRESUsageOutMax,TRESUsageOutMaxNode,"
    "TRESUsageOutMaxTask,TRESUsageOutAve,TRESUsageOutTot";

namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;
using Getter = std::function<std::string(const RowView&)>;

struct Field {
  int width;
  Getter get;  // null: herd records nothing for it (printed empty)
};

bool IsJob(const RowView& r) { return r.step == nullptr && !r.batch; }

// "N:S": exit code and signal of a wait status.
std::string ExitCodeOf(int32_t status) {
  if (WIFSIGNALED(status)) return "0:" + std::to_string(WTERMSIG(status));
  return std::to_string(WEXITSTATUS(status)) + ":0";
}

// The batch script's state, as Slurm shows the batch step: killed by a signal CANCELLED,
// a non-zero exit FAILED.
int BatchState(const JobRow& j) {
  const auto st = static_cast<proto::JobState>(j.state);
  if (!proto::IsFinished(st)) return j.state;
  if (WIFSIGNALED(j.exit_status)) return static_cast<int>(proto::JobState::kCancelled);
  if (WEXITSTATUS(j.exit_status) != 0) return static_cast<int>(proto::JobState::kFailed);
  return static_cast<int>(proto::JobState::kCompleted);
}

int StateOf(const RowView& r) {
  if (r.step != nullptr) return r.step->state;
  return r.batch ? BatchState(*r.job) : r.job->state;
}
int64_t StartOf(const RowView& r) { return r.step ? r.step->start_time : r.job->start_time; }
int64_t EndOf(const RowView& r) { return r.step ? r.step->end_time : r.job->end_time; }

int64_t ElapsedOf(const RowView& r) {
  const int64_t start = StartOf(r), end = EndOf(r);
  if (start <= 0) return 0;
  return std::max<int64_t>((end > 0 ? end : r.now) - start, 0);
}

uint32_t CpusOf(const RowView& r) {
  if (r.step != nullptr) return r.step->alloc_cpus;
  // The batch script holds its node's share: its row has it (records from before it was
  // kept have the job's total only).
  if (r.batch && r.usage != nullptr) return r.usage->alloc_cpus;
  if (r.batch) return r.job->nnodes == 1 ? r.job->alloc_cpus : 0;
  return r.job->alloc_cpus;
}

std::string Num(int64_t v) { return std::to_string(v); }
std::string KnownNum(int64_t v, const char* unit = "") {
  return v < 0 ? "" : std::to_string(v) + unit;
}

// sacct's CPU times: "MM:SS.mmm" under an hour, else "[D-]HH:MM:SS".
std::string CpuTime(int64_t us) {
  if (us < 0) return "";
  if (us == 0) return "00:00:00";
  const int64_t s = us / 1000000;
  if (s >= 3600) return cli::FormatRunTime(s);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld.%03lld", static_cast<long long>(s / 60),
                static_cast<long long>(s % 60), static_cast<long long>(us / 1000 % 1000));
  return buf;
}

// The CPU time of a row: a step's or the batch script's own, a job's the sum of its
// batch script's and steps' (as sacct); empty when none was measured.
int64_t CpuUs(const RowView& r, bool user, bool sys) {
  auto of = [&](const StepRow& s) -> int64_t {
    if (s.user_cpu_us < 0 || s.sys_cpu_us < 0) return -1;
    return (user ? s.user_cpu_us : 0) + (sys ? s.sys_cpu_us : 0);
  };
  if (!IsJob(r)) return r.usage != nullptr ? of(*r.usage) : -1;
  int64_t total = -1;
  for (const StepRow& s : r.job->steps) {
    const int64_t v = of(s);
    if (v >= 0) total = std::max<int64_t>(total, 0) + v;
  }
  return total;
}

// A memory figure (KiB) as sacct prints it: in its own unit (`own`, 'K' or 'M') by
// default; with --units in that one, "%.0f" when whole, else two decimals ("64.52M").
std::string Mem(int64_t kb, char own, char units) {
  if (kb < 0) return "";
  static const char kUnits[] = "KMGTP";
  const char unit = units != 0 ? units : own;
  const size_t power = std::string(kUnits).find(unit);
  double v = static_cast<double>(kb);
  for (size_t i = 0; i < power; ++i) v /= 1024;
  char buf[48];
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    std::snprintf(buf, sizeof buf, "%lld%c", static_cast<long long>(v), unit);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f%c", v, unit);
  }
  return buf;
}

std::string ReqMem(const JobRow& j, char units) {
  if (j.req_mem_mb == 0) return "0";
  const uint64_t total = j.req_mem_per_cpu ? j.req_mem_mb * j.req_cpus : j.req_mem_mb * j.nnodes;
  return Mem(static_cast<int64_t>(total) * 1024, 'M', units);
}

std::string AllocTres(const RowView& r) {
  const JobRow& j = *r.job;
  if (IsJob(r)) {
    if (j.start_time <= 0) return "";
    // Slurm's billing TRES defaults to the cpu count.
    std::string t = "billing=" + Num(j.alloc_cpus) + ",cpu=" + Num(j.alloc_cpus);
    if (j.alloc_mem_mb > 0) t += ",mem=" + Num(static_cast<int64_t>(j.alloc_mem_mb)) + "M";
    return t + ",node=" + Num(j.nnodes);
  }
  if (r.step != nullptr) {
    return "cpu=" + Num(r.step->alloc_cpus) + ",node=" + Num(r.step->nnodes);
  }
  return j.nnodes == 1 ? "cpu=" + Num(j.alloc_cpus) + ",node=1" : "";
}

std::string ReqTres(const JobRow& j) {
  std::string t = "billing=" + Num(j.req_cpus) + ",cpu=" + Num(j.req_cpus);
  if (j.req_mem_mb > 0) t += ",mem=" + ReqMem(j, 0);
  return t + ",node=" + Num(j.req_nodes);
}

// "12", "12.batch", "12.3"; an array task "10_4" (JobID) beside its own id (JobIDRaw).
std::string IdOf(const RowView& r, bool raw) {
  const JobRow& j = *r.job;
  const std::string id = !raw && j.array_task_id >= 0 ? std::to_string(j.array_job_id) + "_" +
                                                            std::to_string(j.array_task_id)
                                                      : std::to_string(j.job_id);
  if (r.batch) return id + ".batch";
  if (r.step != nullptr) return id + "." + std::to_string(r.step->step_id);
  return id;
}
std::string JobIdOf(const RowView& r) { return IdOf(r, false); }
std::string JobIdRawOf(const RowView& r) { return IdOf(r, true); }

const std::map<std::string, Field>& Table() {
  static const auto* table = new std::map<std::string, Field>{
      {"Account", {10, [](const RowView& r) { return r.job->account; }}},
      {"AllocCPUS", {10, [](const RowView& r) { return Num(CpusOf(r)); }}},
      {"AllocNodes",
       {10,
        [](const RowView& r) {
          return Num(r.step                  ? r.step->nnodes
                     : r.batch               ? 1
                     : r.job->start_time > 0 ? r.job->nnodes
                                             : 0);
        }}},
      {"AllocTRES", {10, AllocTres}},
      {"AveCPU", {10, nullptr}},
      {"AveCPUFreq", {10, nullptr}},
      {"AveDiskRead", {14, nullptr}},
      {"AveDiskWrite", {14, nullptr}},
      {"AvePages", {10, nullptr}},
      {"AveRSS",
       {10,
        [](const RowView& r) { return r.usage ? Mem(r.usage->ave_rss_kb, 'K', r.units) : ""; }}},
      {"AveVMSize", {10, nullptr}},
      {"Cluster", {10, nullptr}},  // filled by Render
      {"ConsumedEnergy",
       {14, [](const RowView& r) { return r.usage ? KnownNum(r.usage->energy_j) : ""; }}},
      {"CPUTime",
       {10, [](const RowView& r) { return cli::FormatRunTime(ElapsedOf(r) * CpusOf(r)); }}},
      {"CPUTimeRAW", {10, [](const RowView& r) { return Num(ElapsedOf(r) * CpusOf(r)); }}},
      {"DerivedExitCode",
       {15, [](const RowView& r) { return IsJob(r) ? ExitCodeOf(r.job->derived_exit) : ""; }}},
      {"Elapsed", {10, [](const RowView& r) { return cli::FormatRunTime(ElapsedOf(r)); }}},
      {"ElapsedRaw", {10, [](const RowView& r) { return Num(ElapsedOf(r)); }}},
      {"Eligible",
       {19,
        [](const RowView& r) {
          return cli::FormatTimestamp(r.step    ? r.step->start_time
                                      : r.batch ? r.job->start_time
                                                : r.job->eligible_time);
        }}},
      {"End", {19, [](const RowView& r) { return cli::FormatTimestamp(EndOf(r)); }}},
      {"ExitCode",
       {8,
        [](const RowView& r) {
          if (r.step != nullptr) return ExitCodeOf(r.step->exit_status);
          // A job ended by a cancel or its time limit: 0:0, the signal is its batch step's.
          const auto st = static_cast<proto::JobState>(r.job->state);
          if (IsJob(r) && (st == proto::JobState::kCancelled || st == proto::JobState::kTimeout) &&
              WIFSIGNALED(r.job->exit_status)) {
            return std::string("0:0");
          }
          return ExitCodeOf(r.job->exit_status);
        }}},
      {"GID", {6, [](const RowView& r) { return IsJob(r) ? Num(r.job->gid) : ""; }}},
      {"Group", {9, [](const RowView& r) { return IsJob(r) ? GroupName(r.job->gid) : ""; }}},
      {"JobID", {-12, JobIdOf}},
      {"JobIDRaw", {-12, JobIdRawOf}},
      {"JobName",
       {10,
        [](const RowView& r) { return r.step    ? r.step->name
                                      : r.batch ? "batch"
                                                : r.job->name; }}},
      {"MaxDiskRead",
       {12, [](const RowView& r) { return r.usage ? KnownNum(r.usage->disk_read_bytes) : ""; }}},
      {"MaxDiskReadNode", {15, nullptr}},
      {"MaxDiskReadTask", {15, nullptr}},
      {"MaxDiskWrite",
       {12, [](const RowView& r) { return r.usage ? KnownNum(r.usage->disk_write_bytes) : ""; }}},
      {"MaxDiskWriteNode", {16, nullptr}},
      {"MaxDiskWriteTask", {16, nullptr}},
      {"MaxPages", {8, nullptr}},
      {"MaxPagesNode", {12, nullptr}},
      {"MaxPagesTask", {14, nullptr}},
      {"MaxRSS",
       {10,
        [](const RowView& r) { return r.usage ? Mem(r.usage->max_rss_kb, 'K', r.units) : ""; }}},
      {"MaxRSSNode", {10, [](const RowView& r) { return r.usage ? r.usage->max_rss_node : ""; }}},
      {"MaxRSSTask",
       {10, [](const RowView& r) { return r.usage ? KnownNum(r.usage->max_rss_task) : ""; }}},
      {"MaxVMSize",
       {10,
        [](const RowView& r) { return r.usage ? Mem(r.usage->max_vmsize_kb, 'K', r.units) : ""; }}},
      {"MaxVMSizeNode", {14, nullptr}},
      {"MaxVMSizeTask", {14, nullptr}},
      {"MinCPU", {10, nullptr}},
      {"MinCPUNode", {10, nullptr}},
      {"MinCPUTask", {10, nullptr}},
      {"NCPUS", {10, [](const RowView& r) { return Num(CpusOf(r)); }}},
      {"NNodes",
       {8,
        [](const RowView& r) {
          return Num(r.step ? r.step->nnodes : r.batch ? 1 : r.job->nnodes);
        }}},
      {"NodeList",
       {15,
        [](const RowView& r) {
          if (r.step != nullptr) return r.step->nodes;
          if (r.job->nodes.empty()) return std::string("None assigned");
          if (!r.batch) return r.job->nodes;
          // The batch host: the allocation's first node.
          auto names = ExpandHostlist(r.job->nodes);
          return names.ok() && !names->empty() ? names->front() : std::string();
        }}},
      {"NTasks",
       {8, [](const RowView& r) { return r.step    ? Num(r.step->ntasks)
                                         : r.batch ? "1"
                                                   : ""; }}},
      {"Partition", {10, [](const RowView& r) { return IsJob(r) ? r.job->partition : ""; }}},
      {"Priority", {10, [](const RowView& r) { return IsJob(r) ? Num(r.job->priority) : ""; }}},
      {"QOS", {10, [](const RowView& r) { return IsJob(r) ? r.job->qos : ""; }}},
      {"Reason",
       {22,
        [](const RowView& r) {
          return IsJob(r) ? (r.job->reason.empty() ? "None" : r.job->reason) : "";
        }}},
      {"ReqCPUFreqGov", {13, nullptr}},
      {"ReqCPUFreqMax", {13, nullptr}},
      {"ReqCPUFreqMin", {13, nullptr}},
      {"ReqCPUS",
       {8,
        [](const RowView& r) { return r.step ? Num(r.step->alloc_cpus) : Num(r.job->req_cpus); }}},
      {"ReqMem", {10, [](const RowView& r) { return IsJob(r) ? ReqMem(*r.job, r.units) : ""; }}},
      {"ReqNodes",
       {8,
        [](const RowView& r) {
          return Num(r.step ? r.step->nnodes : r.batch ? 1 : r.job->req_nodes);
        }}},
      {"ReqTRES", {10, [](const RowView& r) { return IsJob(r) ? ReqTres(*r.job) : ""; }}},
      {"Start", {19, [](const RowView& r) { return cli::FormatTimestamp(StartOf(r)); }}},
      {"State",
       {10,
        [](const RowView& r) {
          return std::string(proto::JobStateName(static_cast<proto::JobState>(StateOf(r))));
        }}},
      {"Submit",
       {19,
        [](const RowView& r) {
          return cli::FormatTimestamp(r.step    ? r.step->start_time
                                      : r.batch ? r.job->start_time
                                                : r.job->submit_time);
        }}},
      {"SubmitLine", {20, [](const RowView& r) { return IsJob(r) ? r.job->submit_line : ""; }}},
      {"SystemCPU", {10, [](const RowView& r) { return CpuTime(CpuUs(r, false, true)); }}},
      {"Timelimit",
       {10,
        [](const RowView& r) { return IsJob(r) ? cli::FormatRunTime(r.job->time_limit_s) : ""; }}},
      {"TimelimitRaw",
       {10,
        [](const RowView& r) {
          if (!IsJob(r)) return std::string();
          return r.job->time_limit_s < 0 ? std::string("UNLIMITED") : Num(r.job->time_limit_s / 60);
        }}},
      {"TotalCPU", {10, [](const RowView& r) { return CpuTime(CpuUs(r, true, true)); }}},
      {"TRESUsageInAve", {14, nullptr}},
      {"TRESUsageInMax", {14, nullptr}},
      {"TRESUsageInMaxNode", {18, nullptr}},
      {"TRESUsageInMaxTask", {18, nullptr}},
      {"TRESUsageInMin", {14, nullptr}},
      {"TRESUsageInMinNode", {18, nullptr}},
      {"TRESUsageInMinTask", {18, nullptr}},
      {"TRESUsageInTot", {14, nullptr}},
      {"TRESUsageOutAve", {15, nullptr}},
      {"TRESUsageOutMax", {15, nullptr}},
      {"TRESUsageOutMaxNode", {19, nullptr}},
      {"TRESUsageOutMaxTask", {19, nullptr}},
      {"TRESUsageOutTot", {15, nullptr}},
      {"UID", {6, [](const RowView& r) { return IsJob(r) ? Num(r.job->uid) : ""; }}},
      {"User", {9, [](const RowView& r) { return IsJob(r) ? r.job->user : ""; }}},
      {"UserCPU", {10, [](const RowView& r) { return CpuTime(CpuUs(r, true, false)); }}},
      {"WorkDir", {20, [](const RowView& r) { return IsJob(r) ? r.job->work_dir : ""; }}},
  };
  return *table;
}

const Field* Find(const std::string& name, std::string* canonical) {
  auto exact = Table().find(name);  // the canonical spelling, as rows are printed
  if (exact != Table().end()) {
    if (canonical != nullptr) *canonical = exact->first;
    return &exact->second;
  }
  for (const auto& [n, f] : Table()) {
    if (EqualsIgnoreCase(n, name)) {
      if (canonical != nullptr) *canonical = n;
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

std::string GroupName(uint32_t gid) {
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

std::string Cell(const std::string& value, int width, bool header) {
  const bool left = width < 0;
  const size_t w = static_cast<size_t>(left ? -width : width);
  std::string v = cli::EscapeForDisplay(value);
  if (cli::DisplayWidth(v) > w)
    v = header ? cli::CutToWidth(v, w) : cli::CutToWidth(v, w - 1) + "+";
  const std::string pad(w - cli::DisplayWidth(v), ' ');
  return left ? v + pad : pad + v;
}

int FieldWidth(const std::string& name, std::string* canonical) {
  const Field* f = Find(name, canonical);
  return f == nullptr ? 0 : f->width;
}

std::string FieldValue(const std::string& name, const RowView& r) {
  const Field* f = Find(name, nullptr);
  if (f == nullptr || !f->get) return "";
  return f->get(r);
}

std::vector<std::string> JobColumnsFor(const HacctOptions& o) {
  // What ids, states, times, exit codes, cpus and nodes of every row (job, batch, step) use.
  std::vector<std::string> cols{"array_job_id", "array_task_id", "state",         "start_time",
                                "end_time",     "submit_time",   "eligible_time", "exit_status",
                                "batch",        "nnodes",        "alloc_cpus",    "nodes"};
  static const std::map<std::string, std::vector<std::string>> kOwn = {
      {"JobID", {}},
      {"JobIDRaw", {}},
      {"State", {}},
      {"ExitCode", {}},
      {"Start", {}},
      {"End", {}},
      {"Submit", {}},
      {"Eligible", {}},
      {"Elapsed", {}},
      {"ElapsedRaw", {}},
      {"AllocCPUS", {}},
      {"NCPUS", {}},
      {"NNodes", {}},
      {"AllocNodes", {}},
      {"NodeList", {}},
      {"CPUTime", {}},
      {"CPUTimeRAW", {}},
      {"NTasks", {}},
      {"Cluster", {}},
      {"TotalCPU", {}},
      {"UserCPU", {}},
      {"SystemCPU", {}},
      {"MaxRSS", {}},
      {"MaxRSSNode", {}},
      {"MaxRSSTask", {}},
      {"AveRSS", {}},
      {"JobName", {"name"}},
      {"Partition", {"part"}},
      {"Account", {"account"}},
      {"QOS", {"qos"}},
      {"User", {"user_name"}},
      {"UID", {"uid"}},
      {"Group", {"gid"}},
      {"GID", {"gid"}},
      {"Reason", {"reason"}},
      {"WorkDir", {"work_dir"}},
      {"SubmitLine", {"submit_line"}},
      {"Priority", {"priority"}},
      {"Timelimit", {"time_limit_s"}},
      {"TimelimitRaw", {"time_limit_s"}},
      {"DerivedExitCode", {"derived_exit"}},
  };
  for (const OutputField& f : o.fields) {
    auto own = kOwn.find(f.name);
    if (own == kOwn.end()) return {};
    cols.insert(cols.end(), own->second.begin(), own->second.end());
  }
  return cols;
}

std::vector<JobRow> JobsOnNodes(std::vector<JobRow> jobs, const std::vector<std::string>& nodes) {
  if (nodes.empty()) return jobs;
  std::vector<JobRow> out;
  for (JobRow& j : jobs) {
    auto names = ExpandHostlist(j.nodes);
    if (!names.ok()) continue;
    if (std::any_of(names->begin(), names->end(), [&](const std::string& n) {
          return std::find(nodes.begin(), nodes.end(), n) != nodes.end();
        })) {
      out.push_back(std::move(j));
    }
  }
  return out;
}

std::vector<RowView> RowsOf(const std::vector<ctld::acct::JobRow>& jobs, bool allocations,
                            int64_t now, char units) {
  std::vector<RowView> rows;
  for (const JobRow& j : jobs) {
    rows.push_back({&j, nullptr, false, now, nullptr, units});
    if (allocations) continue;
    const StepRow* batch = nullptr;
    for (const StepRow& s : j.steps) {
      if (s.step_id == proto::kBatchStep) batch = &s;
    }
    if (j.batch && j.start_time > 0) rows.push_back({&j, nullptr, true, now, batch, units});
    for (const StepRow& s : j.steps) {
      if (&s != batch) rows.push_back({&j, &s, false, now, &s, units});
    }
  }
  return rows;
}

namespace {

// The table, appended to `out`; with `flush_to`, written out each time it grows past
// 64 KiB (a month of jobs is never held as one string).
void RenderInto(const std::vector<RowView>& rows, const HacctOptions& o, std::string* out,
                std::FILE* flush_to) {
  // Each field's getter found once, not once per cell (hundreds of thousands of rows).
  std::vector<const Field*> getters;
  for (const OutputField& f : o.fields) getters.push_back(Find(f.name, nullptr));
  std::string v;
  auto line = [&](auto cell) {
    for (size_t i = 0; i < o.fields.size(); ++i) {
      cell(i, &v);
      if (o.parsable) {
        if (i > 0) *out += o.delimiter;
        *out += v;
      } else {
        *out += v;
        *out += ' ';
      }
    }
    if (o.parsable && o.trailing_delimiter) *out += o.delimiter;
    *out += '\n';
    if (flush_to != nullptr && out->size() > (64u << 10)) {
      std::fwrite(out->data(), 1, out->size(), flush_to);
      out->clear();
    }
  };
  if (!o.noheader) {
    line([&](size_t i, std::string* c) {
      const OutputField& f = o.fields[i];
      *c = o.parsable ? f.name : Cell(f.name, f.width, true);
    });
    if (!o.parsable) {
      line([&](size_t i, std::string* c) {
        c->assign(static_cast<size_t>(std::abs(o.fields[i].width)), '-');
      });
    }
  }
  for (const RowView& r : rows) {
    line([&](size_t i, std::string* c) {
      const OutputField& f = o.fields[i];
      const Field* field = getters[i];
      std::string value = f.name == "Cluster"              ? o.cluster
                          : field != nullptr && field->get ? field->get(r)
                                                           : std::string();
      *c = o.parsable ? cli::EscapeForDisplay(value) : Cell(value, f.width, false);
    });
  }
  if (flush_to != nullptr) {
    std::fwrite(out->data(), 1, out->size(), flush_to);
    out->clear();
  }
}

}  // namespace

std::string Render(const std::vector<RowView>& rows, const HacctOptions& o) {
  std::string out;
  RenderInto(rows, o, &out, nullptr);
  return out;
}

void RenderTo(const std::vector<RowView>& rows, const HacctOptions& o, std::FILE* to) {
  std::string buf;
  RenderInto(rows, o, &buf, to);
}

}  // namespace herd::hacct
