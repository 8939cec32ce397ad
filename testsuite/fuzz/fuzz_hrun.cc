// herd fuzz — hrun's command line (srun's options), one word per input line.
#include <cstddef>
#include <cstdint>

#include "commands/hrun/hrun_options.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  (void)hrun::ParseHrunCommandLine(fuzz::SplitArgs(fuzz::AsString(data, size)));
  return 0;
}
