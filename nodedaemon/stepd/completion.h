// herd — a step daemon's last duty: report the step's completion to the controller
// (doc/processes.md). The request is resent, with a fresh MUNGE credential each time and a
// backoff up to 2 s, until some controller answers; any StatusReply ends the resending
// (OK, or kNotFound/kFailedPrecondition for a run the controller has forgotten).
#pragma once

#include <string>

#include "common/config/config.h"
#include "common/proto/messages.h"

namespace herd::noded {

// Blocks until the completion is answered. `controller_addr` (from the launch request) is
// tried first, then the configured controllers. Returns at once, leaving the completion to
// herdd's spool scan, when no controller address is known at all.
void DeliverCompletion(const ClusterConfig& config, const std::string& controller_addr,
                       const proto::StepCompleteRequest& req);

}  // namespace herd::noded
