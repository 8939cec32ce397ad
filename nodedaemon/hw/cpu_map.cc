// herd — logical cpu -> real PU mapping.
#include "nodedaemon/hw/cpu_map.h"

#include <hwloc.h>

#include <cstdlib>
#include <set>

#include "common/base/strings.h"

namespace herd::noded {

Result<CpuMap> CpuMap::FromHost() {
  // herdd discovers the host once and hands the PU list to its step daemons: a topology
  // load reads much of /sys (about 10 ms), too slow to repeat for every job.
  if (const char* cached = std::getenv(kHostPusEnv); cached != nullptr && *cached != '\0') {
    std::vector<unsigned> pus;
    bool ok = true;
    for (const std::string& item : Split(cached, ',')) {
      auto v = ParseUint(item, 1u << 20);
      if (!v.ok()) {
        ok = false;
        break;
      }
      pus.push_back(static_cast<unsigned>(*v));
    }
    if (ok && !pus.empty()) return CpuMap(std::move(pus));
  }
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0) return Internal("hwloc_topology_init failed");
  if (hwloc_topology_load(topo) != 0) {
    hwloc_topology_destroy(topo);
    return Internal("hwloc cannot load this host's topology");
  }
  std::vector<unsigned> pus;
  int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    if (pu != nullptr) pus.push_back(pu->os_index);
  }
  hwloc_topology_destroy(topo);
  if (pus.empty()) return Internal("hwloc found no processing units");
  return CpuMap(std::move(pus));
}

std::vector<unsigned> CpuMap::RealPus(const std::vector<uint32_t>& logical) const {
  std::set<unsigned> out;
  if (pus_.empty()) return {};
  for (uint32_t c : logical) out.insert(RealPu(c));
  return {out.begin(), out.end()};
}

}  // namespace herd::noded
