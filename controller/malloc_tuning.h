// herd — glibc malloc settings for herdctld, applied once at start-up.
#pragma once

namespace herd::ctld {

// Makes memory freed after bursts (submission storms, a full hqueue, a checkpoint) go back
// to the system promptly instead of staying resident. See malloc_tuning.cc for why.
void TuneMallocForController();

}  // namespace herd::ctld
