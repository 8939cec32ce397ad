// herd — per-peer rate limit of refusal log lines.
#include "common/base/log_limit.h"

#include <chrono>

#include "common/base/log.h"

namespace herd {

PeerLogLimiter::PeerLogLimiter(uint32_t burst, int64_t window_ms, size_t max_peers)
    : burst_(burst), window_ms_(window_ms), max_peers_(max_peers) {}

std::string PeerLogLimiter::Summary(const std::string& peer, const Window& w,
                                    int64_t now_ms) const {
  const int64_t s = (std::min(now_ms - w.start_ms, window_ms_) + 999) / 1000;
  return std::to_string(w.left_out) + " more refused from " + peer + " in the last " +
         std::to_string(s) + " s";
}

bool PeerLogLimiter::Admit(const std::string& peer, int64_t now_ms) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) {
    if (peers_.size() >= max_peers_) {
      // Make room from windows that ended; else count it with the other peers.
      for (auto& line : TakeSummaries(now_ms)) ready_.push_back(std::move(line));
    }
    const std::string key = peers_.size() >= max_peers_ ? std::string("other peers") : peer;
    it = peers_.emplace(key, Window{now_ms, 0, 0}).first;
  }
  Window& w = it->second;
  if (now_ms - w.start_ms >= window_ms_) {
    if (w.left_out > 0) ready_.push_back(Summary(it->first, w, now_ms));
    w = Window{now_ms, 0, 0};
  }
  if (w.logged < burst_) {
    w.logged++;
    return true;
  }
  w.left_out++;
  return false;
}

std::vector<std::string> PeerLogLimiter::TakeSummaries(int64_t now_ms) {
  std::vector<std::string> out;
  out.swap(ready_);
  for (auto it = peers_.begin(); it != peers_.end();) {
    const Window& w = it->second;
    if (now_ms - w.start_ms < window_ms_) {
      ++it;
      continue;
    }
    if (w.left_out > 0) out.push_back(Summary(it->first, w, now_ms));
    it = peers_.erase(it);  // a peer that comes back starts a new window
  }
  return out;
}

void PeerLogLimiter::Warn(const std::string& peer, int64_t now_ms, const std::string& text) {
  if (Admit(peer, now_ms)) HERD_LOG(Warning) << text << " (from " << peer << ")";
}

void PeerLogLimiter::LogSummaries(int64_t now_ms) {
  if ((peers_.empty() && ready_.empty()) || now_ms < next_sweep_ms_) return;
  next_sweep_ms_ = now_ms + 1000;  // a look at most every second
  for (const std::string& line : TakeSummaries(now_ms)) HERD_LOG(Warning) << line;
}

int64_t MonotonicNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace herd
