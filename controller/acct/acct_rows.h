// herd — the accounting rows of a job, its steps and a node's state change, as the
// controller's state has them now.
#pragma once

#include <vector>

#include "controller/acct/acct_record.h"
#include "controller/state/events.h"
#include "controller/state/job.h"

namespace herd::ctld::acct {

JobRow JobRowOf(const Job& j);
std::vector<StepRow> StepRowsOf(const Job& j);
// "DOWN", "DRAIN", "DOWN+DRAIN" from the change's time; "UP" closes what was open.
NodeEventRow NodeEventOf(const std::string& node, const NodeChange& c);

}  // namespace herd::ctld::acct
