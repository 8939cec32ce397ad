// herd fuzz — the cluster of the state harnesses.
#include "testsuite/fuzz/state_config.h"

#include <cstdio>
#include <cstdlib>

namespace herd::fuzz {

const ClusterConfig& StateConfig() {
  static const ClusterConfig config = [] {
    auto c = ParseConfig(
        "ClusterName=fuzz\nControllerHost=ctl1(127.0.0.1:7000)\nStateDir=/nonexistent\n"
        "NodeName=n[1-4] NodeAddr=127.0.0.1 Port=7101-7104 CPUs=4 RealMemory=2000\n"
        "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n"
        "PartitionName=short Nodes=n1 MaxTime=10 State=UP\n",
        "fuzz.conf");
    if (!c.ok()) {
      std::fprintf(stderr, "fuzz.conf: %s\n", c.error().message().c_str());
      std::abort();
    }
    return *c;
  }();
  return config;
}

}  // namespace herd::fuzz
