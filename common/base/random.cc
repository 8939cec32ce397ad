// herd — kernel randomness.
#include "common/base/random.h"

#include <sys/random.h>
#include <unistd.h>

#include <chrono>

namespace herd {

uint64_t RandomNonZeroU64() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    // No entropy source (very old kernel): time and pid still differ between processes.
    v = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
        (static_cast<uint64_t>(::getpid()) << 40);
  }
  return v == 0 ? 1 : v;
}

}  // namespace herd
