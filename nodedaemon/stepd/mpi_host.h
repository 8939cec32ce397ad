// herd — the step daemon's side of the MPI plugin interface (plugins/api/mpi.h). The
// plugin may call SendFence and Abort from any thread (the PMIx progress thread); they are
// queued here and an eventfd wakes the step daemon's loop, which takes them with Take().
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "plugins/api/mpi.h"

namespace herd::noded {

class MpiHostQueue : public plugin::MpiHost {
 public:
  struct Event {
    bool abort = false;  // else a fence contribution
    uint64_t seq = 0;
    int exit_code = 0;
    std::string data;  // fence data, or the abort message
  };

  MpiHostQueue() = default;
  ~MpiHostQueue() override;
  MpiHostQueue(const MpiHostQueue&) = delete;
  MpiHostQueue& operator=(const MpiHostQueue&) = delete;

  Status Init();
  // Readable when events are waiting.
  int fd() const { return fd_; }

  void SendFence(uint64_t seq, std::string data) override;
  void Abort(int exit_code, std::string message) override;

  // Everything queued so far, in order; clears the wakeup.
  std::vector<Event> Take();

 private:
  void Push(Event e);

  std::mutex mu_;
  std::vector<Event> events_;
  int fd_ = -1;
};

}  // namespace herd::noded
