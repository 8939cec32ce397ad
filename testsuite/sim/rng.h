// herd sim — the one source of randomness of a simulation: a seeded mt19937_64 with
// hand-written helpers, so that a seed gives the same run with any standard library
// (the std:: distributions are implementation-defined).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace herd::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}

  uint64_t Next() { return gen_(); }
  // Uniform in [lo, hi] (hi >= lo).
  int64_t Uniform(int64_t lo, int64_t hi) {
    uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return span == 0 ? lo + static_cast<int64_t>(Next()) : lo + static_cast<int64_t>(Next() % span);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  bool Chance(double p) { return p > 0 && Unit() < p; }
  // Exponentially distributed wait for a process of `rate_per_ms` events per ms.
  int64_t ExpMs(double rate_per_ms) {
    if (rate_per_ms <= 0) return INT64_MAX / 4;
    double wait = -std::log(1.0 - Unit()) / rate_per_ms;
    return wait > 1e15 ? INT64_MAX / 4 : static_cast<int64_t>(wait) + 1;
  }
  template <class T>
  const T& Pick(const std::initializer_list<T>& items) {
    return *(items.begin() + Uniform(0, static_cast<int64_t>(items.size()) - 1));
  }

 private:
  std::mt19937_64 gen_;
};

}  // namespace herd::sim
