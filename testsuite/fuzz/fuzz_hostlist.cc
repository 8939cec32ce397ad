// herd fuzz — hostlist expressions ("n[1-4,7],gpu[01-02]") and count lists ("2(x3),1"):
// what expands compresses back to an expression that expands to the same names.
#include <cstddef>
#include <cstdint>

#include "common/base/hostlist.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  const std::string text = fuzz::AsString(data, size);
  auto names = ExpandHostlist(text);
  // Up to kMaxHosts (2^20) names expand; compressing and expanding a million again takes
  // longer than libFuzzer's hang timeout under the sanitizers, and no longer finds more.
  constexpr size_t kRoundTripMax = 100000;
  if (names.ok() && names->size() <= kRoundTripMax) {
    auto again = ExpandHostlist(CompressHostlist(*names));
    HERD_FUZZ_CHECK(again.ok());
    HERD_FUZZ_CHECK(*again == *names);
  }
  auto counts = ParseCountList(text);
  if (counts.ok()) {
    auto again = ParseCountList(FormatCountList(*counts));
    HERD_FUZZ_CHECK(again.ok());
    HERD_FUZZ_CHECK(*again == *counts);
  }
  return 0;
}
