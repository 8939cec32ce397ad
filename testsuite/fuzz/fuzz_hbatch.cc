// herd fuzz — hbatch's command line (one word per input line), then the submission it
// builds from a plain script.
#include <cstddef>
#include <cstdint>

#include "commands/hbatch/hbatch_script.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  auto cmdline = hbatch::ParseHbatchCommandLine(fuzz::SplitArgs(fuzz::AsString(data, size)));
  if (!cmdline.ok()) return 0;
  (void)hbatch::BuildSubmission(*cmdline, "#!/bin/sh\ntrue\n", {"PATH=/bin", "HOME=/home/u", "A=1"},
                                "/home/u/work");
  return 0;
}
