// herd_sim — runs one deterministic simulation and prints its event trace and summary:
//   herd_sim --seed=N --workload=storm|swf [--ha] [--nodes=N] [--jobs=N] [--faults=0]
//            [--verbose] [--swf=PATH] [--crashes-per-hour=R] [--disk-ignores-fsync=1]
//            [--ctl1-clock-rate=R] [--ha-faults-per-hour=R]
// --ha simulates the controller pair with a witness.
// The same arguments replay the same run exactly (a failing test prints them). Exit code 1
// when an invariant was violated.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

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
               "[--ctl1-clock-rate=R] [--ha-faults-per-hour=R] [--verbose]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  herd::sim::ScenarioOptions o;
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
    } else {
      return Usage();
    }
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
