// herd — RDMA fabric presence.
#include "nodedaemon/hw/fabric.h"

#include <dirent.h>

namespace herd::noded {
namespace {

bool HasEntries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  bool any = false;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") {
      any = true;
      break;
    }
  }
  ::closedir(d);
  return any;
}

}  // namespace

bool HasRdmaFabric(const std::string& sys_root) {
  return HasEntries(sys_root + "/class/infiniband") || HasEntries(sys_root + "/class/cxi");
}

}  // namespace herd::noded
