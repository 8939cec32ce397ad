// herd sim — fault injection: controller crashes at random moments (between loop
// iterations, between handling requests and committing them, between the commit and the
// replies), with the loss of job blobs written since the last checkpoint; node deaths
// (power off: the node's jobs die; it boots again later) and node cuts (unreachable, its
// jobs keep running); packet loss. With two controllers also: a crash of either one, a
// crash of the witness, a pause of a controller (SIGSTOP: nothing runs, what reaches it
// waits, and its output of the moment may be held until it resumes), and a network
// partition isolating one voter. Faults are Poisson processes drawn from the world's
// seed; Heal() ends them all so that liveness can be judged.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "testsuite/sim/world.h"

namespace herd::sim {

struct FaultOptions {
  double controller_crashes_per_hour = 6;
  double node_deaths_per_hour = 3;
  double node_cuts_per_hour = 2;
  double loss = 0.01;               // packet loss while faults are on
  bool lose_unsynced_blobs = true;  // a crash may lose blobs written since the checkpoint
  int64_t max_controller_down_ms = 15000;
  int64_t until_ms = 0;  // no new fault after this
  // Two controllers (ignored with one).
  double witness_crashes_per_hour = 0;
  double pauses_per_hour = 0;
  int64_t max_pause_ms = 8000;
  double partitions_per_hour = 0;  // one voter isolated at a time
  int64_t max_partition_ms = 30000;
};

// Fault options drawn from the seed: a mix of mild and harsh runs.
FaultOptions RandomFaults(Rng& rng, int64_t until_ms);
// The same, with the faults of a controller pair.
FaultOptions RandomHaFaults(Rng& rng, int64_t until_ms);

class FaultInjector : public Actor {
 public:
  FaultInjector(World& world, const FaultOptions& o);
  int64_t NextActionMs() const override;
  void Act() override;
  // No new faults; every node is powered and reachable; no more packet loss.
  void Heal();
  std::string Summary() const;

 private:
  enum class NodeFault : uint8_t { kDead, kCut };
  struct Down {
    NodeFault fault = NodeFault::kDead;
    int64_t back_at_ms = 0;
  };
  void Restore(size_t node, const Down& d);
  bool PickHealthyNode(size_t* node);
  void HaFaults(int64_t now);

  World& world_;
  FaultOptions o_;
  bool on_ = true;
  int64_t next_crash_ms_ = INT64_MAX;
  int64_t next_death_ms_ = INT64_MAX;
  int64_t next_cut_ms_ = INT64_MAX;
  std::map<size_t, Down> down_;  // nodes currently dead or cut
  int64_t next_witness_crash_ms_ = INT64_MAX;
  int64_t next_pause_ms_ = INT64_MAX;
  int64_t next_partition_ms_ = INT64_MAX;
  int isolated_ = -1;  // the voter cut off now
  int64_t partition_ends_ms_ = INT64_MAX;
  uint32_t witness_crashes_ = 0;
  uint32_t pauses_ = 0;
  uint32_t partitions_ = 0;
  uint32_t crashes_ = 0;
  uint32_t deaths_ = 0;
  uint32_t cuts_ = 0;
};

}  // namespace herd::sim
