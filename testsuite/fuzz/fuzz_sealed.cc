// herd fuzz — the controller's command port (common/net/sealed.h): whatever arrives there is
// opened by SealedSessions before anything else reads it, and a command opens whatever
// comes back. The first input byte chooses:
//   0: the rest as a sealed request from a stranger (refused, never a crash);
//   1: the rest as a reply to a command (refused unless sealed with its key);
//   2: the rest is a frame a real command seals; input bytes then flip bits in the sealed
//      request: it opens to exactly that frame when nothing was flipped, else not at all.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/net/curve_keys.h"
#include "common/net/sealed.h"
#include "testsuite/fuzz/fuzz_util.h"

namespace {

struct Fixture {
  herd::net::CurveKeyPair keys;
  std::optional<herd::net::SealedSessions> server;
  std::optional<herd::net::ClientSeal> client;
};

Fixture& Get() {
  static Fixture* f = [] {
    auto* fx = new Fixture();
    fx->keys = *herd::net::GenerateCurveKeyPair();
    fx->server.emplace(*herd::net::SealedSessions::WithSecret(fx->keys.secret_key, 64));
    fx->client.emplace(*herd::net::ClientSeal::ForServer(fx->keys.public_key));
    return fx;
  }();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  if (size == 0) return 0;
  Fixture& fx = Get();
  const std::string rest = fuzz::AsString(data + 1, size - 1);
  const auto now = net::SealedSessions::Clock::now();
  const std::string peer("\0fuzz", 5);
  switch (data[0] % 3) {
    case 0: {
      auto opened = fx.server->Open(peer, rest, now);
      // Without the client's key nothing a fuzzer writes can carry a valid MAC.
      HERD_FUZZ_CHECK(!opened.ok() || rest.size() >= 4 + 32 + 24 + 16);
      net::Incoming in{peer, rest, "?"};
      (void)fx.server->Accept(&in, now);
      (void)net::SealedSessions::Untagged(rest);
      break;
    }
    case 1:
      (void)fx.client->OpenReply(rest);
      break;
    default: {
      // The frame is the first half, the bit flips (position, mask) the second.
      const size_t half = rest.size() / 2;
      const std::string frame = rest.substr(0, half);
      const std::string original = fx.client->SealRequest(frame);
      std::string sealed = original;
      for (size_t i = half; i + 1 < rest.size(); i += 2) {
        const uint8_t mask = static_cast<uint8_t>(rest[i + 1]);
        if (mask == 0) continue;
        sealed[static_cast<uint8_t>(rest[i]) % sealed.size()] ^= static_cast<char>(mask);
      }
      // Two flips of one bit undo each other, and X25519 ignores the top bit of a public key
      // (RFC 7748 §5): a request whose key differs only there is the same request.
      constexpr size_t kKeyTopByte = 4 + 31;
      sealed[kKeyTopByte] = static_cast<char>((sealed[kKeyTopByte] & 0x7f) |
                                              (original[kKeyTopByte] & 0x80));
      const bool flipped = sealed != original;
      auto opened = fx.server->Open(peer, sealed, now);
      if (!flipped) {
        HERD_FUZZ_CHECK(opened.ok() && *opened == frame);
        auto reply = fx.server->SealReply(peer, frame);
        HERD_FUZZ_CHECK(reply.has_value());
        auto back = fx.client->OpenReply(*reply);
        HERD_FUZZ_CHECK(back.ok() && *back == frame);
      } else {
        HERD_FUZZ_CHECK(!opened.ok());
      }
      fx.server->Expire(now + net::SealedSessions::kIdle);
      break;
    }
  }
  return 0;
}
