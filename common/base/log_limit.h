// herd — logging refused messages without letting one peer flood the log: each peer may
// have `burst` lines per `window`; what it sends beyond is counted and summed up in one
// line ("N more refused from PEER in the last T s") once its window ends. Not
// thread-safe: one per daemon loop. Time comes from the caller (tests pass their own).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace herd {

class PeerLogLimiter {
 public:
  // `max_peers`: peers tracked one by one; beyond, the rest share one entry ("other peers"),
  // so that many sources cannot make the limiter itself grow.
  explicit PeerLogLimiter(uint32_t burst = 5, int64_t window_ms = 10000, size_t max_peers = 1024);

  // True when a line about `peer` may be logged now; false when it is only counted.
  bool Admit(const std::string& peer, int64_t now_ms);
  // The summary lines of windows that ended with lines left out (each said once).
  std::vector<std::string> TakeSummaries(int64_t now_ms);
  // Admit() and, when admitted, a warning "<text> (from PEER)"; TakeSummaries() logged as
  // warnings every time (cheap when there is nothing to say).
  void Warn(const std::string& peer, int64_t now_ms, const std::string& text);
  void LogSummaries(int64_t now_ms);

 private:
  struct Window {
    int64_t start_ms = 0;
    uint32_t logged = 0;
    uint64_t left_out = 0;
  };
  std::string Summary(const std::string& peer, const Window& w, int64_t now_ms) const;

  uint32_t burst_;
  int64_t window_ms_;
  size_t max_peers_;
  std::map<std::string, Window> peers_;
  std::vector<std::string> ready_;  // summaries of windows closed by Admit()
  int64_t next_sweep_ms_ = 0;
};

// Milliseconds of a monotonic clock, for daemons without an injected Clock.
int64_t MonotonicNowMs();

}  // namespace herd
