// herd — a client connection that knows whether its server is there.
#include "common/net/peer_link.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/net/curve_keys.h"
#include "common/net/zmq_endpoint.h"

namespace herd::net {
namespace {

// Well below the time a failover takes (doc/design.md §5: a few seconds), well above a PONG's
// round trip on a loaded cluster network.
constexpr int kHeartbeatIvlMs = 1000;
constexpr int kHeartbeatTimeoutMs = 3000;
constexpr int kHandshakeFailed = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
// How long a connection whose handshake failed is kept before a fresh one is made (while a
// caller waits for its server): a retry five times a second against an impostor.
constexpr std::chrono::milliseconds kRetryAfterFailure{200};
constexpr int kWatchedEvents = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED |
                               ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                               kHandshakeFailed;

std::string NextMonitorEndpoint() {
  static std::atomic<uint64_t> counter{0};
  return "inproc://herd-peer-link-" + std::to_string(++counter);
}

int MsLeft(PeerLink::TimePoint until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

PeerLink::PeerLink(std::string address) : address_(std::move(address)) { Open(); }

PeerLink::~PeerLink() { Close(); }

void PeerLink::Open() {
  sock_ = zmq::socket_t(Context(), zmq::socket_type::dealer);
  sock_.set(zmq::sockopt::linger, 0);
  sock_.set(
      zmq::sockopt::maxmsgsize,
      static_cast<int64_t>(proto::kEnvelopeSize + proto::kMaxAuthBytes + proto::kMaxBodyBytes));
  sock_.set(zmq::sockopt::immediate, 1);
  sock_.set(zmq::sockopt::heartbeat_ivl, kHeartbeatIvlMs);
  sock_.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
  handshake_failed_ = false;
  greeted_ = false;
  dropped_in_handshake_ = false;
  seal_.reset();
  unopened_replies_ = 0;
  auto key = ServerKeyFor(address_);
  if (!key.ok()) {
    unusable_ = key.error();
  } else if (!key->empty() && IsSealedServer(address_)) {
    // A fresh key pair per connection: nothing links it to an earlier one.
    auto seal = ClientSeal::ForServer(*key);
    unusable_ = seal.ok() ? Status::Ok() : seal.error();
    if (seal.ok()) seal_ = std::move(*seal);
  } else {
    unusable_ = MakeCurveClient(sock_, *key);
  }
  // The monitor must exist before connect() so no event of this connection is missed.
  const std::string endpoint = NextMonitorEndpoint();
  zmq_socket_monitor(sock_.handle(), endpoint.c_str(), kWatchedEvents);
  monitor_ = zmq::socket_t(Context(), zmq::socket_type::pair);
  monitor_.set(zmq::sockopt::linger, 0);
  // libzmq sends monitor events blocking, from its I/O thread: with a bounded queue, a
  // link not used for a while (nothing drains its events) would stop that thread, and
  // with it every socket of the process. Unbounded: each use of the link drains it.
  monitor_.set(zmq::sockopt::rcvhwm, 0);
  monitor_.connect(endpoint);
  if (unusable_.ok()) sock_.connect(address_);
}

void PeerLink::Close() {
  // The monitor is stopped while its reader is still there: an event the closing socket
  // sends later to a monitor without a reader blocks libzmq's I/O thread for good (seen as
  // a process whose connections all hang and whose listeners are never closed).
  zmq_socket_monitor(sock_.handle(), nullptr, 0);
  sock_.close();
  monitor_.close();
}

void PeerLink::Reset() {
  Close();
  Open();
}

int PeerLink::DrainEvents() {
  int seen = 0;
  try {
    while (true) {
      zmq::message_t head;
      if (!monitor_.recv(head, zmq::recv_flags::dontwait)) break;
      // First frame: u16 event, u32 value; second frame: the endpoint (ignored).
      if (head.size() >= sizeof(uint16_t)) {
        uint16_t event = 0;
        std::memcpy(&event, head.data(), sizeof(event));
        seen |= event;
        NoteConnectionEvent(event);
        if ((event & kHandshakeFailed) != 0 && !handshake_failed_) {
          handshake_failed_ = true;
          failed_at_ = std::chrono::steady_clock::now();
        }
      }
      while (monitor_.get(zmq::sockopt::rcvmore)) {
        zmq::message_t rest;
        if (!monitor_.recv(rest, zmq::recv_flags::dontwait)) break;
      }
    }
  } catch (const zmq::error_t&) {
    // A monitor that fails tells us nothing; the timeouts still bound every wait.
  }
  return seen;
}

void PeerLink::NoteConnectionEvent(uint16_t event) {
  if (event == ZMQ_EVENT_CONNECTED) greeted_ = false;  // a new TCP connection, not yet greeted
  if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) greeted_ = true;
  // Closed before any handshake finished: whatever holds the port refused our mechanism
  // (a plain listener closes before its greeting names its own) or is going away.
  if (event == ZMQ_EVENT_DISCONNECTED && !greeted_) dropped_in_handshake_ = true;
}

Status PeerLink::Poll(short events, TimePoint until, bool* sock_ready, bool* monitor_ready) {
  zmq::pollitem_t items[] = {{sock_.handle(), 0, events, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 2, std::chrono::milliseconds(MsLeft(until)));
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) return Internal(std::string("poll failed: ") + e.what());
  }
  *sock_ready = (items[0].revents & events) != 0;
  *monitor_ready = (items[1].revents & ZMQ_POLLIN) != 0;
  return Status::Ok();
}

std::string PeerLink::NotAuthenticated() const {
  return "cannot authenticate " + address_ +
         ": the CURVE handshake failed (whatever holds that port does not have the cluster's "
         "key for it)";
}

std::string PeerLink::DroppedInHandshake() const {
  return "cannot connect to " + address_ +
         ": the connection was closed during the handshake (whatever holds that port does "
         "not speak herd's protocol with the cluster's key, or it is shutting down)";
}

Status PeerLink::WaitConnected(TimePoint until, bool stop_on_refusal) {
  if (!unusable_.ok()) {
    return PermissionDenied("cannot connect to " + address_ + ": " + unusable_.message());
  }
  // A failed handshake since Open() counts: after a protocol error (a plain listener)
  // libzmq does not try again, so no later event would tell.
  dropped_in_handshake_ = false;
  DrainEvents();
  failed_again_ = false;
  while (true) {
    bool writable = false;
    bool event = false;
    // After a failed handshake no event comes again: wake up for the fresh connection.
    const TimePoint wake = handshake_failed_ && !stop_on_refusal
                               ? std::min(until, failed_at_ + kRetryAfterFailure)
                               : until;
    HERD_RETURN_IF_ERROR(Poll(ZMQ_POLLOUT, wake, &writable, &event));
    if (writable) {
      DrainEvents();  // a drop reported before this handshake is not one of ours
      return Status::Ok();
    }
    const int events = event ? DrainEvents() : 0;
    if (handshake_failed_ && stop_on_refusal) return PermissionDenied(NotAuthenticated());
    if (handshake_failed_ && std::chrono::steady_clock::now() >= failed_at_ + kRetryAfterFailure) {
      // libzmq never retries a connection whose handshake failed: a fresh one, so that the
      // real server is found once the impostor has left the port.
      Reset();
      failed_again_ = true;
      continue;
    }
    if ((events & ZMQ_EVENT_CONNECT_RETRIED) && stop_on_refusal) {
      return Unavailable("cannot connect to " + address_ + " (connection refused)");
    }
    // libzmq connects again by itself after a drop; a caller with another server to try
    // goes there at once, as after a refusal.
    if (dropped_in_handshake_ && stop_on_refusal) return Unavailable(DroppedInHandshake());
    if (MsLeft(until) == 0) {
      if (handshake_failed_ || failed_again_) return DeadlineExceeded(NotAuthenticated());
      if (dropped_in_handshake_) return DeadlineExceeded(DroppedInHandshake());
      return DeadlineExceeded("cannot connect to " + address_ + " (no handshake)");
    }
  }
}

Status PeerLink::Send(const std::string& bytes) {
  try {
    const std::string sealed = seal_ ? seal_->SealRequest(bytes) : std::string();
    if (!sock_.send(zmq::buffer(seal_ ? sealed : bytes), zmq::send_flags::dontwait)) {
      return Unavailable("cannot send to " + address_ + " now (not connected)");
    }
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Unavailable("cannot send to " + address_ + ": " + e.what());
  }
}

Result<proto::Frame> PeerLink::WaitReply(uint64_t request_id, TimePoint until) {
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    bool readable = false;
    bool event = false;
    HERD_RETURN_IF_ERROR(Poll(ZMQ_POLLIN, until, &readable, &event));
    // Replies first: a server that answered and then went away did answer.
    while (readable) {
      zmq::message_t m;
      try {
        if (!sock_.recv(m, zmq::recv_flags::dontwait)) break;
      } catch (const zmq::error_t& e) {
        return Internal(std::string("receive failed: ") + e.what());
      }
      std::string_view bytes(static_cast<const char*>(m.data()), m.size());
      std::string opened;
      if (seal_) {
        auto o = seal_->OpenReply(bytes);
        if (!o.ok()) {
          unopened_replies_++;  // not from the holder of the server's key: never believed
          continue;
        }
        opened = std::move(*o);
        bytes = opened;
      }
      auto f = proto::DecodeFrame(bytes.data(), bytes.size());
      if (f.ok() && f->request_id == request_id) return f;
    }
    if (event && (DrainEvents() & ZMQ_EVENT_DISCONNECTED)) {
      return Unavailable(address_ + " closed the connection before answering");
    }
    if (MsLeft(until) == 0) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      std::string why =
          "no answer from " + address_ + " within " + std::to_string(waited.count()) + " ms";
      if (unopened_replies_ > 0) {
        why += " (" + std::to_string(unopened_replies_) +
               " answers were not sealed with the cluster's key for it: whatever holds that "
               "port is not the controller)";
      }
      return DeadlineExceeded(why);
    }
  }
}

}  // namespace herd::net
