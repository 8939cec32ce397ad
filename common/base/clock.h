// herd — time, behind an interface so the controller core can run on simulated time.
#pragma once

#include <cstdint>

namespace herd {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowSeconds() const = 0;   // wall clock, unix seconds (display, records)
  virtual int64_t MonotonicMs() const = 0;  // for timeouts
};

class SystemClock : public Clock {
 public:
  int64_t NowSeconds() const override;
  int64_t MonotonicMs() const override;
};

// Set by hand; for tests and the simulator.
class ManualClock : public Clock {
 public:
  int64_t NowSeconds() const override { return now_s_; }
  int64_t MonotonicMs() const override { return mono_ms_; }
  void Advance(int64_t ms) {
    mono_ms_ += ms;
    now_s_ = base_s_ + mono_ms_ / 1000;
  }
  void SetBase(int64_t unix_s) {
    base_s_ = unix_s;
    now_s_ = base_s_ + mono_ms_ / 1000;
  }

 private:
  int64_t base_s_ = 1767225600;  // 2026-01-01
  int64_t now_s_ = 1767225600;
  int64_t mono_ms_ = 0;
};

}  // namespace herd
