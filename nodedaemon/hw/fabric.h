// herd — whether this node has a high-speed (RDMA) fabric adapter: InfiniBand, RoCE,
// Omni-Path, TrueScale, EFA (all under /sys/class/infiniband) or Slingshot (/sys/class/cxi).
#pragma once

#include <string>

namespace herd::noded {

// `sys_root` is "/sys" except in tests.
bool HasRdmaFabric(const std::string& sys_root = "/sys");

}  // namespace herd::noded
