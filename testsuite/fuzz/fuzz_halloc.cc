// herd fuzz — halloc's command line (salloc's options), one word per input line, and the
// command it would run.
#include <cstddef>
#include <cstdint>

#include "commands/halloc/halloc_options.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  auto o = halloc::ParseHallocCommandLine(fuzz::SplitArgs(fuzz::AsString(data, size)));
  if (o.ok()) (void)halloc::CommandToRun(*o, {"SHELL=/bin/bash", "PATH=/bin"});
  return 0;
}
