// herd — herdd's HealthCheckProgram: run as root every HealthCheckInterval seconds (and
// once at start) when the node is in a state HealthCheckNodeState names (IDLE: no step runs
// here; ALLOC/MIXED: some does; ANY), never two at once, killed after kTimeout. A run that
// fails (non-zero exit, signal, timeout) yields the reason the node is drained with: the
// first line of its output, else how it ended. It runs beside herdd's loop: the loop starts
// it and reaps it, and never waits for it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/config/config.h"

namespace herd::noded {

class HealthCheck {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kTimeout{60};

  HealthCheck(const ClusterConfig& config, std::string node, std::string conf_path,
              std::string output_file);

  bool enabled() const { return !program_.empty() && interval_.count() > 0; }
  // Whether a run is due now (it then needs the node's state for Start).
  bool Due(Clock::time_point now) const { return enabled() && pid_ == 0 && now >= next_; }
  // Starts a run unless the node's state (`busy`: steps run here) is not one it runs in.
  void Start(Clock::time_point now, bool busy);
  // Kills a run that outlived kTimeout (it is then reaped as failed).
  void Enforce(Clock::time_point now);
  // A reaped child: true when it was the program; `*failure` then holds the reason to drain
  // the node with, or "" when the check passed.
  bool OnReaped(pid_t pid, int status, std::string* failure);

 private:
  std::string program_;
  std::chrono::seconds interval_;
  bool idle_only_;
  bool busy_only_;
  std::string node_;
  std::string cluster_;
  std::string conf_path_;
  std::string output_file_;
  pid_t pid_ = 0;
  bool timed_out_ = false;
  Clock::time_point started_{};
  Clock::time_point next_{};  // the first run is due at once
};

}  // namespace herd::noded
