// herd fuzz — a batch script as hbatch reads it: the script checks, the #HERD and #SBATCH
// directives, and the submission built from them.
#include <cstddef>
#include <cstdint>

#include "commands/hbatch/hbatch_script.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  const std::string script = fuzz::AsString(data, size);
  (void)hbatch::CheckScript(script);
  (void)hbatch::ExtractDirectives(script);
  static const auto cmdline = *hbatch::ParseHbatchCommandLine({"job.sh", "arg"});
  (void)hbatch::BuildSubmission(cmdline, script, {"PATH=/bin", "HOME=/home/u", "A=1"},
                                "/home/u/work");
  return 0;
}
