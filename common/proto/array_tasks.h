// herd — the task ids of a job array (hbatch --array): "0-99:3%10", "1,3,5-7%2", "7".
// Kept as a list of ranges with a step, so that the pending tasks of an array of 100,000
// cost a few bytes: the controller holds them in the array's one job record and takes
// tasks off the front as it starts them (doc/arrays.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::proto {

// A job that is no task of an array has this task id (Slurm's NO_VAL).
inline constexpr uint32_t kNoArrayTask = 0xfffffffe;

// first, first+step, ... up to last (last is one of them).
struct ArrayRange {
  uint32_t first = 0;
  uint32_t last = 0;
  uint32_t step = 1;

  bool operator==(const ArrayRange& o) const {
    return first == o.first && last == o.last && step == o.step;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& first& last& step;
  }
};

struct ArraySpec {
  std::vector<ArrayRange> ranges;  // ascending, not overlapping
  uint32_t throttle = 0;           // %N: at most N tasks at once (0: no limit)
};

// Parses --array's value. Task ids must be below `max_array_size` (MaxArraySize: Slurm's
// rule, the highest index is MaxArraySize - 1). Duplicates are merged. Error: "Invalid job
// array specification", as Slurm's.
Result<ArraySpec> ParseArraySpec(const std::string& text, uint32_t max_array_size);

// Operations on an ascending range list.
uint64_t TaskCount(const std::vector<ArrayRange>& ranges);
bool HasTask(const std::vector<ArrayRange>& ranges, uint32_t task);
// Removes one task (a range may split in two); false if it was not there.
bool RemoveTask(std::vector<ArrayRange>* ranges, uint32_t task);
// The lowest and highest task ids (ranges not empty).
uint32_t MinTask(const std::vector<ArrayRange>& ranges);
uint32_t MaxTask(const std::vector<ArrayRange>& ranges);
// The step of SLURM_ARRAY_TASK_STEP: the one step when all ranges share it and there is
// one range, else 1 (Slurm's rule for lists).
uint32_t TaskStep(const std::vector<ArrayRange>& ranges);

// As squeue prints the pending part: "5-99:3", "1,3,5-7", with "%10" when throttled.
std::string FormatTasks(const std::vector<ArrayRange>& ranges, uint32_t throttle);

}  // namespace herd::proto
