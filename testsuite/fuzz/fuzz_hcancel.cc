// herd fuzz — hcancel's command line (scancel's options), one word per input line.
#include <cstddef>
#include <cstdint>

#include "commands/hcancel/hcancel_options.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  (void)hcancel::ParseHcancelArgs(fuzz::SplitArgs(fuzz::AsString(data, size)));
  return 0;
}
