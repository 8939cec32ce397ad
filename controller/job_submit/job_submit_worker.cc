// herd — the job_submit filter's worker thread.
#include "controller/job_submit/job_submit_worker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "common/base/log.h"

namespace herd::ctld {

JobSubmitWorker::Shared::~Shared() {
  if (efd >= 0) ::close(efd);
}

JobSubmitWorker::JobSubmitWorker(std::string script, LuaFilter::Options options, size_t max_waiting)
    : shared_(std::make_shared<Shared>(std::move(script), options)), max_waiting_(max_waiting) {
  shared_->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (shared_->efd < 0) HERD_LOG(Error) << "job_submit: eventfd failed; verdicts are polled";
  {
    // Loaded now, so that a script that does not load is logged at start.
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->busy = true;
  }
  thread_ = std::thread(Loop, shared_);
}

JobSubmitWorker::~JobSubmitWorker() {
  std::unique_lock<std::mutex> lock(shared_->mu);
  shared_->stop = true;
  shared_->cv.notify_all();
  // A call ends at the filter's deadline; one blocked in a system call may not.
  const bool idle =
      shared_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return !shared_->busy; });
  lock.unlock();
  if (idle) {
    thread_.join();
  } else {
    HERD_LOG(Warning) << "job_submit.lua is still running at exit: left behind";
    thread_.detach();  // it holds its own reference to the shared state
  }
}

void JobSubmitWorker::Loop(std::shared_ptr<Shared> s) {
  (void)s->filter.Refresh();
  std::unique_lock<std::mutex> lock(s->mu);
  s->busy = false;
  s->cv.notify_all();
  for (;;) {
    s->cv.wait(lock, [&] { return s->stop || !s->todo.empty(); });
    if (s->stop) return;
    Item item = std::move(s->todo.front());
    s->todo.pop_front();
    s->busy = true;
    lock.unlock();
    item.verdict = s->filter.Submit(&item.req.spec, item.who.uid, item.who.gid, item.parts);
    lock.lock();
    s->busy = false;
    s->done.push_back(std::move(item));
    s->cv.notify_all();
    if (s->efd >= 0) {
      const uint64_t one = 1;
      if (::write(s->efd, &one, sizeof one) < 0) HERD_LOG(Debug) << "job_submit: eventfd write";
    }
  }
}

Status JobSubmitWorker::Push(Item item) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->todo.size() >= max_waiting_) {
    return ResourceExhausted("too many submissions waiting for the site's job_submit.lua (" +
                             std::to_string(shared_->todo.size()) + "): try again later");
  }
  shared_->todo.push_back(std::move(item));
  shared_->cv.notify_all();
  return Status::Ok();
}

std::vector<JobSubmitWorker::Item> JobSubmitWorker::TakeDone() {
  std::vector<Item> out;
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->efd >= 0) {
    uint64_t n = 0;
    (void)!::read(shared_->efd, &n, sizeof n);
  }
  out.swap(shared_->done);
  return out;
}

size_t JobSubmitWorker::in_flight() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->todo.size() + shared_->done.size() + (shared_->busy ? 1 : 0);
}

}  // namespace herd::ctld
