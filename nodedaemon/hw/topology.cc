// herd — hardware discovery.
#include "nodedaemon/hw/topology.h"

#include <hwloc.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::noded {
namespace {

struct TopoDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using Topo = std::unique_ptr<hwloc_topology, TopoDeleter>;

// synthetic: "" = the real machine.
Result<Topo> LoadTopology(const std::string& synthetic, bool with_io) {
  hwloc_topology_t raw;
  if (hwloc_topology_init(&raw) != 0) return Internal("hwloc_topology_init failed");
  Topo topo(raw);
  if (!synthetic.empty() && hwloc_topology_set_synthetic(raw, synthetic.c_str()) != 0) {
    return InvalidArgument("hwloc rejects the synthetic topology '" + synthetic + "'");
  }
  if (with_io) hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if (hwloc_topology_load(raw) != 0) return Internal("hwloc cannot load the topology");
  return topo;
}

uint32_t Count(hwloc_topology_t t, hwloc_obj_type_t type) {
  int n = hwloc_get_nbobjs_by_type(t, type);
  return n > 0 ? static_cast<uint32_t>(n) : 0;
}

// Shape and memory of a loaded topology.
proto::HwInventory Summarize(hwloc_topology_t t) {
  proto::HwInventory hw;
  uint32_t packages = std::max<uint32_t>(1, Count(t, HWLOC_OBJ_PACKAGE));
  uint32_t pus = Count(t, HWLOC_OBJ_PU);
  uint32_t cores = Count(t, HWLOC_OBJ_CORE);
  if (cores == 0) cores = pus;  // some virtual machines show PUs without cores
  hw.sockets = packages;
  hw.cores_per_socket = std::max<uint32_t>(1, cores / packages);
  hw.threads_per_core = std::max<uint32_t>(1, cores == 0 ? 1 : pus / cores);
  hw.cpus = pus;
  hw.numa_nodes = std::max<uint32_t>(1, Count(t, HWLOC_OBJ_NUMANODE));
  hw.memory_mb = hwloc_get_root_obj(t)->total_memory >> 20;
  hw.topology = "package:" + std::to_string(hw.sockets) +
                " core:" + std::to_string(hw.cores_per_socket) +
                " pu:" + std::to_string(hw.threads_per_core);
  return hw;
}

// GPUs and coprocessors; several OS devices of one PCI card count once.
uint32_t CountGpus(hwloc_topology_t t) {
  std::set<const void*> cards;
  for (hwloc_obj_t os = hwloc_get_next_osdev(t, nullptr); os != nullptr;
       os = hwloc_get_next_osdev(t, os)) {
    auto type = os->attr->osdev.type;
    if (type != HWLOC_OBJ_OSDEV_GPU && type != HWLOC_OBJ_OSDEV_COPROC) continue;
    hwloc_obj_t card = os;
    for (hwloc_obj_t p = os->parent; p != nullptr; p = p->parent) {
      if (p->type == HWLOC_OBJ_PCI_DEVICE) {
        card = p;
        break;
      }
    }
    cards.insert(card);
  }
  return static_cast<uint32_t>(cards.size());
}

}  // namespace

std::string SyntheticDescription(const NodeConfig& node) {
  return "package:" + std::to_string(std::max<uint32_t>(1, node.sockets)) +
         " core:" + std::to_string(std::max<uint32_t>(1, node.cores_per_socket)) +
         " pu:" + std::to_string(std::max<uint32_t>(1, node.threads_per_core));
}

uint32_t GpusFromGres(const std::string& gres) {
  uint32_t total = 0;
  for (std::string item : Split(gres, ',')) {
    item = Trim(item.substr(0, item.find('(')));  // "gpu:2(S:0-1)"
    std::vector<std::string> parts = Split(item, ':');
    if (parts.empty() || !EqualsIgnoreCase(parts[0], "gpu")) continue;
    if (parts.size() == 1) {
      total += 1;
      continue;
    }
    auto n = ParseUint(parts.back(), UINT32_MAX);
    total += n.ok() ? static_cast<uint32_t>(*n) : 1;  // "gpu:a100" = one
  }
  return total;
}

Result<proto::HwInventory> InventoryFromConfig(const NodeConfig& node) {
  std::string desc = SyntheticDescription(node);
  HERD_ASSIGN_OR_RETURN(Topo topo, LoadTopology(desc, /*with_io=*/false));
  proto::HwInventory hw = Summarize(topo.get());
  hw.memory_mb = node.real_memory_mb;
  hw.gpus = GpusFromGres(node.gres);
  hw.topology = desc + " (synthetic)";
  return hw;
}

Result<proto::HwInventory> InventoryFromHost() {
  HERD_ASSIGN_OR_RETURN(Topo topo, LoadTopology("", /*with_io=*/true));
  proto::HwInventory hw = Summarize(topo.get());
  hw.gpus = CountGpus(topo.get());
  return hw;
}

std::vector<std::string> ListNics(const std::string& sysfs_class) {
  std::set<std::string> nics;
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    std::set<std::string> seen;
    for (struct ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      // Loopback and interfaces that are down (ifb, unused ports) are not the node's NICs.
      if (a->ifa_name == nullptr || (a->ifa_flags & IFF_LOOPBACK) != 0 ||
          (a->ifa_flags & IFF_UP) == 0) {
        continue;
      }
      std::string name = a->ifa_name;
      if (name == "lo" || !seen.insert(name).second) continue;
      // ARPHRD_INFINIBAND (32) for IPoIB interfaces.
      auto type = ReadFile(sysfs_class + "/net/" + name + "/type");
      bool ib = type.ok() && Trim(*type) == "32";
      nics.insert(name + (ib ? ":ib" : ":eth"));
    }
    freeifaddrs(list);
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(sysfs_class + "/infiniband", ec)) {
    nics.insert(e.path().filename().string() + ":ib");
  }
  return {nics.begin(), nics.end()};
}

Result<proto::HwInventory> DiscoverHardware(const ClusterConfig& config, const NodeConfig& node) {
  Result<proto::HwInventory> hw = EqualsIgnoreCase(config.hardware_source, "config")
                                      ? InventoryFromConfig(node)
                                      : InventoryFromHost();
  if (!hw.ok()) return hw;
  hw->nics = ListNics();
  return hw;
}

}  // namespace herd::noded
