// herd fuzz — the SWF trace reader of the simulator (ParseSwf).
#include <cstddef>
#include <cstdint>

#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/sim/swf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  auto trace = sim::ParseSwf(fuzz::AsString(data, size), "fuzz.swf");
  if (trace.ok()) {
    HERD_FUZZ_CHECK(!trace->jobs.empty());
    for (const auto& j : trace->jobs)
      HERD_FUZZ_CHECK(j.run_s >= 0 && j.procs > 0 && j.submit_s >= 0);
  }
  return 0;
}
