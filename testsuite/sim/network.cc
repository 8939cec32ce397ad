// herd sim — the in-memory network.
#include "testsuite/sim/network.h"

#include <algorithm>

namespace herd::sim {

bool SimNetwork::Send(int64_t now_ms, Packet p) {
  sent_++;
  // Draw the delay first so that a lost packet consumes the same randomness.
  int64_t delay = rng_.Uniform(knobs_.min_delay_ms, knobs_.max_delay_ms);
  bool lost = rng_.Chance(knobs_.loss);
  if (lost || Blocked(p) || (drop_filter_ && drop_filter_(p))) {
    lost_++;
    return false;
  }
  int64_t& tail = link_tail_[std::make_tuple(p.kind, p.node, p.client, p.ctl, p.src, p.dst)];
  tail = std::max(tail, now_ms + std::max<int64_t>(1, delay));
  queue_.emplace(std::make_pair(tail, seq_++), std::move(p));
  return true;
}

std::vector<Packet> SimNetwork::TakeDue(int64_t now_ms) {
  std::vector<Packet> out;
  while (!queue_.empty() && queue_.begin()->first.first <= now_ms) {
    Packet p = std::move(queue_.begin()->second);
    queue_.erase(queue_.begin());
    if (Blocked(p)) {
      lost_++;
      continue;
    }
    out.push_back(std::move(p));
  }
  return out;
}

int64_t SimNetwork::NextDueMs() const {
  return queue_.empty() ? INT64_MAX : queue_.begin()->first.first;
}

bool SimNetwork::Blocked(const Packet& p) const {
  if (p.node != kNoNode && IsCut(p.node)) return true;
  if (p.kind == PacketKind::kToVoter || p.kind == PacketKind::kFromVoter) {
    return IsIsolated(p.src) || IsIsolated(p.dst);
  }
  return IsIsolated(static_cast<int>(p.ctl));
}

size_t SimNetwork::DropIf(const std::function<bool(const Packet&)>& gone) {
  size_t n = 0;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (gone(it->second)) {
      it = queue_.erase(it);
      n++;
    } else {
      ++it;
    }
  }
  lost_ += n;
  return n;
}

size_t SimNetwork::DropToVoter(int voter) {
  return DropIf([voter](const Packet& p) {
    return (p.kind == PacketKind::kToVoter && p.dst == voter) ||
           (p.kind == PacketKind::kFromVoter && p.src == voter);
  });
}

size_t SimNetwork::DropToController(size_t ctl) {
  return DropToVoter(static_cast<int>(ctl)) + DropIf([ctl](const Packet& p) {
           return (p.kind == PacketKind::kToController || p.kind == PacketKind::kFromNode) &&
                  p.ctl == ctl;
         });
}

void SimNetwork::SetIsolated(int voter, bool isolated) {
  if (isolated) {
    isolated_.insert(voter);
  } else {
    isolated_.erase(voter);
  }
}

void SimNetwork::SetCut(size_t node, bool cut) {
  if (cut) {
    cut_.insert(node);
  } else {
    cut_.erase(node);
  }
}

}  // namespace herd::sim
