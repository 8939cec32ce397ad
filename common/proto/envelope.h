// herd — the fixed envelope in front of every message (hand-encoded little-endian, so a
// receiver can always read it, whatever the body's version):
//   u32 magic "HERD" | u16 protocol version | u16 msg type | u32 flags | u64 request id |
//   u64 epoch | u32 auth length | u32 body length | auth bytes | body bytes
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::proto {

inline constexpr uint32_t kMagic = 0x44524548;  // "HERD" read as little-endian u32
inline constexpr uint16_t kProtocolVersion = 1;
inline constexpr uint16_t kMinProtocolVersion = 1;
inline constexpr size_t kEnvelopeSize = 36;
inline constexpr size_t kMaxAuthBytes = 4096;
inline constexpr size_t kMaxBodyBytes = 64u << 20;

struct Frame {
  uint16_t version = kProtocolVersion;
  MsgType type = MsgType::kInvalid;
  uint32_t flags = 0;
  uint64_t request_id = 0;
  uint64_t epoch = 0;
  std::string auth;  // MUNGE credential (requests only)
  std::string body;  // Boost.Serialization binary archive of the message struct
};

std::string EncodeFrame(const Frame& f);
// Validates magic, lengths and bounds. A version outside [kMinProtocolVersion,
// kProtocolVersion] decodes (so the receiver can answer "unsupported") but is flagged by
// SupportedVersion().
Result<Frame> DecodeFrame(const void* data, size_t size);
inline bool SupportedVersion(const Frame& f) {
  return f.version >= kMinProtocolVersion && f.version <= kProtocolVersion;
}

}  // namespace herd::proto
