// herd sim — scheduling policies on a trace (see policy_sim.h).
#include "testsuite/sim/policy_sim.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <queue>
#include <random>

#include "controller/sched/scheduler.h"

namespace herd::sim {
namespace {

using ctld::ClusterState;
using ctld::Job;
using proto::JobState;

constexpr double kBsldThresholdS = 10;

struct SimJob {
  uint64_t id = 0;
  int64_t submit = 0;
  int64_t run = 0;    // what it runs (its limit ends it at the latest)
  int64_t limit = 0;  // its time limit: the trace's requested time, else its run time
  uint32_t procs = 0;
  int64_t user = -1;
  bool measured = false;
  int64_t start = -1;
  int64_t end = -1;
};

Result<ClusterConfig> MachineConfig(uint32_t nodes, uint32_t cpus, const SchedConfig& sched,
                                    const PriorityConfig& priority) {
  const std::string n = std::to_string(nodes);
  std::string text =
      "ClusterName=sim\nControllerHost=ctl(127.0.0.1:7000)\nStateDir=/nonexistent\n"
      "MinJobAge=0\nNodeName=s[1-" +
      n + "] NodeAddr=127.0.0.1 Port=7100-" + std::to_string(7100 + nodes - 1) +
      " CPUs=" + std::to_string(cpus) +
      " RealMemory=1000000\nPartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE\n";
  HERD_ASSIGN_OR_RETURN(ClusterConfig cfg, ParseConfig(text, "policy-sim"));
  cfg.sched = sched;
  cfg.priority = priority;
  cfg.scheduler_type = sched.backfill ? "sched/backfill" : "sched/builtin";
  return cfg;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<size_t>(k, 1)) - 1];
}

// Runs jobs [begin, first + count) of the trace, measuring [first, first + count).
Result<WindowFigures> RunWindow(const SwfTrace& trace, uint32_t begin, uint32_t first,
                                uint32_t count, const ClusterConfig& cfg, PolicyReport* report) {
  const uint32_t total_cpus = static_cast<uint32_t>(cfg.nodes.size()) * cfg.nodes[0].cpus;
  std::vector<SimJob> jobs;
  for (uint32_t i = begin; i < first + count; ++i) {
    const SwfJob& t = trace.jobs[i];
    SimJob j;
    j.id = jobs.size() + 1;
    j.submit = t.submit_s;
    j.run = std::max<int64_t>(t.run_s, 1);
    j.limit = t.req_time_s > 0 ? t.req_time_s : j.run;
    j.run = std::min(j.run, j.limit);
    j.procs = static_cast<uint32_t>(std::min<int64_t>(t.procs, total_cpus));
    j.user = t.user;
    j.measured = i >= first;
    jobs.push_back(j);
  }
  ClusterState state(cfg);
  for (auto& n : state.nodes()) n.registered = true;
  using End = std::pair<int64_t, uint64_t>;
  std::priority_queue<End, std::vector<End>, std::greater<End>> ends;
  size_t next = 0, pending = 0;
  while (next < jobs.size() || !ends.empty()) {
    const int64_t t = std::min(next < jobs.size() ? jobs[next].submit : INT64_MAX,
                               ends.empty() ? INT64_MAX : ends.top().first);
    while (!ends.empty() && ends.top().first <= t) {
      const uint64_t id = ends.top().second;
      ends.pop();
      HERD_RETURN_IF_ERROR(state.Apply(ctld::JobEnded{id, JobState::kCompleted, 0, t, {}, 0, {}}));
      state.Forget(id);
    }
    for (; next < jobs.size() && jobs[next].submit <= t; ++next) {
      const SimJob& s = jobs[next];
      Job j;
      j.id = s.id;
      j.partition = "batch";
      j.submit_time = s.submit;
      j.time_limit_s = s.limit;
      j.user = "u" + std::to_string(s.user);
      j.spec.num_tasks = s.procs;
      j.spec.cpus_per_task = 1;
      HERD_RETURN_IF_ERROR(state.Apply(ctld::JobSubmitted{j, {}, {}, {}}));
      ++pending;
    }
    if (pending == 0) continue;
    for (bool again = true; again;) {
      const auto t0 = std::chrono::steady_clock::now();
      ctld::SchedulePlan plan = ctld::Schedule(state, t);
      const auto t1 = std::chrono::steady_clock::now();
      report->pass_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      report->passes++;
      for (const ctld::PlannedStart& p : plan.starts) {
        HERD_RETURN_IF_ERROR(state.Apply(ctld::JobStarted{p.job_id, 1, t, p.alloc}));
        SimJob& s = jobs[p.job_id - 1];
        s.start = t;
        s.end = t + s.run;
        ends.emplace(s.end, s.id);
        --pending;
      }
      again = plan.more && !plan.starts.empty();
    }
  }
  if (pending != 0) return Internal("the trace ended with jobs that never started");

  WindowFigures f;
  f.first = first;
  f.jobs = count;
  std::vector<double> waits;
  double bsld = 0;
  int64_t from = INT64_MAX, to = 0;
  for (const SimJob& s : jobs) {
    if (!s.measured) continue;
    const double wait = static_cast<double>(s.start - s.submit);
    waits.push_back(wait);
    const double run = static_cast<double>(s.run);
    bsld += std::max(1.0, (wait + run) / std::max(run, kBsldThresholdS));
    from = std::min(from, s.submit);
    to = std::max(to, s.end);
  }
  double used = 0;  // cpu-seconds in [from, to], of every job (warm-up jobs too)
  for (const SimJob& s : jobs) {
    const int64_t a = std::max(s.start, from), b = std::min(s.end, to);
    if (b > a) used += static_cast<double>(b - a) * s.procs;
  }
  const double n = static_cast<double>(waits.size());
  f.makespan_s = to - from;
  f.utilization = f.makespan_s > 0 ? used / (static_cast<double>(f.makespan_s) * total_cpus) : 0;
  for (double w : waits) f.mean_wait_s += w / n;
  f.p95_wait_s = Percentile(waits, 0.95);
  f.max_wait_s = waits.empty() ? 0 : *std::max_element(waits.begin(), waits.end());
  f.mean_bsld = bsld / n;
  return f;
}

std::string Row(const char* label, const WindowFigures& f) {
  char line[256];
  std::snprintf(line, sizeof line, "%-8s %6u %5u %6.3f %10.0f %10.0f %10.0f %10.1f %10lld\n", label,
                f.first, f.jobs, f.utilization, f.mean_wait_s, f.p95_wait_s, f.max_wait_s,
                f.mean_bsld, static_cast<long long>(f.makespan_s));
  return line;
}

}  // namespace

PriorityConfig MultifactorPreset() {
  PriorityConfig p;
  p.multifactor = true;
  p.weight_age = 1000;
  p.weight_fairshare = 0;
  p.weight_job_size = 10000;
  p.favor_small = true;
  p.max_age_s = 86400;
  return p;
}

bool PolicyPreset(const std::string& name, SchedConfig* sched, PriorityConfig* priority) {
  if (name == "multifactor-easy") {
    if (!PolicyPreset("fcfs-easy", sched)) return false;
    *priority = MultifactorPreset();
    return true;
  }
  if (!PolicyPreset(name, sched)) return false;
  *priority = PriorityConfig();
  return true;
}

bool PolicyPreset(const std::string& name, SchedConfig* out) {
  SchedConfig s;
  s.default_queue_depth = 1000000;  // every job is tried: the textbook policies
  if (name == "fcfs") {
    s.backfill = false;
  } else if (name == "fcfs-easy") {
    s.backfill = true;
    s.bf_max_job_test = 1000000;
    s.bf_window_min = 43200;  // Slurm's largest: as far ahead as any job of the trace
    s.bf_resolution_s = 1;
  } else {
    return false;
  }
  *out = s;
  return true;
}

Result<PolicyReport> RunPolicy(const SwfTrace& trace, const PolicyOptions& o) {
  const uint32_t total = static_cast<uint32_t>(trace.jobs.size());
  const uint32_t cpn = std::max<uint32_t>(1, o.cpus_per_node);
  const uint32_t nodes =
      static_cast<uint32_t>(std::max<int64_t>(1, (trace.max_procs + cpn - 1) / cpn));
  HERD_ASSIGN_OR_RETURN(ClusterConfig cfg, MachineConfig(nodes, cpn, o.sched, o.priority));
  PolicyReport report;
  const uint32_t window = o.window == 0 || o.window > total ? total : o.window;
  const uint32_t windows = o.window == 0 ? 1 : std::max<uint32_t>(1, o.windows);
  std::mt19937_64 rng(o.seed);
  for (uint32_t w = 0; w < windows; ++w) {
    const uint32_t first =
        window == total ? 0 : static_cast<uint32_t>(rng() % (total - window + 1));
    const uint32_t begin = o.prefill ? first - std::min(first, window) : first;
    HERD_ASSIGN_OR_RETURN(WindowFigures f, RunWindow(trace, begin, first, window, cfg, &report));
    report.windows.push_back(f);
    if (o.progress != nullptr) *o.progress << "\rwindow " << w + 1 << "/" << windows << std::flush;
  }
  if (o.progress != nullptr) *o.progress << "\n";
  WindowFigures& m = report.mean;
  const double n = static_cast<double>(report.windows.size());
  for (const WindowFigures& f : report.windows) {
    m.jobs += f.jobs;
    m.utilization += f.utilization / n;
    m.mean_wait_s += f.mean_wait_s / n;
    m.p95_wait_s += f.p95_wait_s / n;
    m.max_wait_s = std::max(m.max_wait_s, f.max_wait_s);
    m.mean_bsld += f.mean_bsld / n;
    m.makespan_s += f.makespan_s / static_cast<int64_t>(report.windows.size());
  }
  return report;
}

std::string PolicyReport::Text(const PolicyOptions& o, bool with_cost) const {
  std::string out =
      "policy " + o.policy_name + " (" +
      (o.sched.backfill
           ? "sched/backfill bf_max_job_test=" + std::to_string(o.sched.bf_max_job_test) +
                 " bf_window=" + std::to_string(o.sched.bf_window_min) +
                 " bf_resolution=" + std::to_string(o.sched.bf_resolution_s)
           : std::string("sched/builtin")) +
      " default_queue_depth=" + std::to_string(o.sched.default_queue_depth) + "), seed " +
      std::to_string(o.seed) + (o.prefill && o.window != 0 ? ", pre-filled" : "") + "\n";
  out += "window    first  jobs   util  mean_wait   p95_wait   max_wait  mean_bsld   makespan\n";
  for (size_t i = 0; i < windows.size(); ++i) {
    out += Row(std::to_string(i + 1).c_str(), windows[i]);
  }
  out += Row("mean", mean);
  if (with_cost) {
    std::vector<double> v = pass_us;
    char line[160];
    std::snprintf(line, sizeof line,
                  "scheduler: %llu passes, pass time median %.1f us, max %.1f us\n",
                  static_cast<unsigned long long>(passes), Percentile(v, 0.5),
                  v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
    out += line;
  }
  return out;
}

}  // namespace herd::sim
