// herd — logical cpu -> real PU mapping.
#include "nodedaemon/hw/cpu_map.h"

#include <cstdlib>
#include <set>
#include <string>

#include "common/base/strings.h"

namespace herd::noded {

Result<CpuMap> CpuMap::FromHerdd() {
  // herdd discovers the host once and hands the PU list to its step daemons: a topology
  // load reads much of /sys (about 10 ms), too slow to repeat for every job.
  const char* cached = std::getenv(kHostPusEnv);
  if (cached == nullptr || *cached == '\0') {
    return NotFound(std::string(kHostPusEnv) + " is not set (herdd sets it for its steps)");
  }
  std::vector<unsigned> pus;
  for (const std::string& item : Split(cached, ',')) {
    auto v = ParseUint(item, 1u << 20);
    if (!v.ok()) return InvalidArgument(std::string("malformed ") + kHostPusEnv + ": " + cached);
    pus.push_back(static_cast<unsigned>(*v));
  }
  return CpuMap(std::move(pus));
}

std::vector<unsigned> CpuMap::RealPus(const std::vector<uint32_t>& logical) const {
  std::set<unsigned> out;
  if (pus_.empty()) return {};
  for (uint32_t c : logical) out.insert(RealPu(c));
  return {out.begin(), out.end()};
}

}  // namespace herd::noded
