// herd heff — seff's report of one job's efficiency from its accounting record: CPU time
// used of the core-walltime it held, peak memory of the memory it held, and (herd's own
// last line) the wall time it used of its time limit. The words and number formats are
// seff's, so scripts that read seff's lines read heff's.
#pragma once

#include <cstdint>
#include <string>

#include "controller/acct/acct_record.h"

namespace herd::heff {

struct Efficiency {
  uint32_t cpus = 1;
  uint32_t nodes = 1;
  int64_t walltime_s = 0;  // elapsed: end (or now) - start
  int64_t cpu_s = 0;       // user + system CPU of the batch script and steps, rounded
  int64_t mem_kb = 0;      // the largest step's memory: its tasks' peaks summed
  int64_t alloc_mem_kb = 0;
  bool mem_per_cpu = false;
  // The step with the largest memory: its highest task's peak and the task average, when
  // the peak is one task's (a node that ran one task); 0 when not known.
  int64_t max_task_kb = 0;
  int64_t ave_task_kb = 0;
};

// The figures seff computes, from a stored job (with its steps); `now` for a running job.
Efficiency EfficiencyOf(const ctld::acct::JobRow& job, int64_t now);

// seff's report. `group`: the job's group name.
std::string FormatEfficiency(const ctld::acct::JobRow& job, const std::string& cluster,
                             const std::string& group, int64_t now);

// seff's "D-HH:MM:SS" (no day part under a day) and "12.34 GB" (0: "0.00 MB").
std::string SeffTime(int64_t seconds);
std::string SeffKbytes(double kb);

}  // namespace herd::heff
