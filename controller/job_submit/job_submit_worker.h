// herd — the job_submit filter off the controller's loop. Submissions wait in a bounded
// queue for one worker thread that runs job_submit.lua (LuaFilter) on each in turn; their
// verdicts come back through TakeDone(), and an eventfd the loop polls tells it when one
// is ready. The loop never waits for the script: a slow or endless script delays only
// the submissions behind it (each call ends at the filter's deadline), and every other
// request is served meanwhile.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/status.h"
#include "common/proto/envelope.h"
#include "common/proto/messages.h"
#include "controller/job_submit/lua_filter.h"

namespace herd::ctld {

class JobSubmitWorker {
 public:
  struct Item {
    std::string peer;  // routing id to answer
    Identity who;
    proto::Frame frame;  // the request as it came (its body is replaced by the filtered one)
    proto::SubmitJobRequest req;
    std::vector<LuaPartition> parts;
    LuaVerdict verdict;  // set by the worker
  };

  // `max_waiting`: submissions queued at most; more are refused at once.
  JobSubmitWorker(std::string script, LuaFilter::Options options, size_t max_waiting = 1024);
  // Waits for the call in progress (which ends at the filter's deadline unless the script
  // blocks in a system call; then the thread is left behind, as the process is ending).
  ~JobSubmitWorker();
  JobSubmitWorker(const JobSubmitWorker&) = delete;
  JobSubmitWorker& operator=(const JobSubmitWorker&) = delete;

  // Queues a submission; kResourceExhausted when too many are waiting.
  Status Push(Item item);
  // The submissions whose verdict is ready, in the order they were pushed.
  std::vector<Item> TakeDone();
  // Readable while TakeDone() has something (an eventfd).
  int wake_fd() const { return shared_->efd; }
  // Queued or running, not yet taken.
  size_t in_flight() const;

 private:
  struct Shared {
    explicit Shared(std::string script, LuaFilter::Options o) : filter(std::move(script), o) {}
    ~Shared();
    LuaFilter filter;
    int efd = -1;
    mutable std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> todo;
    std::vector<Item> done;
    bool busy = false;
    bool stop = false;
  };
  static void Loop(std::shared_ptr<Shared> s);

  std::shared_ptr<Shared> shared_;
  size_t max_waiting_;
  std::thread thread_;
};

}  // namespace herd::ctld
