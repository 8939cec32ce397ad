// herd — a step daemon's connection to the hrun that started the step: a DEALER to the
// step's io_addr. Every frame carries the step token in Frame.auth, and frames from hrun
// without it are dropped. Sending never blocks the step: frames wait in an ordered queue
// while ZeroMQ's own queue is full (hrun slow or unreachable). Task output applies
// backpressure instead of being lost: while more than kMaxPendingOutput bytes of it wait,
// Congested() tells the step to stop reading the tasks' pipes (so they block on write, as
// on a local pipe). Only when hrun has taken nothing for kStallLimit is it taken for gone:
// then output is dropped (and counted) so the tasks can run to their end. Control messages
// (exits, fences, aborts) are always kept. The link has its own ZeroMQ context so that
// Close() can wait for the last frames to leave.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "common/base/status.h"
#include "common/proto/codec.h"
#include "common/proto/step_messages.h"

namespace herd::noded {

class HrunLink {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxPendingOutput = 4u << 20;
  static constexpr std::chrono::seconds kStallLimit{30};

  // `key`: hrun's CURVE public key (StepSpec::io_key); the link speaks only to the hrun
  // that holds its secret half.
  HrunLink(std::string address, std::string key, std::string token);
  ~HrunLink();
  HrunLink(const HrunLink&) = delete;
  HrunLink& operator=(const HrunLink&) = delete;

  Status Open();
  bool is_open() const { return sock_ != nullptr; }

  template <class T>
  void Send(const T& msg) {
    Enqueue(proto::MakeFrame(msg, 0), /*output=*/false);
  }
  // Task output: queued whatever the amount while hrun takes frames; dropped (and counted)
  // only while Stalled().
  void SendOutput(const proto::TaskOutput& out);
  // Hands queued frames to ZeroMQ while it takes them.
  void Pump();
  bool HasPending() const { return !pending_.empty(); }
  // More task output waits than kMaxPendingOutput, and hrun is still taking frames: the
  // caller should stop reading task output until this turns false.
  bool Congested() const;
  // Frames have waited for kStallLimit without ZeroMQ taking any: hrun is taken for gone.
  bool Stalled() const;
  uint64_t dropped_bytes() const { return dropped_bytes_; }

  // For zmq::poll (nullptr when not open).
  void* socket_handle();
  // The next frame from hrun that carries the token; kNotFound when none is waiting.
  Result<proto::Frame> TryRecv();

  // Waits for queued frames to leave as long as hrun keeps taking them (giving up after
  // `stall` without progress), lets ZeroMQ deliver what it holds for up to `linger`, then
  // closes the connection.
  void Close(std::chrono::milliseconds stall, std::chrono::milliseconds linger);

 private:
  struct Pending {
    std::string bytes;
    bool output = false;
  };
  void Enqueue(proto::Frame f, bool output);

  std::string address_;
  std::string key_;
  std::string token_;
  std::unique_ptr<zmq::context_t> ctx_;
  std::unique_ptr<zmq::socket_t> sock_;
  std::deque<Pending> pending_;
  size_t pending_output_ = 0;
  uint64_t dropped_bytes_ = 0;
  uint64_t next_id_ = 0;
  Clock::time_point last_progress_{};  // when ZeroMQ last took a frame, or the queue was empty
};

// Compares in time independent of where the strings differ.
bool TokenMatches(const std::string& got, const std::string& want);

}  // namespace herd::noded
