// herd — ZeroMQ transport. Servers bind a ROUTER; clients connect a DEALER. Every socket
// has linger=0. Messages are single frames (envelope + credential + body); the ROUTER
// adds the peer's routing id in front, which the server hands back to reply.
//
// Every socket of a cluster is CURVE-secured (common/net/curve_keys.h, doc/security.md):
// a server with its secret key, a client with the public key registered for its address.
//
// Not thread-safe: a socket belongs to the thread that made it (the daemon's loop).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/proto/envelope.h"

namespace herd::net {

// The process-wide ZeroMQ context.
zmq::context_t& Context();

// "tcp://127.0.0.1:6817" from host and port.
std::string TcpAddress(const std::string& host, uint16_t port);

struct Incoming {
  std::string peer;   // routing id, opaque
  std::string bytes;  // the raw frame, not yet decoded
  std::string from;   // the sender's IP address ("?" when unknown), for logs
};

class RpcServer {
 public:
  // Binds `address` ("tcp://*:6817") as a CURVE server with `secret_key` (Z85; empty: a
  // plain server, for tests only). kUnavailable if the address is in use.
  // `send_hwm`: replies queued for one peer at most (ZMQ_SNDHWM); a reply to a peer whose
  // queue is full is dropped (ZMQ_ROUTER_MANDATORY makes that visible to Send).
  // `command_address` (optional): a second, plain endpoint of the same socket, for sealed
  // requests (common/net/sealed.h); the caller opens and seals them.
  static Result<std::unique_ptr<RpcServer>> Bind(const std::string& address,
                                                 const std::string& secret_key,
                                                 int send_hwm = 100000,
                                                 const std::string& command_address = "");

  // One message if one is waiting; kNotFound when none; other errors are logged by callers.
  Result<Incoming> TryRecv();
  // Sends `bytes` to `peer` without blocking. False when the reply was dropped: the peer
  // went away (not an error) or its send queue is full (it does not read its replies).
  bool Send(const std::string& peer, const std::string& bytes);
  zmq::socket_t& socket() { return sock_; }

 private:
  explicit RpcServer(zmq::socket_t s) : sock_(std::move(s)) {}
  zmq::socket_t sock_;
};

// A connection to one server. Replies are matched to requests by request id; late replies
// to earlier (timed-out) requests are discarded. The server must hold the secret key of
// the public key registered for `address` (ServerKeyFor); with none registered while keys
// are required, nothing is ever sent.
class RpcClient {
 public:
  explicit RpcClient(const std::string& address);
  const std::string& address() const { return address_; }

  // Sends one frame without waiting (the reply, if any, is read by TryRecv/Recv).
  Status Send(const std::string& bytes);
  // Waits up to `timeout` for the reply whose request id is `request_id`.
  Result<proto::Frame> WaitReply(uint64_t request_id, std::chrono::milliseconds timeout);
  // A reply if one is waiting (any request id).
  Result<proto::Frame> TryRecv();
  // The bytes of a reply if one is waiting (nullopt when none).
  std::optional<std::string> TryRecvBytes();
  // When something was sent at least `silent` ago and nothing has come back since, drops
  // the connection and connects afresh on the same socket (queued output is discarded; the
  // callers resend what matters). libzmq never retries a connection whose handshake failed
  // (a process without the server's key held the port for a while): this finds the real
  // server again. At most once per `silent`. True when it did.
  bool ReviveIfSilent(std::chrono::milliseconds silent);
  zmq::socket_t& socket() { return sock_; }
  // Drops the connection and makes a fresh socket (pending output is discarded).
  void Reset();

 private:
  void Open();

  using TimePoint = std::chrono::steady_clock::time_point;

  std::string address_;
  zmq::socket_t sock_;
  Status unusable_;  // why nothing may be sent (no key for the address)
  // The first send not followed by any reply (none: nothing awaited), the last revival.
  std::optional<TimePoint> unanswered_since_;
  TimePoint revived_at_{};
};

}  // namespace herd::net
