// herd — associations shared by the controller and hacctmgr (assoc.h).
#include "common/proto/assoc.h"

#include "common/base/strings.h"

namespace herd::proto {

std::string FormatTres(const TresMap& tres) {
  std::vector<std::string> parts;
  auto put = [&](const std::string& name) {
    auto it = tres.find(name);
    if (it == tres.end()) return;
    std::string v = std::to_string(it->second);
    if (name == "mem") {
      int64_t mb = it->second;
      const char* unit = "M";
      if (mb != 0 && mb % (1024 * 1024) == 0) {
        mb /= 1024 * 1024;
        unit = "T";
      } else if (mb != 0 && mb % 1024 == 0) {
        mb /= 1024;
        unit = "G";
      }
      v = std::to_string(mb) + unit;
    }
    parts.push_back(name + "=" + v);
  };
  put("cpu");
  put("mem");
  put("node");
  for (const auto& [name, n] : tres) {
    if (name != "cpu" && name != "mem" && name != "node") put(name);
  }
  return Join(parts, ",");
}

}  // namespace herd::proto
