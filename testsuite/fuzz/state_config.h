// herd fuzz — the cluster the state harnesses replay journals and checkpoints into.
#pragma once

#include "common/config/config.h"

namespace herd::fuzz {

// Four nodes n[1-4] of 4 cpus, partitions "debug" (all, default) and "short" (n1).
const ClusterConfig& StateConfig();

}  // namespace herd::fuzz
