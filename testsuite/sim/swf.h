// herd sim — replay of a trace in the Standard Workload Format (Feitelson's Parallel
// Workloads Archive): one job per line, 18 whitespace-separated fields, header comments
// starting with ';' (MaxNodes, MaxProcs, ...). A window of the trace is mapped onto the
// simulated cluster: processors scale by the cluster's cpus over the trace's machine size,
// and time (arrivals and run times alike, so the offered load is kept) is compressed so
// that the window's arrivals span a bounded virtual time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "testsuite/sim/workloads.h"

namespace herd::sim {

struct SwfJob {
  int64_t number = 0;
  int64_t submit_s = 0;     // field 2
  int64_t run_s = 0;        // field 4
  int64_t procs = 0;        // field 8 (requested), else field 5 (allocated)
  int64_t req_time_s = -1;  // field 9
  int64_t user = -1;        // field 12
};

struct SwfTrace {
  int64_t max_procs = 0;     // header MaxProcs, else MaxNodes, else the largest job
  std::vector<SwfJob> jobs;  // usable jobs (run time and processors known), in file order
};

Result<SwfTrace> ReadSwf(const std::string& path);
// The same from the text of a trace; `origin` names it in errors ("<origin>:<line>: ...").
Result<SwfTrace> ParseSwf(const std::string& text, const std::string& origin);

struct SwfOptions {
  std::string path;
  uint32_t first = 0;                    // index of the first job of the window
  uint32_t jobs = 300;                   // window size
  int64_t target_span_ms = 3600 * 1000;  // the window's arrivals after compression
};

class SwfWorkload : public JobClients {
 public:
  // `trace` must outlive nothing: the plans are built at once.
  SwfWorkload(World& world, const SwfTrace& trace, const SwfOptions& o);
  int64_t DeadlineMs() const override { return deadline_ms_; }
  // Jobs, makespan, utilization, waits, from what the nodes really ran.
  std::string Summary() const override;

 private:
  struct Made {
    std::vector<Plan> plans;
    double scale = 1;
    int64_t deadline_ms = 0;
  };
  SwfWorkload(World& world, Made made);
  static Made MakePlans(World& world, const SwfTrace& trace, const SwfOptions& o);
  double scale_;  // trace seconds per virtual second
  int64_t deadline_ms_;
  uint32_t total_cpus_ = 0;
};

}  // namespace herd::sim
