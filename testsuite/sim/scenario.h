// herd sim — one whole simulation from a seed and a workload name, as both the gtest
// suite and herd_sim run it: build the world, start the workload and the faults, run
// until the workload is done and the faults are over, heal, then run until every job has
// ended (liveness, with a generous virtual deadline).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "testsuite/sim/invariants.h"

namespace herd::sim {

struct ScenarioOptions {
  uint64_t seed = 1;
  std::string workload = "storm";  // storm | swf
  uint32_t nodes = 0;              // 0: the workload's default (storm 8, swf 16)
  uint32_t jobs = 0;               // 0: the workload's default (storm 40, swf 300)
  bool faults = true;
  std::string swf_path;             // swf: the trace
  std::ostream* trace = nullptr;    // the event trace, when wanted
  bool disk_ignores_fsync = false;  // self-test of the checks: a disk that loses commits
  double crashes_per_hour = 0;      // controller crash rate; 0: drawn from the seed
  bool ha = false;                  // two controllers and a witness, with their faults
  // Self-test of the HA checks: ctl1's clock runs at this rate, so that it overstays its
  // lease (1: a correct clock).
  double ctl1_clock_rate = 1.0;
  // With `ha`: rate of controller pauses and of voter partitions each; 0: from the seed.
  double ha_faults_per_hour = 0;
};

struct ScenarioResult {
  std::vector<Violation> violations;
  std::vector<Violation> notes;
  std::string summary;
  int64_t virtual_ms = 0;
  uint64_t steps = 0;
  bool ok() const { return violations.empty(); }
};

ScenarioResult RunScenario(const ScenarioOptions& o);

// "herd_sim --seed=N --workload=... [--ha] [--nodes=N] [--jobs=N] [--faults=0]".
std::string ReplayCommand(const ScenarioOptions& o);

// "  t=12.345s what" lines.
std::string FormatViolations(const std::vector<Violation>& v, size_t max_lines = 20);

// The SWF trace in HERD_SIM_WORKLOADS_DIR (a CMake option), "" when none is configured.
std::string DefaultSwfPath();

}  // namespace herd::sim
