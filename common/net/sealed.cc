// herd — sealed requests and replies.
#include "common/net/sealed.h"

#include <sodium.h>
#include <zmq.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/net/curve_keys.h"

namespace herd::net {
namespace {

constexpr char kMagic[4] = {'H', 'S', 'L', '1'};
constexpr size_t kMagicBytes = sizeof kMagic;
constexpr size_t kNonceBytes = crypto_box_NONCEBYTES;
constexpr size_t kMacBytes = crypto_box_MACBYTES;
constexpr size_t kRequestHead = kMagicBytes + kSealKeyBytes + kNonceBytes;

// Appended to a sealed request's routing id (SealedSessions::Tagged).
constexpr std::string_view kPeerTag("\0sealed", 7);

static_assert(crypto_box_PUBLICKEYBYTES == kSealKeyBytes);
static_assert(crypto_box_SECRETKEYBYTES == kSealKeyBytes);
static_assert(crypto_box_BEFORENMBYTES == kSealKeyBytes);

Status InitSodium() {
  if (sodium_init() < 0) return Internal("cannot initialise libsodium");
  return Status::Ok();
}

Result<SealKey> DecodeKey(const std::string& z85) {
  HERD_RETURN_IF_ERROR(CheckCurveKey(z85));
  SealKey k{};
  if (zmq_z85_decode(k.data(), z85.c_str()) == nullptr) {
    return InvalidArgument("not a Z85-encoded CURVE key");
  }
  return k;
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// `head` then nonce, then `frame` boxed with `key`.
std::string Box(std::string_view head, const SealKey& key, std::string_view frame) {
  std::string out(head.size() + kNonceBytes + kMacBytes + frame.size(), '\0');
  std::memcpy(out.data(), head.data(), head.size());
  auto* nonce = reinterpret_cast<uint8_t*>(out.data() + head.size());
  randombytes_buf(nonce, kNonceBytes);
  crypto_box_easy_afternm(nonce + kNonceBytes, Bytes(frame), frame.size(), nonce, key.data());
  return out;
}

// The frame boxed after `head_bytes` (nonce, then the box), opened with `key`.
Result<std::string> Unbox(std::string_view sealed, size_t head_bytes, const SealKey& key) {
  if (sealed.size() < head_bytes + kNonceBytes + kMacBytes) {
    return InvalidArgument("sealed message too short");
  }
  const uint8_t* nonce = Bytes(sealed) + head_bytes;
  const uint8_t* box = nonce + kNonceBytes;
  const size_t box_bytes = sealed.size() - head_bytes - kNonceBytes;
  std::string frame(box_bytes - kMacBytes, '\0');
  if (crypto_box_open_easy_afternm(reinterpret_cast<uint8_t*>(frame.data()), box, box_bytes, nonce,
                                   key.data()) != 0) {
    return PermissionDenied("a sealed message that does not open with the agreed key");
  }
  return frame;
}

}  // namespace

bool LooksSealed(std::string_view bytes) {
  return bytes.size() >= kMagicBytes && std::memcmp(bytes.data(), kMagic, kMagicBytes) == 0;
}

Result<ClientSeal> ClientSeal::ForServer(const std::string& server_public_z85) {
  HERD_RETURN_IF_ERROR(InitSodium());
  HERD_ASSIGN_OR_RETURN(SealKey server, DecodeKey(server_public_z85));
  ClientSeal seal;
  SealKey secret{};
  crypto_box_keypair(seal.public_.data(), secret.data());
  const int rc = crypto_box_beforenm(seal.shared_.data(), server.data(), secret.data());
  sodium_memzero(secret.data(), secret.size());
  if (rc != 0) return InvalidArgument("the server's public key is not usable (a weak key)");
  return seal;
}

std::string ClientSeal::SealRequest(std::string_view frame) const {
  std::string head(kMagic, kMagicBytes);
  head.append(reinterpret_cast<const char*>(public_.data()), public_.size());
  return Box(head, shared_, frame);
}

Result<std::string> ClientSeal::OpenReply(std::string_view sealed) const {
  if (!LooksSealed(sealed)) return PermissionDenied("a reply that is not sealed");
  return Unbox(sealed, kMagicBytes, shared_);
}

Result<SealedSessions> SealedSessions::WithSecret(const std::string& secret_z85,
                                                  size_t max_sessions) {
  HERD_RETURN_IF_ERROR(InitSodium());
  HERD_ASSIGN_OR_RETURN(SealKey secret, DecodeKey(secret_z85));
  SealedSessions s;
  s.secret_ = secret;
  s.max_sessions_ = std::max<size_t>(max_sessions, 8);
  return s;
}

Result<std::string> SealedSessions::Open(const std::string& peer, std::string_view sealed,
                                         Clock::time_point now) {
  if (!LooksSealed(sealed) || sealed.size() < kRequestHead + kMacBytes) {
    return InvalidArgument("not a sealed request");
  }
  SealKey client{};
  std::memcpy(client.data(), sealed.data() + kMagicBytes, client.size());
  auto it = sessions_.find(peer);
  // A client keeps its key pair for its connection: one key agreement per connection.
  const bool known = it != sessions_.end() && it->second.client_public == client;
  SealKey shared{};
  if (known) {
    shared = it->second.shared;
  } else if (crypto_box_beforenm(shared.data(), client.data(), secret_.data()) != 0) {
    return InvalidArgument("a sealed request with a weak client key");
  }
  HERD_ASSIGN_OR_RETURN(std::string frame, Unbox(sealed, kMagicBytes + kSealKeyBytes, shared));
  if (it == sessions_.end()) {
    MakeRoom();
    it = sessions_.emplace(peer, Session{}).first;
  }
  it->second.client_public = client;
  it->second.shared = shared;
  it->second.used = now;
  return frame;
}

std::optional<std::string> SealedSessions::SealReply(const std::string& peer,
                                                     std::string_view frame) const {
  auto it = sessions_.find(peer);
  if (it == sessions_.end()) return std::nullopt;
  return Box(std::string_view(kMagic, kMagicBytes), it->second.shared, frame);
}

Status SealedSessions::Accept(Incoming* in, Clock::time_point now) {
  if (!LooksSealed(in->bytes)) return Status::Ok();
  HERD_ASSIGN_OR_RETURN(std::string frame, Open(in->peer, in->bytes, now));
  in->bytes = std::move(frame);
  in->peer = Tagged(in->peer);
  return Status::Ok();
}

bool SealedSessions::Send(RpcServer& server, const std::string& peer,
                          const std::string& bytes) const {
  const std::optional<std::string> client = Untagged(peer);
  if (!client) return server.Send(peer, bytes);
  const std::optional<std::string> sealed = SealReply(*client, bytes);
  return sealed && server.Send(*client, *sealed);
}

std::string SealedSessions::Tagged(const std::string& peer) {
  std::string id = peer;
  id.append(kPeerTag);
  return id;
}

std::optional<std::string> SealedSessions::Untagged(const std::string& id) {
  if (id.size() <= kPeerTag.size() ||
      id.compare(id.size() - kPeerTag.size(), kPeerTag.size(), kPeerTag) != 0) {
    return std::nullopt;
  }
  return id.substr(0, id.size() - kPeerTag.size());
}

void SealedSessions::Expire(Clock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.used >= kIdle ? sessions_.erase(it) : std::next(it);
  }
}

void SealedSessions::MakeRoom() {
  if (sessions_.size() < max_sessions_) return;
  // The oldest eighth goes: a burst of new clients costs one sort now and then.
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(sessions_.size());
  for (const auto& [peer, s] : sessions_) by_age.emplace_back(s.used, peer);
  const size_t drop = max_sessions_ / 8;
  std::nth_element(by_age.begin(), by_age.begin() + drop, by_age.end());
  for (size_t i = 0; i < drop; ++i) sessions_.erase(by_age[i].second);
}

}  // namespace herd::net
