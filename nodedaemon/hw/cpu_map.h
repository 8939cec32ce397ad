// herd — from a node's logical cpu ids (what the controller allocates) to the real
// processing units of this host (what sched_setaffinity takes). A node with a synthetic
// topology may have more cpus than the host: logical cpu i maps to real PU (i mod n), so
// binding still spreads the job the way the allocation says.
#pragma once

#include <cstdint>
#include <vector>

#include "common/base/status.h"

namespace herd::noded {

// Set by herdd for its step daemons: the host's PU list ("0,1,2,3"), so they need not
// load the topology again.
inline constexpr char kHostPusEnv[] = "HERD_HOST_PUS";

class CpuMap {
 public:
  // `real_pus`: OS indexes of the host's usable PUs, in hwloc's logical order.
  explicit CpuMap(std::vector<unsigned> real_pus) : pus_(std::move(real_pus)) {}

  // The PUs this process may run on: the list herdd handed down (kHostPusEnv), else
  // hwloc's view of the real machine (cpu_map_hwloc.cc).
  static Result<CpuMap> FromHost();
  // Only the list herdd handed down; no hwloc (what herdstepd-batch links).
  static Result<CpuMap> FromHerdd();

  const std::vector<unsigned>& real_pus() const { return pus_; }
  bool empty() const { return pus_.empty(); }
  // Real PU of one logical cpu (requires !empty()).
  unsigned RealPu(uint32_t logical) const { return pus_[logical % pus_.size()]; }
  // Real PUs of a set of logical cpus: ascending, without duplicates.
  std::vector<unsigned> RealPus(const std::vector<uint32_t>& logical) const;

 private:
  std::vector<unsigned> pus_;
};

}  // namespace herd::noded
