// herd — where a job step's tasks go inside the job's allocation: which nodes, which
// ranks on each node (block or cyclic across nodes), and which of the job's cpus on each
// node (not those of other running steps, unless the steps overlap). Pure.
#pragma once

#include <vector>

#include "common/base/status.h"
#include "common/proto/step_messages.h"
#include "controller/state/job.h"

namespace herd::ctld {

// kResourceExhausted: the cpus are held by other steps now (retry later);
// kFailedPrecondition: the allocation can never hold this step.
Result<std::vector<proto::StepNode>> PlaceStep(const Job& job, const proto::StepSpec& spec);

}  // namespace herd::ctld
