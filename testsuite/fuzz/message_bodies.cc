// herd fuzz — every message body type, by its MsgType.
#include "testsuite/fuzz/message_bodies.h"

#include "common/proto/codec.h"
#include "testsuite/fuzz/fuzz_util.h"

// A MsgType added without a case here is a build error: every body must be fuzzed.
#pragma clang diagnostic error "-Wswitch"

namespace herd::fuzz {
namespace {

// Decodes `body` as a T. What decodes must encode, and the encoding must be canonical: it
// decodes again, to the same bytes (a decoder that accepts what its encoder cannot write
// back would let two daemons disagree about one message).
template <class T>
BodyVerdict Check(const std::string& body) {
  auto msg = proto::DecodeBody<T>(body);
  if (!msg.ok()) return BodyVerdict::kRefused;
  const std::string once = proto::EncodeBody(*msg);
  auto again = proto::DecodeBody<T>(once);
  HERD_FUZZ_CHECK(again.ok());
  HERD_FUZZ_CHECK(proto::EncodeBody(*again) == once);
  return BodyVerdict::kDecoded;
}

}  // namespace

BodyVerdict CheckBody(proto::MsgType type, const std::string& body) {
  using proto::MsgType;
  switch (type) {
    case MsgType::kInvalid:
      return BodyVerdict::kNoBodyType;
    case MsgType::kUnsupportedReply:
      return BodyVerdict::kNoBodyType;
#define HERD_FUZZ_CASE(name) \
  case MsgType::k##name:     \
    return Check<proto::name>(body);
      HERD_FUZZ_MESSAGE_TYPES(HERD_FUZZ_CASE)
#undef HERD_FUZZ_CASE
    case MsgType::kQueryJobsPageReply:  // its struct is named QueryJobsPage
      return Check<proto::QueryJobsPage>(body);
  }
  return BodyVerdict::kNoBodyType;
}

}  // namespace herd::fuzz
