// herd — what hardware this node reports at registration (proto::HwInventory): sockets,
// cores, PUs, NUMA nodes and memory from hwloc (or, with HardwareSource=config, from a
// synthetic hwloc topology built from the node's configuration), GPUs from hwloc OS
// devices, network interfaces from getifaddrs and /sys/class/infiniband.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/types.h"

namespace herd::noded {

// "package:S core:C pu:T" for a configured node.
std::string SyntheticDescription(const NodeConfig& node);

// Loads a synthetic topology and reports it; memory is the node's RealMemory, GPUs the
// count in its Gres ("gpu:2", "gpu:a100:2").
Result<proto::HwInventory> InventoryFromConfig(const NodeConfig& node);
// This host's real hardware.
Result<proto::HwInventory> InventoryFromHost();

// Network interfaces that are up, except loopback: "name:eth" or "name:ib"; plus InfiniBand HCAs
// under `<sysfs_class>/infiniband` as "mlx5_0:ib". Sorted, without duplicates.
std::vector<std::string> ListNics(const std::string& sysfs_class = "/sys/class");

// The GPU count in a Gres string; 0 when it names none.
uint32_t GpusFromGres(const std::string& gres);

// HardwareSource=config -> InventoryFromConfig, else InventoryFromHost; NICs added.
Result<proto::HwInventory> DiscoverHardware(const ClusterConfig& config, const NodeConfig& node);

}  // namespace herd::noded
