// herd — random numbers from the kernel (getrandom), for ids and tokens that must not
// repeat across processes. Not for simulations: those take a seeded generator.
#pragma once

#include <cstdint>

namespace herd {

// Never 0 (0 means "none" wherever these are used).
uint64_t RandomNonZeroU64();

}  // namespace herd
