// herd fuzz — hcontrol's arguments (scontrol's commands), one word per input line.
#include <cstddef>
#include <cstdint>

#include "commands/hcontrol/hcontrol_options.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  (void)hcontrol::ParseHcontrolArgs(fuzz::SplitArgs(fuzz::AsString(data, size)));
  return 0;
}
