// herd — envelope encoding.
#include "common/proto/envelope.h"

#include <cstring>

namespace herd::proto {
namespace {

template <typename T>
void Put(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  }
}

template <typename T>
T Get(const unsigned char* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}

}  // namespace

std::string EncodeFrame(const Frame& f) {
  std::string out;
  out.reserve(kEnvelopeSize + f.auth.size() + f.body.size());
  Put<uint32_t>(out, kMagic);
  Put<uint16_t>(out, f.version);
  Put<uint16_t>(out, static_cast<uint16_t>(f.type));
  Put<uint32_t>(out, f.flags);
  Put<uint64_t>(out, f.request_id);
  Put<uint64_t>(out, f.epoch);
  Put<uint32_t>(out, static_cast<uint32_t>(f.auth.size()));
  Put<uint32_t>(out, static_cast<uint32_t>(f.body.size()));
  out += f.auth;
  out += f.body;
  return out;
}

Result<Frame> DecodeFrame(const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  if (size < kEnvelopeSize) return InvalidArgument("message shorter than the envelope");
  if (Get<uint32_t>(p) != kMagic) return InvalidArgument("bad magic: not a herd message");
  Frame f;
  f.version = Get<uint16_t>(p + 4);
  f.type = static_cast<MsgType>(Get<uint16_t>(p + 6));
  f.flags = Get<uint32_t>(p + 8);
  f.request_id = Get<uint64_t>(p + 12);
  f.epoch = Get<uint64_t>(p + 20);
  uint32_t auth_len = Get<uint32_t>(p + 28);
  uint32_t body_len = Get<uint32_t>(p + 32);
  if (auth_len > kMaxAuthBytes) return InvalidArgument("credential too large");
  if (body_len > kMaxBodyBytes) return InvalidArgument("body too large");
  if (size != kEnvelopeSize + auth_len + body_len) {
    return InvalidArgument("length mismatch: truncated or trailing bytes");
  }
  f.auth.assign(reinterpret_cast<const char*>(p + kEnvelopeSize), auth_len);
  f.body.assign(reinterpret_cast<const char*>(p + kEnvelopeSize + auth_len), body_len);
  return f;
}

}  // namespace herd::proto
