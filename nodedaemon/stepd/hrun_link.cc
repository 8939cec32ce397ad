// herd — the link to hrun.
#include "nodedaemon/stepd/hrun_link.h"

#include <algorithm>

#include "common/base/log.h"
#include "common/net/curve_keys.h"

namespace herd::noded {
namespace {

// Frames ZeroMQ holds before we queue them ourselves: few, so that what waits (and whether
// hrun takes it) is seen in our queue; at most 2 MiB of output frames.
constexpr int kSendHighWater = 32;

}  // namespace

bool TokenMatches(const std::string& got, const std::string& want) {
  if (got.size() != want.size() || want.empty()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff |= static_cast<unsigned char>(got[i] ^ want[i]);
  }
  return diff == 0;
}

HrunLink::HrunLink(std::string address, std::string key, std::string token)
    : address_(std::move(address)), key_(std::move(key)), token_(std::move(token)) {}

HrunLink::~HrunLink() { Close(std::chrono::milliseconds(0), std::chrono::milliseconds(0)); }

Status HrunLink::Open() {
  // Never in the clear: an hrun too old to give its key gets no output rather than
  // whoever might hold its port after it.
  if (key_.empty()) {
    return FailedPrecondition("hrun at '" + address_ +
                              "' gave no CURVE key (an hrun older than the step daemon)");
  }
  if (Status s = net::CheckCurveKey(key_); !s.ok()) {
    return InvalidArgument("hrun's key for '" + address_ + "': " + s.message());
  }
  try {
    ctx_ = std::make_unique<zmq::context_t>(1);
    sock_ = std::make_unique<zmq::socket_t>(*ctx_, zmq::socket_type::dealer);
    sock_->set(zmq::sockopt::linger, 0);
    if (Status s = net::MakeCurveClient(*sock_, key_); !s.ok()) {
      sock_.reset();
      ctx_.reset();
      return s;
    }
    sock_->set(zmq::sockopt::sndhwm, kSendHighWater);
    sock_->set(
        zmq::sockopt::maxmsgsize,
        static_cast<int64_t>(proto::kEnvelopeSize + proto::kMaxAuthBytes + proto::kMaxBodyBytes));
    sock_->connect(address_);
  } catch (const zmq::error_t& e) {
    sock_.reset();
    ctx_.reset();
    return InvalidArgument("cannot connect to hrun at '" + address_ + "': " + e.what());
  }
  return Status::Ok();
}

void* HrunLink::socket_handle() { return sock_ ? sock_->handle() : nullptr; }

void HrunLink::Enqueue(proto::Frame f, bool output) {
  if (!sock_) return;
  f.request_id = ++next_id_;
  f.auth = token_;
  Pending p{proto::EncodeFrame(f), output};
  if (pending_.empty()) last_progress_ = Clock::now();  // nothing was waiting: no stall
  if (output) pending_output_ += p.bytes.size();
  pending_.push_back(std::move(p));
  Pump();
}

void HrunLink::SendOutput(const proto::TaskOutput& out) {
  if (!sock_) return;
  if (Stalled()) {
    if (dropped_bytes_ == 0) {
      HERD_LOG(Warning) << "hrun at " << address_ << " has taken nothing for "
                        << kStallLimit.count() << " s: dropping task output";
    }
    dropped_bytes_ += out.data.size();
    return;
  }
  Enqueue(proto::MakeFrame(out, 0), /*output=*/true);
}

bool HrunLink::Stalled() const {
  return sock_ && !pending_.empty() && Clock::now() - last_progress_ >= kStallLimit;
}

bool HrunLink::Congested() const { return pending_output_ > kMaxPendingOutput && !Stalled(); }

void HrunLink::Pump() {
  while (sock_ && !pending_.empty()) {
    const Pending& p = pending_.front();
    try {
      if (!sock_->send(zmq::buffer(p.bytes), zmq::send_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return;
      HERD_LOG(Warning) << "dropping a frame to hrun: " << e.what();
    }
    if (p.output) pending_output_ -= p.bytes.size();
    pending_.pop_front();
    last_progress_ = Clock::now();
  }
}

Result<proto::Frame> HrunLink::TryRecv() {
  while (sock_) {
    zmq::message_t m;
    try {
      if (!sock_->recv(m, zmq::recv_flags::dontwait)) break;
    } catch (const zmq::error_t& e) {
      return Internal(std::string("receive from hrun failed: ") + e.what());
    }
    auto f = proto::DecodeFrame(m.data(), m.size());
    if (!f.ok()) {
      HERD_LOG(Warning) << "dropping a malformed frame from hrun: " << f.error().message();
      continue;
    }
    if (!TokenMatches(f->auth, token_)) {
      HERD_LOG(Warning) << "dropping " << proto::MsgTypeName(f->type)
                        << " from hrun: wrong step token";
      continue;
    }
    return f;
  }
  return NotFound("nothing from hrun");
}

void HrunLink::Close(std::chrono::milliseconds stall, std::chrono::milliseconds linger) {
  if (!sock_) return;
  Pump();
  while (!pending_.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(last_progress_ + stall -
                                                                      Clock::now());
    if (left.count() <= 0) break;  // hrun takes nothing any more
    zmq::pollitem_t item{sock_->handle(), 0, ZMQ_POLLOUT, 0};
    try {
      zmq::poll(&item, 1, std::min(left, std::chrono::milliseconds(100)));
    } catch (const zmq::error_t&) {
    }
    Pump();
  }
  if (!pending_.empty()) {
    HERD_LOG(Warning) << pending_.size() << " frames to hrun were never sent";
    linger = std::chrono::milliseconds(0);
  }
  // What ZeroMQ still holds may leave within `linger`; closing the context waits for it.
  sock_->set(zmq::sockopt::linger, static_cast<int>(linger.count()));
  sock_->close();
  sock_.reset();
  ctx_->close();
  ctx_.reset();
  pending_.clear();
  pending_output_ = 0;
}

}  // namespace herd::noded
