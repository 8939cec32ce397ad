// herd_sim — runs one deterministic simulation and prints its event trace and summary:
//   herd_sim --seed=N --workload=storm|swf [--ha] [--nodes=N] [--jobs=N] [--faults=0]
//            [--verbose] [--swf=PATH] [--crashes-per-hour=R] [--disk-ignores-fsync=1]
//            [--ctl1-clock-rate=R] [--ha-faults-per-hour=R]
// --ha simulates the controller pair with a witness.
// Policy mode: the scheduler alone on an SWF trace (policy_sim.h), printing utilization,
// waits, bounded slowdown, makespan and the scheduler's pass time:
//   herd_sim --policy=fcfs|fcfs-easy|multifactor-easy | --conf=herd.conf  [--swf=PATH] [--window=N
//            --windows=K] [--seed=S] [--prefill=0] [--cpus-per-node=C]
// The same arguments replay the same run exactly (a failing test prints them). Exit code 1
// when an invariant was violated.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "testsuite/sim/policy_sim.h"
#include "testsuite/sim/scenario.h"

namespace {

bool Flag(const std::string& arg, const std::string& name, std::string* value) {
  const std::string prefix = "--" + name + "=";
  if (arg.compare(0, prefix.size(), prefix) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: herd_sim --seed=N --workload=storm|swf [--ha] [--nodes=N] [--jobs=N] "
               "[--faults=0|1] [--swf=PATH] [--crashes-per-hour=R] [--disk-ignores-fsync=1] "
               "[--ctl1-clock-rate=R] [--ha-faults-per-hour=R] [--verbose]\n"
               "       herd_sim --policy=fcfs|fcfs-easy|multifactor-easy|--conf=FILE [--swf=PATH] "
               "[--window=N "
               "--windows=K] [--seed=S] [--prefill=0|1] [--cpus-per-node=C]\n");
  return 2;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "herd_sim: %s\n", what.c_str());
  return 2;
}

// The scheduler alone on a trace, with a preset policy or a herd.conf's.
int RunPolicyMode(herd::sim::PolicyOptions o, const std::string& policy, const std::string& conf,
                  std::string swf) {
  if (policy.empty() == conf.empty()) return Fail("give one of --policy and --conf");
  if (!policy.empty() && !herd::sim::PolicyPreset(policy, &o.sched, &o.priority)) {
    return Fail("unknown policy '" + policy + "' (fcfs, fcfs-easy or multifactor-easy)");
  }
  o.policy_name = policy;
  if (!conf.empty()) {
    auto cfg = herd::LoadConfig(conf);
    if (!cfg.ok()) return Fail(cfg.error().message());
    o.sched = cfg->sched;
    o.priority = cfg->priority;
    o.policy_name = cfg->scheduler_type + " from " + conf;
  }
  if (swf.empty()) swf = herd::sim::DefaultSwfPath();
  if (swf.empty()) return Fail("no trace: give --swf=PATH");
  auto trace = herd::sim::ReadSwf(swf);
  if (!trace.ok()) return Fail(trace.error().message());
  auto report = herd::sim::RunPolicy(*trace, o);
  if (!report.ok()) return Fail(report.error().message());
  std::cout << "trace " << swf << ": " << trace->jobs.size() << " jobs, " << trace->max_procs
            << " cpus\n"
            << report->Text(o, /*with_cost=*/true);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  herd::sim::ScenarioOptions o;
  herd::sim::PolicyOptions po;
  std::string policy, conf;
  bool policy_mode = false;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], v;
    // "--nodes N" as well as "--nodes=N".
    if (arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos && arg != "--verbose" &&
        arg != "--ha" && i + 1 < argc) {
      arg += std::string("=") + argv[++i];
    }
    if (arg == "--verbose" || arg == "-v") {
      verbose = true;
    } else if (arg == "--ha") {
      o.ha = true;
    } else if (Flag(arg, "ha", &v)) {
      o.ha = v != "0";
    } else if (Flag(arg, "ha-faults-per-hour", &v)) {
      o.ha_faults_per_hour = std::strtod(v.c_str(), nullptr);
    } else if (Flag(arg, "ctl1-clock-rate", &v)) {
      o.ctl1_clock_rate = std::strtod(v.c_str(), nullptr);
    } else if (Flag(arg, "seed", &v)) {
      o.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (Flag(arg, "workload", &v)) {
      o.workload = v;
    } else if (Flag(arg, "nodes", &v)) {
      o.nodes = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (Flag(arg, "jobs", &v)) {
      o.jobs = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    } else if (Flag(arg, "faults", &v)) {
      o.faults = v != "0";
    } else if (Flag(arg, "crashes-per-hour", &v)) {
      o.crashes_per_hour = std::strtod(v.c_str(), nullptr);
    } else if (Flag(arg, "disk-ignores-fsync", &v)) {
      o.disk_ignores_fsync = v != "0";  // shows that the checks catch lost commits
    } else if (Flag(arg, "swf", &v)) {
      o.swf_path = v;
    } else if (Flag(arg, "policy", &v)) {
      policy = v;
      policy_mode = true;
    } else if (Flag(arg, "conf", &v)) {
      conf = v;
      policy_mode = true;
    } else if (Flag(arg, "window", &v)) {
      po.window = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
      if (po.window == 0) return Fail("--window must be a positive number of jobs");
    } else if (Flag(arg, "windows", &v)) {
      po.windows = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
      if (po.windows == 0) return Fail("--windows must be a positive number");
    } else if (Flag(arg, "prefill", &v)) {
      po.prefill = v != "0";
    } else if (Flag(arg, "cpus-per-node", &v)) {
      po.cpus_per_node = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
      if (po.cpus_per_node == 0) return Fail("--cpus-per-node must be positive");
    } else {
      return Usage();
    }
  }
  if (policy_mode) {
    po.seed = o.seed;
    if (::isatty(2)) po.progress = &std::cerr;
    return RunPolicyMode(po, policy, conf, o.swf_path);
  }
  if (verbose) o.trace = &std::cout;
  herd::sim::ScenarioResult r = herd::sim::RunScenario(o);
  std::cout << r.summary << "\n";
  if (!r.notes.empty()) {
    std::cout << r.notes.size() << " notes:\n" << herd::sim::FormatViolations(r.notes, 50);
  }
  if (!r.ok()) {
    std::cout << r.violations.size() << " VIOLATIONS:\n"
              << herd::sim::FormatViolations(r.violations, 100);
    std::cout << "replay with: " << herd::sim::ReplayCommand(o) << " --verbose\n";
    return 1;
  }
  std::cout << "no violation\n";
  return 0;
}
