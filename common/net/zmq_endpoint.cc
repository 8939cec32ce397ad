// herd — ZeroMQ transport.
#include "common/net/zmq_endpoint.h"

#include <nss.h>

#include "common/net/curve_keys.h"

namespace herd::net {
namespace {

void CommonOptions(zmq::socket_t& s) {
  s.set(zmq::sockopt::linger, 0);
  // Refuse frames larger than any valid message before they are allocated.
  s.set(zmq::sockopt::maxmsgsize,
        static_cast<int64_t>(proto::kEnvelopeSize + proto::kMaxAuthBytes + proto::kMaxBodyBytes));
}

}  // namespace

zmq::context_t& Context() {
  static zmq::context_t* ctx = [] {
    // libzmq starts OpenPGM with every context, which looks up the "pgm" protocol through
    // NSS. Debian's nsswitch.conf names libnss_db first for protocols: glibc then searches
    // ~40 library directories for a module that is not installed, in every command and
    // every step daemon. Protocol numbers come from /etc/protocols only.
    __nss_configure_lookup("protocols", "files");
    return new zmq::context_t(1);  // never destroyed: daemons exit
  }();
  return *ctx;
}

std::string TcpAddress(const std::string& host, uint16_t port) {
  return "tcp://" + host + ":" + std::to_string(port);
}

Result<std::unique_ptr<RpcServer>> RpcServer::Bind(const std::string& address,
                                                   const std::string& secret_key, int send_hwm,
                                                   const std::string& command_address) {
  std::string binding = address;
  try {
    zmq::socket_t s(Context(), zmq::socket_type::router);
    CommonOptions(s);
    MakeCurveServer(s, secret_key);
    s.set(zmq::sockopt::rcvhwm, 100000);
    s.set(zmq::sockopt::sndhwm, send_hwm);
    s.set(zmq::sockopt::router_mandatory, 1);
    s.bind(address);
    if (!command_address.empty()) {
      // The security mechanism is taken per endpoint when it is bound: this one speaks
      // plain ZMTP, its requests are sealed instead.
      binding = command_address;
      s.set(zmq::sockopt::curve_server, 0);
      s.bind(command_address);
    }
    return std::unique_ptr<RpcServer>(new RpcServer(std::move(s)));
  } catch (const zmq::error_t& e) {
    return Unavailable("cannot listen on " + binding + ": " + e.what());
  }
}

Result<Incoming> RpcServer::TryRecv() {
  try {
    zmq::message_t id;
    if (!sock_.recv(id, zmq::recv_flags::dontwait)) return NotFound("no message");
    Incoming in;
    in.peer.assign(static_cast<const char*>(id.data()), id.size());
    // A DEALER peer sends exactly one frame after the routing id; anything else is
    // drained and refused.
    int parts = 0;
    while (sock_.get(zmq::sockopt::rcvmore)) {
      zmq::message_t part;
      if (!sock_.recv(part, zmq::recv_flags::none)) break;
      if (parts++ == 0) {
        in.bytes.assign(static_cast<const char*>(part.data()), part.size());
        const char* addr = zmq_msg_gets(part.handle(), "Peer-Address");
        in.from = addr != nullptr ? addr : "?";
      }
    }
    if (parts != 1) return InvalidArgument("expected one frame, got " + std::to_string(parts));
    return in;
  } catch (const zmq::error_t& e) {
    return Internal(std::string("receive failed: ") + e.what());
  }
}

bool RpcServer::Send(const std::string& peer, const std::string& bytes) {
  try {
    // A full queue fails the routing-id part (EAGAIN), so nothing of the reply is sent.
    if (!sock_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;
    }
    return sock_.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    // The peer is gone (EHOSTUNREACH): the reply is dropped, the client retries.
    return false;
  }
}

RpcClient::RpcClient(const std::string& address) : address_(address) { Open(); }

void RpcClient::Open() {
  sock_ = zmq::socket_t(Context(), zmq::socket_type::dealer);
  CommonOptions(sock_);
  auto key = ServerKeyFor(address_);
  unusable_ = key.ok() ? MakeCurveClient(sock_, *key) : key.error();
  // Without a usable key the socket stays unconnected: nothing goes out, nothing comes in.
  if (unusable_.ok()) sock_.connect(address_);
}

void RpcClient::Reset() { Open(); }

Status RpcClient::Send(const std::string& bytes) {
  if (!unusable_.ok())
    return Unavailable("cannot send to " + address_ + ": " + unusable_.message());
  try {
    // Awaited from now on, also when it cannot go out: a connection whose handshake failed
    // takes nothing (EAGAIN) until ReviveIfSilent makes a new one.
    if (!unanswered_since_) unanswered_since_ = std::chrono::steady_clock::now();
    auto r = sock_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    if (!r)
      return Unavailable("cannot send to " + address_ + " now (send queue full or no connection)");
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Unavailable("cannot send to " + address_ + ": " + e.what());
  }
}

Result<proto::Frame> RpcClient::TryRecv() {
  try {
    zmq::message_t m;
    if (!sock_.recv(m, zmq::recv_flags::dontwait)) return NotFound("no reply");
    unanswered_since_.reset();
    return proto::DecodeFrame(m.data(), m.size());
  } catch (const zmq::error_t& e) {
    return Internal(std::string("receive failed: ") + e.what());
  }
}

std::optional<std::string> RpcClient::TryRecvBytes() {
  try {
    zmq::message_t m;
    if (!sock_.recv(m, zmq::recv_flags::dontwait)) return std::nullopt;
    unanswered_since_.reset();
    return std::string(static_cast<const char*>(m.data()), m.size());
  } catch (const zmq::error_t&) {
    return std::nullopt;
  }
}

bool RpcClient::ReviveIfSilent(std::chrono::milliseconds silent) {
  const TimePoint now = std::chrono::steady_clock::now();
  if (!unusable_.ok() || !unanswered_since_ || now - *unanswered_since_ < silent ||
      now - revived_at_ < silent) {
    return false;
  }
  try {
    sock_.disconnect(address_);
  } catch (const zmq::error_t&) {
    // The connection ended on its own (a failed handshake): nothing to disconnect.
  }
  try {
    sock_.connect(address_);
  } catch (const zmq::error_t&) {
    return false;
  }
  revived_at_ = now;
  unanswered_since_.reset();
  return true;
}

Result<proto::Frame> RpcClient::WaitReply(uint64_t request_id, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, left);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Internal(std::string("poll failed: ") + e.what());
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    auto f = TryRecv();
    if (!f.ok()) {
      if (f.error().code() == Code::kNotFound) continue;
      return f.error();
    }
    if (f->request_id == request_id) return f;
  }
  return DeadlineExceeded("no answer from " + address_ + " within " +
                          std::to_string(timeout.count()) + " ms");
}

}  // namespace herd::net
