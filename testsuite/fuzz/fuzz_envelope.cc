// herd fuzz — the envelope of every message (DecodeFrame), then the body its type names, as
// a daemon's receive loop decodes them.
#include <cstddef>
#include <cstdint>

#include "common/proto/codec.h"
#include "common/proto/envelope.h"
#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/fuzz/message_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  auto frame = proto::DecodeFrame(data, size);
  if (!frame.ok()) return 0;
  // The envelope is fixed: what decodes encodes back to exactly the same bytes.
  HERD_FUZZ_CHECK(proto::EncodeFrame(*frame) == fuzz::AsString(data, size));
  if (!proto::SupportedVersion(*frame)) return 0;
  (void)proto::ReplyStatus(*frame);
  (void)fuzz::CheckBody(frame->type, frame->body);
  return 0;
}
