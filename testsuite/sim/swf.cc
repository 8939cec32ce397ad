// herd sim — SWF reader and replay.
#include "testsuite/sim/swf.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace herd::sim {

SwfWorkload::SwfWorkload(World& world, const SwfTrace& trace, const SwfOptions& o)
    : SwfWorkload(world, MakePlans(world, trace, o)) {}

SwfWorkload::SwfWorkload(World& world, Made made)
    : JobClients(world, std::move(made.plans)), scale_(made.scale), deadline_ms_(made.deadline_ms) {
  for (const auto& n : world.config().nodes) total_cpus_ += n.cpus;
}

SwfWorkload::Made SwfWorkload::MakePlans(World& world, const SwfTrace& trace, const SwfOptions& o) {
  Made made;
  double* scale = &made.scale;
  int64_t* deadline = &made.deadline_ms;
  const ClusterConfig& cfg = world.config();
  int64_t total_cpus = 0;
  for (const auto& n : cfg.nodes) total_cpus += n.cpus;
  size_t first = std::min<size_t>(o.first, trace.jobs.size() - 1);
  size_t last = std::min<size_t>(trace.jobs.size(), first + o.jobs);
  const int64_t t0 = trace.jobs[first].submit_s;
  const int64_t span_s = std::max<int64_t>(1, trace.jobs[last - 1].submit_s - t0);
  *scale = std::max(1.0, static_cast<double>(span_s) * 1000.0 /
                             static_cast<double>(std::max<int64_t>(1, o.target_span_ms)));
  int64_t work_ms = 0, last_submit = 0;
  for (size_t i = first; i < last; ++i) {
    const SwfJob& j = trace.jobs[i];
    Plan p;
    p.uid = 1000 + static_cast<uint32_t>(j.user > 0 ? j.user % 64 : j.number % 8);
    p.submit_at_ms = static_cast<int64_t>(static_cast<double>(j.submit_s - t0) * 1000.0 / *scale);
    p.run_ms = std::max<int64_t>(
        1000, static_cast<int64_t>(static_cast<double>(j.run_s) * 1000.0 / *scale));
    int64_t tasks = static_cast<int64_t>(
        std::llround(static_cast<double>(j.procs) * static_cast<double>(total_cpus) /
                     static_cast<double>(std::max<int64_t>(1, trace.max_procs))));
    tasks = std::clamp<int64_t>(tasks, 1, total_cpus);
    proto::JobSpec& s = p.spec;
    s.name = "swf-" + std::to_string(j.number);
    s.work_dir = "/tmp";
    s.num_tasks = static_cast<uint32_t>(tasks);
    s.time_limit_s = -1;
    s.script = SimScript(s.name, p.run_ms, 0);
    work_ms += p.run_ms * tasks;
    last_submit = std::max(last_submit, p.submit_at_ms);
    made.plans.push_back(std::move(p));
  }
  // Generous: all work done one cpu-set at a time after the last arrival, plus an hour.
  *deadline = last_submit + work_ms / std::max<int64_t>(1, total_cpus) * 4 + 3600 * 1000;
  for (const Plan& p : made.plans) *deadline = std::max(*deadline, last_submit + p.run_ms * 4);
  return made;
}

std::string SwfWorkload::Summary() const {
  const auto& runs = world_.invariants().runs();
  int64_t first_submit = INT64_MAX, last_end = 0, busy = 0, finished = 0;
  double wait_sum = 0, slowdown_sum = 0;
  for (const Entry& e : entries()) {
    if (e.job_id == 0) continue;
    first_submit = std::min(first_submit, e.submitted_ms);
    // The last run of the job that ended on its own is the one that did the work.
    auto lo = runs.lower_bound({e.job_id, 0});
    const RunRecord* done = nullptr;
    for (auto it = lo; it != runs.end() && it->first.first == e.job_id; ++it) {
      for (const RunRecord& r : it->second) {
        if (r.end_ms >= 0 && r.natural) done = &r;
      }
    }
    if (done == nullptr) continue;
    const int64_t cpus = static_cast<int64_t>(e.plan.spec.num_tasks) * e.plan.spec.cpus_per_task;
    finished++;
    last_end = std::max(last_end, done->end_ms);
    busy += cpus * (done->end_ms - done->start_ms);
    double wait = static_cast<double>(done->start_ms - e.submitted_ms) / 1000.0;
    double run = static_cast<double>(done->end_ms - done->start_ms) / 1000.0;
    wait_sum += wait;
    slowdown_sum += std::max(1.0, (wait + run) / std::max(10.0, run));  // bounded, tau = 10 s
  }
  std::ostringstream s;
  s << JobClients::Summary() << "\n";
  if (finished == 0 || last_end <= first_submit) {
    s << "swf: no job ran to its end";
    return s.str();
  }
  const double makespan_s = static_cast<double>(last_end - first_submit) / 1000.0;
  char buf[400];
  std::snprintf(
      buf, sizeof buf,
      "swf: %lld jobs ran to their end; time scale 1:%.1f; makespan %.0f s virtual "
      "(%.1f h of trace time); utilization %.1f%% of %u cpus; mean wait %.1f s virtual; "
      "mean bounded slowdown %.2f",
      static_cast<long long>(finished), scale_, makespan_s, makespan_s * scale_ / 3600.0,
      100.0 * static_cast<double>(busy) / 1000.0 / (makespan_s * static_cast<double>(total_cpus_)),
      total_cpus_, wait_sum / static_cast<double>(finished),
      slowdown_sum / static_cast<double>(finished));
  s << buf;
  return s.str();
}

}  // namespace herd::sim
