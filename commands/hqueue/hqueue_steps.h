// herd hqueue — `hqueue -s/--steps`: job steps, as `squeue -s` prints them
// (default "%.15i %.8j %.9P %.8u %.9M %N": STEPID NAME PARTITION USER TIME NODELIST).
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/step_messages.h"

namespace herd::hqueue {

inline constexpr char kDefaultStepFormat[] = "%.15i %.8j %.9P %.8u %.9M %N";

// Codes: %i step id (JOB.STEP), %j name, %P partition, %u user, %M time used, %N nodes,
// %A tasks, %T state.
Result<std::string> RenderSteps(const std::vector<proto::StepInfo>& steps, int64_t now,
                                const std::string& format, bool header);

}  // namespace herd::hqueue
