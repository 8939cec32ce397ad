// herd — the host's PUs from hwloc, when herdd did not hand them down.
#include <hwloc.h>

#include "nodedaemon/hw/cpu_map.h"

namespace herd::noded {

Result<CpuMap> CpuMap::FromHost() {
  if (auto handed = FromHerdd(); handed.ok()) return handed;
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

}  // namespace herd::noded
