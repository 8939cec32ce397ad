// herd heff — seff's figures and lines.
#include "commands/heff/heff_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/proto/types.h"

namespace herd::heff {
namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;

std::string Printf(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

double Percent(double part, double whole) { return whole != 0 ? part / whole * 100 : 0.0; }

// A step's memory as seff reads it (Slurm's TRESUsageInTot mem: its tasks' peaks summed).
// herd keeps the highest node's peak and the peaks' sum per task (AveRSS).
int64_t StepMemKb(const StepRow& s) {
  if (s.nnodes <= 1) return std::max<int64_t>(s.max_rss_kb, 0);
  if (s.ave_rss_kb < 0) return 0;
  return s.ave_rss_kb * std::max<uint32_t>(s.ntasks, 1);
}

}  // namespace

std::string SeffTime(int64_t seconds) {
  seconds = std::max<int64_t>(seconds, 0);
  const int64_t days = seconds / 86400;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld",
                static_cast<long long>(seconds % 86400 / 3600),
                static_cast<long long>(seconds % 3600 / 60), static_cast<long long>(seconds % 60));
  return days > 0 ? std::to_string(days) + "-" + buf : buf;
}

std::string SeffKbytes(double kb) {
  if (kb <= 0) return "0.00 MB";
  static const char* const kPrefix[] = {"K", "M", "G", "T", "P", "E"};
  int exp = static_cast<int>(std::log(kb) / std::log(1024.0));
  exp = std::clamp(exp, 0, 5);
  return Printf("%.2f ", kb / std::pow(1024.0, exp)) + kPrefix[exp] + "B";
}

Efficiency EfficiencyOf(const JobRow& job, int64_t now) {
  Efficiency e;
  e.cpus = job.alloc_cpus != 0 ? job.alloc_cpus : 1;
  e.nodes = job.nnodes != 0 ? job.nnodes : 1;
  if (job.start_time > 0) {
    e.walltime_s = std::max<int64_t>((job.end_time > 0 ? job.end_time : now) - job.start_time, 0);
  }
  int64_t cpu_us = 0;
  for (const StepRow& s : job.steps) {
    cpu_us += std::max<int64_t>(s.user_cpu_us, 0) + std::max<int64_t>(s.sys_cpu_us, 0);
    const int64_t mem = StepMemKb(s);
    if (mem > e.mem_kb) {
      e.mem_kb = mem;
      const bool one_task = s.max_rss_task >= 0 && s.ntasks > 1;
      e.max_task_kb = one_task ? s.max_rss_kb : 0;
      e.ave_task_kb = one_task ? std::max<int64_t>(s.ave_rss_kb, 0) : 0;
    }
  }
  e.cpu_s = (cpu_us + 500000) / 1000000;
  e.alloc_mem_kb = static_cast<int64_t>(job.alloc_mem_mb) * 1024;
  e.mem_per_cpu = job.req_mem_per_cpu;
  return e;
}

std::string FormatEfficiency(const JobRow& job, const std::string& cluster,
                             const std::string& group, int64_t now) {
  const Efficiency e = EfficiencyOf(job, now);
  const auto st = static_cast<proto::JobState>(job.state);
  const std::string state = proto::JobStateName(st);
  std::string out = "Job ID: " + std::to_string(job.job_id) + "\n";
  if (job.array_task_id >= 0) {
    out += "Array Job ID: " + std::to_string(job.array_job_id) + "_" +
           std::to_string(job.array_task_id) + "\n";
  }
  out += "Cluster: " + cluster + "\n";
  out += "User/Group: " + job.user + "/" + group + "\n";
  if (st == proto::JobState::kPending || st == proto::JobState::kRunning) {
    out += "State: " + state + "\n";
  } else {
    out += "State: " + state + " (exit code " + std::to_string(job.exit_status >> 8) + ")\n";
  }
  if (e.cpus == 1) {
    out += "Cores: 1\n";
  } else {
    out += "Nodes: " + std::to_string(e.nodes) + "\n";
    out += "Cores per node: " + std::to_string(e.cpus / e.nodes) + "\n";
  }
  if (st == proto::JobState::kPending) {
    return out + "Efficiency not available for jobs in the PENDING state.\n";
  }
  const int64_t core_wall = e.walltime_s * e.cpus;
  out += "CPU Utilized: " + SeffTime(e.cpu_s) + "\n";
  out += "CPU Efficiency: " + Printf("%.2f", Percent(static_cast<double>(e.cpu_s), core_wall)) +
         "% of " + SeffTime(core_wall) + " core-walltime\n";
  out += "Job Wall-clock time: " + SeffTime(e.walltime_s) + "\n";
  out += "Memory Utilized: " + SeffKbytes(static_cast<double>(e.mem_kb)) + "\n";
  const double alloc = static_cast<double>(e.alloc_mem_kb);
  out += "Memory Efficiency: " + Printf("%.2f", Percent(static_cast<double>(e.mem_kb), alloc)) +
         "% of " + SeffKbytes(alloc) + " (" +
         (e.mem_per_cpu ? SeffKbytes(alloc / e.cpus) + "/core)\n"
                        : SeffKbytes(alloc / e.nodes) + "/node)\n");
  if (e.max_task_kb != 0 && e.max_task_kb > e.ave_task_kb && e.ave_task_kb > 0) {
    out += "The task which had the largest memory consumption differs by " +
           Printf("%.2f", Percent(static_cast<double>(e.max_task_kb), e.ave_task_kb)) +
           "% from the average task max memory consumption\n";
  }
  if (job.time_limit_s > 0) {
    out += "Wall-clock Efficiency: " +
           Printf("%.2f", Percent(static_cast<double>(e.walltime_s), job.time_limit_s)) + "% of " +
           SeffTime(job.time_limit_s) + " time limit\n";
  }
  if (st == proto::JobState::kRunning) {
    out +=
        "WARNING: Efficiency statistics can only be obtained after the job has ended as this "
        "tool is based on the accounting database data.\n";
  }
  return out;
}

}  // namespace herd::heff
