// herd fuzz — herd.conf (ParseConfig), and the value parsers its keys and the commands
// share, each given the input's first line.
#include <cstddef>
#include <cstdint>

#include "common/config/config.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herd::fuzz::QuietLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  const std::string text = fuzz::AsString(data, size);
  (void)ParseConfig(text, "fuzz.conf");

  const std::string line = text.substr(0, text.find('\n'));
  auto t = ParseTimeLimit(line);
  if (t.ok()) {
    // What is printed parses back to the same duration.
    auto back = ParseTimeLimit(FormatDuration(*t));
    HERD_FUZZ_CHECK(back.ok() && *back == *t);
  }
  (void)ParseMemoryMb(line);
  (void)ParsePort(line);
  (void)ParseHostAddr(line, 7000);
  return 0;
}
