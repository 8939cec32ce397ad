// herd — MPI plugin host queue.
#include "nodedaemon/stepd/mpi_host.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace herd::noded {

MpiHostQueue::~MpiHostQueue() {
  if (fd_ >= 0) ::close(fd_);
}

Status MpiHostQueue::Init() {
  fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd_ < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  return Status::Ok();
}

void MpiHostQueue::SendFence(uint64_t seq, std::string data) {
  Event e;
  e.seq = seq;
  e.data = std::move(data);
  Push(std::move(e));
}

void MpiHostQueue::Abort(int exit_code, std::string message) {
  Event e;
  e.abort = true;
  e.exit_code = exit_code;
  e.data = std::move(message);
  Push(std::move(e));
}

void MpiHostQueue::Push(Event e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
  }
  uint64_t one = 1;
  ssize_t w = ::write(fd_, &one, sizeof one);
  (void)w;  // the counter can only overflow after 2^64 wakeups
}

std::vector<MpiHostQueue::Event> MpiHostQueue::Take() {
  uint64_t count = 0;
  ssize_t r = ::read(fd_, &count, sizeof count);
  (void)r;  // EAGAIN: nothing to clear
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Event> out;
  out.swap(events_);
  return out;
}

}  // namespace herd::noded
