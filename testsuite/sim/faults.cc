// herd sim — fault injection.
#include "testsuite/sim/faults.h"

#include <sstream>

namespace herd::sim {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;

}  // namespace

FaultOptions RandomFaults(Rng& rng, int64_t until_ms) {
  FaultOptions o;
  o.controller_crashes_per_hour = rng.Pick({2.0, 6.0, 20.0});
  o.node_deaths_per_hour = rng.Pick({0.0, 3.0, 10.0});
  o.node_cuts_per_hour = rng.Pick({0.0, 2.0, 6.0});
  o.loss = rng.Pick({0.0, 0.01, 0.05});
  o.lose_unsynced_blobs = rng.Chance(0.5);
  o.until_ms = until_ms;
  return o;
}

FaultOptions RandomHaFaults(Rng& rng, int64_t until_ms) {
  FaultOptions o = RandomFaults(rng, until_ms);
  o.witness_crashes_per_hour = rng.Pick({0.0, 4.0, 12.0});
  o.pauses_per_hour = rng.Pick({2.0, 8.0, 30.0});
  o.partitions_per_hour = rng.Pick({2.0, 8.0, 30.0});
  return o;
}

FaultInjector::FaultInjector(World& world, const FaultOptions& o) : world_(world), o_(o) {
  Rng& rng = world_.rng();
  const int64_t now = world_.NowMs();
  next_crash_ms_ = now + rng.ExpMs(o_.controller_crashes_per_hour / kMsPerHour);
  next_death_ms_ = now + rng.ExpMs(o_.node_deaths_per_hour / kMsPerHour);
  next_cut_ms_ = now + rng.ExpMs(o_.node_cuts_per_hour / kMsPerHour);
  if (world_.is_ha()) {
    next_witness_crash_ms_ = now + rng.ExpMs(o_.witness_crashes_per_hour / kMsPerHour);
    next_pause_ms_ = now + rng.ExpMs(o_.pauses_per_hour / kMsPerHour);
    next_partition_ms_ = now + rng.ExpMs(o_.partitions_per_hour / kMsPerHour);
  }
  LinkKnobs links = world_.network().knobs();
  links.loss = o_.loss;
  world_.network().set_knobs(links);
}

int64_t FaultInjector::NextActionMs() const {
  int64_t next = INT64_MAX;
  for (const auto& [node, d] : down_) next = std::min(next, d.back_at_ms);
  next = std::min(next, partition_ends_ms_);
  if (!on_) return next;
  int64_t fault = std::min({next_crash_ms_, next_death_ms_, next_cut_ms_, next_witness_crash_ms_,
                            next_pause_ms_, next_partition_ms_});
  return std::min(next, fault < o_.until_ms ? fault : INT64_MAX);
}

bool FaultInjector::PickHealthyNode(size_t* node) {
  const size_t n = world_.num_nodes();
  if (down_.size() * 2 >= n) return false;  // keep at least half of the cluster
  for (int tries = 0; tries < 16; ++tries) {
    size_t i = static_cast<size_t>(world_.rng().Uniform(0, static_cast<int64_t>(n) - 1));
    if (!down_.count(i)) {
      *node = i;
      return true;
    }
  }
  return false;
}

void FaultInjector::Restore(size_t node, const Down& d) {
  if (d.fault == NodeFault::kDead) {
    world_.PowerOn(node);
  } else {
    world_.SetNodeCut(node, false);
  }
}

void FaultInjector::Act() {
  Rng& rng = world_.rng();
  const int64_t now = world_.NowMs();
  for (auto it = down_.begin(); it != down_.end();) {
    if (it->second.back_at_ms > now) {
      ++it;
      continue;
    }
    Restore(it->first, it->second);
    it = down_.erase(it);
  }
  if (isolated_ >= 0 && partition_ends_ms_ <= now) {
    world_.IsolateVoter(isolated_, false);
    isolated_ = -1;
    partition_ends_ms_ = INT64_MAX;
  }
  if (!on_ || now >= o_.until_ms) return;
  if (next_crash_ms_ <= now) {
    next_crash_ms_ = now + rng.ExpMs(o_.controller_crashes_per_hour / kMsPerHour);
    auto point = static_cast<CrashPoint>(rng.Uniform(0, 2));
    int64_t down = rng.Uniform(200, o_.max_controller_down_ms);
    size_t ctl = world_.is_ha() ? static_cast<size_t>(rng.Uniform(0, 1)) : 0;
    if (world_.controller_up(ctl)) {
      crashes_++;
      world_.CrashController(ctl, point, down, o_.lose_unsynced_blobs);
    }
  }
  if (world_.is_ha()) HaFaults(now);
  size_t node = 0;
  if (next_death_ms_ <= now) {
    next_death_ms_ = now + rng.ExpMs(o_.node_deaths_per_hour / kMsPerHour);
    if (PickHealthyNode(&node)) {
      deaths_++;
      world_.PowerOff(node);
      down_[node] = {NodeFault::kDead, now + rng.Uniform(5000, 180000)};
    }
  }
  if (next_cut_ms_ <= now) {
    next_cut_ms_ = now + rng.ExpMs(o_.node_cuts_per_hour / kMsPerHour);
    if (PickHealthyNode(&node)) {
      cuts_++;
      world_.SetNodeCut(node, true);
      down_[node] = {NodeFault::kCut, now + rng.Uniform(2000, 90000)};
    }
  }
}

void FaultInjector::HaFaults(int64_t now) {
  Rng& rng = world_.rng();
  if (next_witness_crash_ms_ <= now) {
    next_witness_crash_ms_ = now + rng.ExpMs(o_.witness_crashes_per_hour / kMsPerHour);
    int64_t down = rng.Uniform(200, o_.max_controller_down_ms);
    if (world_.witness_up()) {
      witness_crashes_++;
      world_.CrashWitness(down);
    }
  }
  if (next_pause_ms_ <= now) {
    next_pause_ms_ = now + rng.ExpMs(o_.pauses_per_hour / kMsPerHour);
    size_t ctl = static_cast<size_t>(rng.Uniform(0, 1));
    auto point = static_cast<PausePoint>(rng.Uniform(0, 1));
    int64_t ms = rng.Uniform(100, o_.max_pause_ms);
    if (world_.controller_up(ctl) && !world_.controller_paused(ctl)) {
      pauses_++;
      world_.PauseController(ctl, point, ms);
    }
  }
  if (next_partition_ms_ <= now) {
    next_partition_ms_ = now + rng.ExpMs(o_.partitions_per_hour / kMsPerHour);
    const int voters = static_cast<int>(world_.num_controllers()) + (world_.has_witness() ? 1 : 0);
    int voter = static_cast<int>(rng.Uniform(0, voters - 1));
    int64_t ms = rng.Uniform(500, o_.max_partition_ms);
    if (isolated_ < 0) {
      partitions_++;
      isolated_ = voter;
      partition_ends_ms_ = now + ms;
      world_.IsolateVoter(voter, true);
    }
  }
}

void FaultInjector::Heal() {
  on_ = false;
  if (isolated_ >= 0) world_.IsolateVoter(isolated_, false);
  isolated_ = -1;
  partition_ends_ms_ = INT64_MAX;
  for (const auto& [node, d] : down_) Restore(node, d);
  down_.clear();
  LinkKnobs links = world_.network().knobs();
  links.loss = 0;
  world_.network().set_knobs(links);
  world_.Trace("faults healed");
}

std::string FaultInjector::Summary() const {
  std::ostringstream s;
  s << "faults: " << crashes_ << " controller crashes (" << o_.controller_crashes_per_hour
    << "/h), " << deaths_ << " node deaths (" << o_.node_deaths_per_hour << "/h), " << cuts_
    << " node cuts (" << o_.node_cuts_per_hour << "/h), loss " << o_.loss
    << (o_.lose_unsynced_blobs ? ", unsynced blobs lost on crash" : "");
  if (world_.is_ha()) {
    s << "; " << witness_crashes_ << " witness crashes (" << o_.witness_crashes_per_hour << "/h), "
      << pauses_ << " controller pauses (" << o_.pauses_per_hour << "/h), " << partitions_
      << " voter partitions (" << o_.partitions_per_hour << "/h)";
  }
  return s.str();
}

}  // namespace herd::sim
