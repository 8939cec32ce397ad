// herd commands — signals as readable events for the interactive commands (hrun, halloc):
// the watched signals are blocked in the whole process and read from a signalfd, which the
// command polls beside its sockets. Create it first thing in main(), before any thread
// (ZeroMQ's) exists, so no thread ever receives them asynchronously.
#pragma once

#include <signal.h>

#include <memory>
#include <vector>

#include "common/base/status.h"

namespace herd::cli {

class SignalWatch {
 public:
  static Result<std::unique_ptr<SignalWatch>> Create(const std::vector<int>& signals);
  // Restores the signal mask of the creating thread.
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // Readable when a watched signal is pending.
  int fd() const { return fd_; }
  // The signals received since the last call, in arrival order (never blocks).
  std::vector<int> Drain();
  // Waits up to `timeout_ms` for signals and returns them (empty when none came).
  std::vector<int> Wait(int timeout_ms);
  // For a child about to exec: the signal mask from before Create.
  const sigset_t& original_mask() const { return original_mask_; }

 private:
  SignalWatch() = default;
  int fd_ = -1;
  bool blocked_ = false;
  sigset_t original_mask_;
};

// The signals that end or interrupt a command (INT, TERM, HUP, QUIT, USR1, USR2).
std::vector<int> ForwardedSignals();

// For a child process between fork and exec: SIGPIPE back to its default disposition and
// the signal mask from before Create.
void ResetSignalsForExec(const SignalWatch& watch);

}  // namespace herd::cli
