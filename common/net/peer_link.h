// herd — a client connection that knows whether its server is there (used by Caller to
// fail over between controllers, doc/design.md §5).
//
// A plain DEALER (RpcClient) queues a request for a server that is dead or stopped and
// waits out the whole timeout. PeerLink instead:
//   - sets ZMQ_IMMEDIATE, so the socket is writable only once the ZMTP handshake with a
//     live server is done: a refused connection, an unreachable host or a SIGSTOPped
//     server (the kernel accepts, nobody greets) all show up as "not writable";
//   - watches a socket monitor, so a refused connection ends the wait at once, and a
//     connection that drops while a reply is awaited (the server died) ends that wait;
//   - sends ZMTP heartbeats, so a server stopped after the connection was made is
//     noticed (the peer's I/O thread answers PINGs even when its main loop is busy);
//   - is a CURVE client expecting the public key registered for its address
//     (common/net/curve_keys.h): a process on the port without the matching secret key
//     fails the handshake, so nothing is ever sent to it nor read from it;
//   - or, for a controller's command endpoint (IsSealedServer), seals every request to that
//     key and believes only replies sealed with the key agreed (common/net/sealed.h): a
//     process on the port without the secret key can neither read a request nor answer.
//
// Not thread-safe: a link belongs to the thread that made it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/net/sealed.h"
#include "common/proto/envelope.h"

namespace herd::net {

class PeerLink {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit PeerLink(std::string address);
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;
  ~PeerLink();

  const std::string& address() const { return address_; }

  // Waits until a request would go out at once (the handshake is done), up to `until`.
  // kUnavailable as soon as the server refuses the connection when `stop_on_refusal`
  // (otherwise ZeroMQ keeps retrying in the background and the wait goes on);
  // kDeadlineExceeded when not connected by `until`. A connection closed before its
  // handshake finished (a plain listener, a server going away) is kUnavailable at once
  // when `stop_on_refusal`, and named in the kDeadlineExceeded otherwise. kPermissionDenied at once
  // when no key is known for the address, and when the server failed the CURVE handshake (it does
  // not hold the key) and `stop_on_refusal`; without `stop_on_refusal` a failed handshake
  // is followed by a fresh connection every 200 ms until `until` (the real server may
  // take the port back).
  Status WaitConnected(TimePoint until, bool stop_on_refusal);
  // Sends one frame without waiting; kUnavailable when it cannot go out now.
  Status Send(const std::string& bytes);
  // Waits for the reply to `request_id` until `until`. kUnavailable when the connection
  // drops first (the request is lost with it), kDeadlineExceeded at `until`. Replies to
  // other (earlier, abandoned) requests are discarded.
  Result<proto::Frame> WaitReply(uint64_t request_id, TimePoint until);
  // Whether the CURVE handshake of the current connection failed (see WaitConnected).
  bool handshake_failed() const { return handshake_failed_; }
  // Drops the connection and anything queued on it, and connects afresh.
  void Reset();

 private:
  // Waits until the socket has `events` or the monitor has news, or until `until`.
  Status Poll(short events, TimePoint until, bool* sock_ready, bool* monitor_ready);
  // Monitor events seen since the last call (a bit mask of ZMQ_EVENT_*).
  int DrainEvents();
  void Open();
  void Close();
  // Follows one connection through its events (connected, greeted, dropped).
  void NoteConnectionEvent(uint16_t event);
  std::string NotAuthenticated() const;
  std::string DroppedInHandshake() const;

  std::string address_;
  Status unusable_;                    // no key known for address_: never connected
  bool handshake_failed_ = false;      // since the last Open()
  TimePoint failed_at_{};              // when it was seen
  bool failed_again_ = false;          // a handshake failed during this wait (before a Reset)
  bool greeted_ = false;               // the current connection's handshake succeeded
  bool dropped_in_handshake_ = false;  // a connection closed before its handshake (this wait)
  std::optional<ClientSeal> seal_;     // a sealed server's: this connection's key
  uint64_t unopened_replies_ = 0;      // replies that were not sealed with it
  zmq::socket_t sock_;
  zmq::socket_t monitor_;  // PAIR connected to sock_'s monitor endpoint
};

}  // namespace herd::net
