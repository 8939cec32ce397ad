// herd sim — running one scenario.
#include "testsuite/sim/scenario.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>

#include "common/base/log.h"
#include "testsuite/sim/faults.h"
#include "testsuite/sim/swf.h"
#include "testsuite/sim/workloads.h"
#include "testsuite/sim/world.h"

#ifndef HERD_SIM_WORKLOADS_DIR
#define HERD_SIM_WORKLOADS_DIR ""
#endif

namespace herd::sim {

std::string DefaultSwfPath() {
  std::string p = std::string(HERD_SIM_WORKLOADS_DIR) + "/lublin_256.swf";
  return ::access(p.c_str(), R_OK) == 0 ? p : "";
}

std::string ReplayCommand(const ScenarioOptions& o) {
  std::ostringstream s;
  s << "herd_sim --seed=" << o.seed << " --workload=" << o.workload;
  if (o.ha) s << " --ha";
  if (o.ctl1_clock_rate != 1.0) s << " --ctl1-clock-rate=" << o.ctl1_clock_rate;
  if (o.ha_faults_per_hour > 0) s << " --ha-faults-per-hour=" << o.ha_faults_per_hour;
  if (o.nodes != 0) s << " --nodes=" << o.nodes;
  if (o.jobs != 0) s << " --jobs=" << o.jobs;
  if (!o.faults) s << " --faults=0";
  if (o.crashes_per_hour > 0) s << " --crashes-per-hour=" << o.crashes_per_hour;
  if (o.disk_ignores_fsync) s << " --disk-ignores-fsync=1";
  return s.str();
}

std::string FormatViolations(const std::vector<Violation>& v, size_t max_lines) {
  std::string out;
  char ts[32];
  for (size_t i = 0; i < v.size() && i < max_lines; ++i) {
    std::snprintf(ts, sizeof ts, "  t=%.3fs ", static_cast<double>(v[i].time_ms) / 1000.0);
    out += ts + v[i].what + "\n";
  }
  if (v.size() > max_lines) out += "  ... and " + std::to_string(v.size() - max_lines) + " more\n";
  return out;
}

ScenarioResult RunScenario(const ScenarioOptions& o) {
  ScenarioResult result;
  // The controller's own log is not part of the deterministic trace: keep it quiet unless
  // a trace is wanted (it then goes to stderr, with wall-clock stamps).
  SetLogLevel(o.trace != nullptr ? Severity::kInfo
                                 : static_cast<Severity>(static_cast<int>(Severity::kError) + 1));
  const bool swf = o.workload == "swf";
  if (!swf && o.workload != "storm") {
    result.violations.push_back({0, "unknown workload '" + o.workload + "' (storm or swf)"});
    return result;
  }
  WorldOptions wo;
  wo.seed = o.seed;
  wo.nodes = o.nodes != 0 ? o.nodes : swf ? 16 : 8;
  wo.cpus = swf ? 16 : 8;
  wo.trace = o.trace;
  wo.disk_ignores_fsync = o.disk_ignores_fsync;
  wo.ha = o.ha;
  wo.ctl1_clock_rate = o.ctl1_clock_rate;
  World world(wo);

  std::unique_ptr<Workload> workload;
  if (swf) {
    std::string path = o.swf_path.empty() ? DefaultSwfPath() : o.swf_path;
    auto trace = ReadSwf(path);
    if (!trace.ok()) {
      result.violations.push_back({0, "cannot read the SWF trace: " + trace.error().message()});
      return result;
    }
    SwfOptions so;
    so.path = path;
    so.jobs = o.jobs != 0 ? o.jobs : 300;
    // The seed picks the window of the trace.
    int64_t windows = std::max<int64_t>(1, static_cast<int64_t>(trace->jobs.size() / so.jobs));
    so.first = static_cast<uint32_t>(world.rng().Uniform(0, windows - 1) * so.jobs);
    workload = std::make_unique<SwfWorkload>(world, *trace, so);
  } else {
    StormOptions so;
    if (o.jobs != 0) so.jobs = o.jobs;
    workload = std::make_unique<StormWorkload>(world, so);
  }
  world.AddActor(workload.get());

  // Faults during the submissions and a while after.
  int64_t fault_end = 0;
  std::unique_ptr<FaultInjector> faults;
  if (o.faults) {
    fault_end = swf ? 3600 * 1000 : 15 * 60 * 1000;
    FaultOptions fo =
        o.ha ? RandomHaFaults(world.rng(), fault_end) : RandomFaults(world.rng(), fault_end);
    if (o.crashes_per_hour > 0) fo.controller_crashes_per_hour = o.crashes_per_hour;
    if (o.ha_faults_per_hour > 0)
      fo.pauses_per_hour = fo.partitions_per_hour = o.ha_faults_per_hour;
    faults = std::make_unique<FaultInjector>(world, fo);
    world.AddActor(faults.get());
  }
  const int64_t deadline = workload->DeadlineMs();
  world.RunUntil([&] { return workload->Done() && world.NowMs() >= fault_end; }, deadline);
  if (faults) faults->Heal();
  Invariants& inv = world.invariants();
  // One controller is up (with two: one is active) and every job has ended.
  auto serving = [&] { return o.ha ? world.Active() >= 0 : world.controller_up(); };
  bool done = world.RunUntil([&] { return workload->Done() && serving() && inv.AllFinished(); },
                             world.NowMs() + deadline);
  if (!done) {
    if (!serving()) inv.Report(world.NowMs(), "liveness: no controller is active after healing");
    if (!workload->Done()) inv.Report(world.NowMs(), "liveness: the workload never finished");
    inv.CheckAllFinished(world.NowMs());
  }

  std::ostringstream s;
  s << "seed " << o.seed << ", workload " << o.workload << ", " << world.num_nodes() << " nodes x "
    << wo.cpus << " cpus; " << world.knobs() << "\n";
  s << workload->Summary() << "\n";
  if (faults) s << faults->Summary() << "\n";
  s << (o.ha ? "controllers: " : "controller: ") << world.crashes() << " restarts, "
    << world.checkpoints() << " checkpoints; network: " << world.network().sent() << " packets, "
    << world.network().lost() << " lost; " << inv.acked() << " submissions acknowledged\n";
  if (o.ha) {
    s << "pair: active " << (world.Active() >= 0 ? world.controller_name(world.Active()) : "none");
    for (size_t i = 0; i < world.num_controllers(); ++i) {
      if (world.core(i) != nullptr) {
        s << ", " << world.controller_name(i) << " in epoch " << world.core(i)->epoch();
      }
    }
    s << "\n";
  }
  s << "virtual time " << world.NowMs() / 1000 << " s in " << world.steps() << " steps";
  result.summary = s.str();
  result.violations = inv.violations();
  result.notes = inv.notes();
  result.virtual_ms = world.NowMs();
  result.steps = world.steps();
  return result;
}

}  // namespace herd::sim
