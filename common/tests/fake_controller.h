// herd — an in-process fake controller for client tests: a ROUTER on 127.0.0.1 (a port
// of its own) served by a thread that hands each request to a handler. The handler's
// reply goes back with the request's id; no reply = the request is dropped.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/net/sealed.h"
#include "common/net/zmq_endpoint.h"
#include "common/proto/codec.h"

namespace herd::testing {

class FakeController {
 public:
  // What to answer to one request. Also gets the request number (1, 2, ...).
  using Handler = std::function<std::optional<proto::Frame>(const proto::Frame&, int)>;
  // Returned by a handler to close the server's socket instead of answering (a controller
  // that dies with the request in hand).
  static proto::Frame Die() {
    proto::Frame f;
    f.type = proto::MsgType::kInvalid;
    f.flags = 0xdead;
    return f;
  }

  // `secret_key`: serve as a CURVE server with it (empty: plain). `address`: where
  // (default: a port of its own).
  explicit FakeController(Handler h, const std::string& secret_key = "",
                          const std::string& address = "tcp://127.0.0.1:*")
      : FakeController(std::move(h), secret_key, address, /*sealed=*/false) {}
  // A controller's command endpoint: plain ZMTP, requests sealed to `secret_key`'s public
  // key (common/net/sealed.h), replies sealed back.
  static std::unique_ptr<FakeController> Sealed(Handler h, const std::string& secret_key) {
    return std::unique_ptr<FakeController>(
        new FakeController(std::move(h), secret_key, "tcp://127.0.0.1:*", /*sealed=*/true));
  }
  ~FakeController() { Stop(); }

  const std::string& address() const { return address_; }
  int requests() const { return requests_.load(); }
  uint32_t last_flags() const { return last_flags_.load(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  FakeController(Handler h, const std::string& secret_key, const std::string& address, bool sealed)
      : handler_(std::move(h)) {
    if (sealed) {
      auto sessions = net::SealedSessions::WithSecret(secret_key);
      if (!sessions.ok()) return;
      sealed_.emplace(std::move(*sessions));
    }
    auto s = net::RpcServer::Bind(address, sealed ? "" : secret_key);
    if (!s.ok()) return;
    server_ = std::move(*s);
    address_ = server_->socket().get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Run(); });
  }

  void Run() {
    while (!stop_) {
      zmq::pollitem_t item{server_->socket().handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(20));
      auto in = server_->TryRecv();
      if (!in.ok()) continue;
      if (sealed_ && !sealed_->Accept(&*in, std::chrono::steady_clock::now()).ok()) continue;
      auto req = proto::DecodeFrame(in->bytes.data(), in->bytes.size());
      if (!req.ok()) continue;
      const int n = ++requests_;
      last_flags_ = req->flags;
      std::optional<proto::Frame> reply = handler_(*req, n);
      if (!reply) continue;
      if (reply->type == proto::MsgType::kInvalid && reply->flags == 0xdead) {
        server_.reset();  // linger 0: the connection is closed at once
        return;
      }
      reply->request_id = req->request_id;
      if (sealed_) {
        sealed_->Send(*server_, in->peer, proto::EncodeFrame(*reply));
      } else {
        server_->Send(in->peer, proto::EncodeFrame(*reply));
      }
    }
    server_.reset();
  }

  Handler handler_;
  std::unique_ptr<net::RpcServer> server_;
  std::optional<net::SealedSessions> sealed_;
  std::string address_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<uint32_t> last_flags_{0};
};

// A reply `f` with epoch `epoch` (and flags).
inline proto::Frame WithEpoch(proto::Frame f, uint64_t epoch, uint32_t flags = 0) {
  f.epoch = epoch;
  f.flags = flags;
  return f;
}

inline proto::Frame OkFrame(uint64_t epoch, uint32_t flags = 0) {
  return WithEpoch(proto::MakeStatusFrame(Status::Ok(), 0), epoch, flags);
}

}  // namespace herd::testing
