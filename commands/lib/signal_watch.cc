// herd commands — signals read through a signalfd.
#include "commands/lib/signal_watch.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace herd::cli {

Result<std::unique_ptr<SignalWatch>> SignalWatch::Create(const std::vector<int>& signals) {
  std::unique_ptr<SignalWatch> w(new SignalWatch());
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, &w->original_mask_) != 0) {
    return Internal(std::string("cannot block signals: ") + std::strerror(errno));
  }
  w->blocked_ = true;
  w->fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (w->fd_ < 0) {
    return Internal(std::string("cannot create a signalfd: ") + std::strerror(errno));
  }
  return w;
}

SignalWatch::~SignalWatch() {
  if (fd_ >= 0) close(fd_);
  if (blocked_) sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
}

std::vector<int> SignalWatch::Drain() {
  std::vector<int> out;
  while (true) {
    struct signalfd_siginfo si;
    const ssize_t n = read(fd_, &si, sizeof(si));
    if (n != static_cast<ssize_t>(sizeof(si))) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    out.push_back(static_cast<int>(si.ssi_signo));
  }
  return out;
}

std::vector<int> SignalWatch::Wait(int timeout_ms) {
  struct pollfd p = {fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) > 0) return Drain();
  return {};
}

std::vector<int> ForwardedSignals() { return {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}; }

void ResetSignalsForExec(const SignalWatch& watch) {
  // Ignored dispositions survive exec; blocked masks too.
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &watch.original_mask(), nullptr);
}

}  // namespace herd::cli
