// herd — controller: what a job array's task is told at its launch (doc/arrays.md). The array's
// pending remainder and its split into tasks are the state's (state/job.h,
// ClusterState::Apply(JobStarted)).
#pragma once

#include <string>

#include "common/proto/types.h"
#include "controller/state/job.h"

namespace herd::ctld {

// A task's launch: SLURM_ARRAY_* and HERD_ARRAY_* in its environment, %A and %a of its
// output patterns expanded (the default pattern of an array is herd-%A_%a.out).
void SetArrayTaskFields(const Job& job, proto::JobSpec* spec);

}  // namespace herd::ctld
