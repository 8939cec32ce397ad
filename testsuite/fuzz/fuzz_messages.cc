// herd fuzz — every message body: the first two bytes of the input pick the MsgType (little
// endian, as in the envelope), the rest is the body.
#include <cstddef>
#include <cstdint>

#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/fuzz/message_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  if (size < 2) return 0;
  const auto type = static_cast<proto::MsgType>(data[0] | (data[1] << 8));
  (void)fuzz::CheckBody(type, fuzz::AsString(data + 2, size - 2));
  return 0;
}
