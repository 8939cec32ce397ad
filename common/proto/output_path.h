// herd — output file name patterns of batch jobs (-o/-e), as Slurm users know them:
//   %j job id   %x job name   %u user name   %N node name   %A job id (array master)
//   %a array task id ("0": not an array)   %s step ("batch")   %n node index   %t task
//   %% a literal '%'.  A number between '%' and the letter zero-pads numeric fields
//   ("%5j" -> "00042"). Unknown letters are kept as written.
#pragma once

#include <cstdint>
#include <string>

#include "common/proto/array_tasks.h"

namespace herd::proto {

struct OutputFields {
  uint64_t job_id = 0;
  std::string job_name;
  std::string user;
  std::string node;
  uint64_t array_job_id = 0;  // 0: not an array (%A is the job id)
  uint32_t array_task_id = kNoArrayTask;
};

inline constexpr char kDefaultOutputPattern[] = "herd-%j.out";
inline constexpr char kArrayOutputPattern[] = "herd-%A_%a.out";  // a job array's tasks

std::string ExpandOutputPattern(const std::string& pattern, const OutputFields& f);
// Only %A and %a expanded (the rest as written, "%%" included): the controller gives an
// array task's patterns to the node this way, which expands the rest.
std::string ExpandArrayFields(const std::string& pattern, uint64_t array_job_id,
                              uint32_t array_task_id);

// The file a stream goes to: the pattern (or the default; stderr falls back to the stdout
// pattern) expanded, relative to `work_dir` unless absolute.
std::string ResolveOutputPath(const std::string& pattern, const std::string& fallback_pattern,
                              const std::string& work_dir, const OutputFields& f);

}  // namespace herd::proto
