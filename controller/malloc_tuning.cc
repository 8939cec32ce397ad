// herd — glibc malloc settings for herdctld.
//
// By default glibc raises its mmap threshold each time a large mmapped block is freed (up
// to 32 MiB) and its trim threshold with it (twice that). After one full hqueue reply or
// checkpoint, multi-megabyte buffers are then carved from the main heap, and the free
// space they leave at its top is kept (below 64 MiB) rather than returned: with 10,000
// held jobs that was about half of the controller's resident memory (bench_memory.sh, per
// job: 1,548 -> 822 bytes from these two settings alone, on the job records of before).
// Fixing both thresholds turns the adjustment off: blocks of 128 KiB and more get their
// own mapping, unmapped on free, and a free top of the heap above 256 KiB is released at
// once. The server's malloc_trim() waits for more than a second without any reply or node
// message, which node heartbeats arriving more often than that (herd-local: 4 nodes, 1 s)
// never leave: malloc_info showed 8 MiB of free heap still resident after a storm.
#include "controller/malloc_tuning.h"

#include <malloc.h>

namespace herd::ctld {

void TuneMallocForController() {
  constexpr int kMmapThreshold = 128 * 1024;  // glibc's initial value, now fixed
  constexpr int kTrimThreshold = 256 * 1024;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
}

}  // namespace herd::ctld
