// herd fuzz — hinfo's command line (one word per input line), rendered (-o formats, -N,
// -R, -s) over two nodes of one partition.
#include <cstddef>
#include <cstdint>

#include "commands/hinfo/hinfo_format.h"
#include "commands/hinfo/hinfo_options.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  auto o = hinfo::ParseHinfoArgs(fuzz::SplitArgs(fuzz::AsString(data, size)));
  if (!o.ok()) return 0;
  proto::NodeInfo n1;
  n1.name = "n1";
  n1.cpus = 4;
  n1.partitions = {"debug"};
  proto::NodeInfo n2 = n1;
  n2.name = "n2";
  n2.state = proto::NodeState::kDown;
  n2.reason = "not responding";
  proto::PartitionInfo debug;
  debug.name = "debug";
  debug.state = "UP";
  debug.nodes = {"n1", "n2"};
  (void)hinfo::RenderInfo({debug}, {n1, n2}, *o);
  return 0;
}
