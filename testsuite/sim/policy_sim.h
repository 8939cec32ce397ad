// herd sim — scheduling policies on a trace: the controller's scheduler (Schedule, the
// pure function the controller and the whole-world simulation run) driven by a
// ClusterState through the trace's arrivals and the jobs' ends, at full virtual speed and
// with the trace's own time (no network, nodes or journal: the scheduler alone, as a site
// tuning its policy wants it). Same trace, policy and seed: the same figures.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "testsuite/sim/swf.h"

namespace herd::sim {

struct PolicyOptions {
  SchedConfig sched;        // the policy (SchedulerType, SchedulerParameters)
  PriorityConfig priority;  // PriorityType and the Priority* keys
  std::string policy_name;  // for the report
  uint32_t window = 0;      // jobs per window; 0: the whole trace as one window
  uint32_t windows = 1;     // windows drawn at random (seeded)
  uint64_t seed = 1;
  uint32_t cpus_per_node = 16;
  // Jobs before each window run first (same policy) so that the window starts on a
  // machine as full as the trace had it; they are not measured.
  bool prefill = true;
  std::ostream* progress = nullptr;  // "window i/K" as windows end, when wanted
};

// The presets: fcfs (sched/builtin, every job tried) and fcfs-easy (sched/backfill, a
// window and depth that cover the whole trace), both priority/basic; multifactor-easy:
// fcfs-easy's backfill with herd's default priority/multifactor weights
// (MultifactorPreset). false for an unknown name.
bool PolicyPreset(const std::string& name, SchedConfig* out);
bool PolicyPreset(const std::string& name, SchedConfig* sched, PriorityConfig* priority);
// The priority/multifactor weights herd suggests (doc/scheduling.md, "On a trace").
PriorityConfig MultifactorPreset();

struct WindowFigures {
  uint32_t first = 0;  // index of the window's first job in the trace
  uint32_t jobs = 0;
  double utilization = 0;  // cpu-seconds used over the window's span, all jobs counted
  double mean_wait_s = 0;
  double p95_wait_s = 0;
  double max_wait_s = 0;
  double mean_bsld = 0;  // bounded slowdown, 10 s threshold
  int64_t makespan_s = 0;
};

struct PolicyReport {
  std::vector<WindowFigures> windows;
  WindowFigures mean;           // of the windows' figures (max: the largest)
  std::vector<double> pass_us;  // every scheduling pass's wall time
  uint64_t passes = 0;
  std::string Text(const PolicyOptions& o, bool with_cost) const;
};

Result<PolicyReport> RunPolicy(const SwfTrace& trace, const PolicyOptions& o);

}  // namespace herd::sim
