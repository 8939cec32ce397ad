// herd — sealed requests: a command's request encrypted to the controller's public key, and
// the reply encrypted with the same shared key (doc/security.md "Commands").
//
// A command makes a single call, so it does not need the CURVE handshake its daemons use
// (two extra round trips and about ten X25519 key agreements, both sides together). It
// makes an ephemeral key pair, agrees a key with the controller's public key
// (crypto_box_beforenm: XSalsa20-Poly1305 keyed by X25519) and sends
//
//   request:  "HSL1" | client public key (32) | nonce (24) | box(frame)   (box: MAC 16 + frame)
//   reply:    "HSL1" | nonce (24) | box(frame)
//
// over a plain ZeroMQ connection to the controller's command port. Only the holder of the
// controller's secret key can open the request (the script and environment stay secret)
// or seal a reply that opens with the shared key (so a process on the port without that
// key cannot answer). Who the client is still comes from the MUNGE credential inside the
// frame, which munged refuses to decode twice. Three key agreements per request and no
// round trip before the request goes out.
//
// Not thread-safe: a seal belongs to the thread that uses it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/base/status.h"
#include "common/net/zmq_endpoint.h"

namespace herd::net {

constexpr size_t kSealKeyBytes = 32;
using SealKey = std::array<uint8_t, kSealKeyBytes>;

// Whether `bytes` starts like a sealed request or reply (the magic only; not checked).
bool LooksSealed(std::string_view bytes);

// The client's side: one ephemeral key pair and its shared key with one server.
class ClientSeal {
 public:
  // `server_public_z85`: the server's CURVE public key (40 Z85 characters).
  static Result<ClientSeal> ForServer(const std::string& server_public_z85);
  std::string SealRequest(std::string_view frame) const;
  // The frame inside a reply; an error when it was not sealed with this seal's key (a
  // process that does not hold the server's secret key, or a damaged reply).
  Result<std::string> OpenReply(std::string_view sealed) const;

 private:
  SealKey public_{};
  SealKey shared_{};
};

// The server's side: opens requests with its secret key and remembers, per client
// connection (the ROUTER's routing id), the shared key its replies are sealed with.
class SealedSessions {
 public:
  using Clock = std::chrono::steady_clock;
  // A session unused this long is forgotten (its reply, if any, long given up by its client).
  static constexpr std::chrono::seconds kIdle{120};
  // At most this many sessions; beyond it the least recently used go first.
  static constexpr size_t kMaxSessions = 65536;

  // `secret_z85`: the server's CURVE secret key.
  static Result<SealedSessions> WithSecret(const std::string& secret_z85,
                                           size_t max_sessions = kMaxSessions);

  // A request as it came to `server`: opened in place when it is sealed (`in->bytes`
  // becomes the frame, `in->peer` Tagged), unchanged when plain. An error (drop it) for
  // a sealed request that does not open.
  Status Accept(Incoming* in, Clock::time_point now);
  // Sends `bytes` to `peer` through `server`: sealed when `peer` is Tagged (dropped, never
  // in the clear, when its session is gone). False when dropped.
  bool Send(RpcServer& server, const std::string& peer, const std::string& bytes) const;

  // The frame inside a sealed request from `peer` (a routing id); remembers the peer's
  // shared key. An error for anything that is not a request sealed to this server's key.
  Result<std::string> Open(const std::string& peer, std::string_view sealed, Clock::time_point now);
  // `frame` sealed for `peer`; nullopt when its session is gone (the reply must then be
  // dropped, never sent in the clear).
  std::optional<std::string> SealReply(const std::string& peer, std::string_view frame) const;

  // The server hands a sealed request's peer on as Tagged(peer), so that its reply can be
  // told apart and sealed: the routing id with "\0sealed" appended. ZeroMQ's own routing
  // ids are 5 bytes and a client's chosen ones never start with a zero byte, so no other
  // client has an id that is some sealed client's id tagged.
  static std::string Tagged(const std::string& peer);
  // The routing id inside a tagged one; nullopt for an id that is not tagged.
  static std::optional<std::string> Untagged(const std::string& id);
  // Forgets sessions idle for kIdle (call it now and then).
  void Expire(Clock::time_point now);
  size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    SealKey client_public{};
    SealKey shared{};
    Clock::time_point used{};
  };
  void MakeRoom();

  SealKey secret_{};
  size_t max_sessions_ = kMaxSessions;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace herd::net
