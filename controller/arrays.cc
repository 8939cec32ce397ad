// herd — controller: job array tasks at launch.
#include "controller/arrays.h"

#include <limits>
#include <vector>

#include "common/proto/array_tasks.h"
#include "common/proto/output_path.h"

namespace herd::ctld {

void SetArrayTaskFields(const Job& job, proto::JobSpec* spec) {
  // The array as submitted (its pending remainder shrinks as tasks start).
  auto whole = proto::ParseArraySpec(job.spec.array, std::numeric_limits<uint32_t>::max());
  std::vector<proto::ArrayRange> ranges;
  if (whole.ok()) ranges = std::move(whole->ranges);
  if (ranges.empty()) ranges.push_back({job.array_task_id, job.array_task_id, 1});
  const std::pair<const char*, std::string> vars[] = {
      {"ARRAY_JOB_ID", std::to_string(job.array_job_id)},
      {"ARRAY_TASK_ID", std::to_string(job.array_task_id)},
      {"ARRAY_TASK_COUNT", std::to_string(proto::TaskCount(ranges))},
      {"ARRAY_TASK_MIN", std::to_string(proto::MinTask(ranges))},
      {"ARRAY_TASK_MAX", std::to_string(proto::MaxTask(ranges))},
      {"ARRAY_TASK_STEP", std::to_string(proto::TaskStep(ranges))},
  };
  for (const char* prefix : {"SLURM_", "HERD_"}) {
    for (const auto& [name, value] : vars) spec->env.push_back(prefix + (name + ("=" + value)));
  }
  if (spec->stdout_pattern.empty()) spec->stdout_pattern = proto::kArrayOutputPattern;
  spec->stdout_pattern =
      proto::ExpandArrayFields(spec->stdout_pattern, job.array_job_id, job.array_task_id);
  spec->stderr_pattern =
      proto::ExpandArrayFields(spec->stderr_pattern, job.array_job_id, job.array_task_id);
}

}  // namespace herd::ctld
