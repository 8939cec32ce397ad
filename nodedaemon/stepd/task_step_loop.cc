// herd — herdstepd in step mode: the loop (signals, task pipes, hrun, the MPI plugin).
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/base/log.h"
#include "common/proto/codec.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/stepd/task_step.h"

namespace herd::noded {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxStdinBuffer = 64u << 20;
constexpr auto kHeartbeat = std::chrono::seconds(1);

// Where a poll item came from.
struct Source {
  enum Kind { kSignals, kMpi, kHrun, kStdin, kOutput } kind;
  size_t task = 0;
  bool err = false;
};

}  // namespace

bool TaskStep::AllEnded() const {
  return std::none_of(tasks_.begin(), tasks_.end(), [](const Task& t) { return t.running; });
}

void TaskStep::Loop() {
  ReapExited([this](pid_t pid, int status) { OnReaped(pid, status); });
  while (!AllEnded()) {
    std::vector<zmq::pollitem_t> items;
    std::vector<Source> sources;
    items.push_back({nullptr, signal_fd_, ZMQ_POLLIN, 0});
    sources.push_back({Source::kSignals});
    if (mpi_started_) {
      items.push_back({nullptr, mpi_host_.fd(), ZMQ_POLLIN, 0});
      sources.push_back({Source::kMpi});
    }
    if (link_ && link_->is_open()) {
      auto events = static_cast<short>(ZMQ_POLLIN | (link_->HasPending() ? ZMQ_POLLOUT : 0));
      items.push_back({link_->socket_handle(), 0, events, 0});
      sources.push_back({Source::kHrun});
    }
    if (stdin_fd_ >= 0 && !stdin_buf_.empty()) {
      items.push_back({nullptr, stdin_fd_, ZMQ_POLLOUT, 0});
      sources.push_back({Source::kStdin});
    }
    // Backpressure: while hrun has not taken enough of the output, the tasks' pipes are
    // left alone (the tasks block writing); the hrun socket's POLLOUT says when to resume.
    const bool congested = link_ && link_->Congested();
    for (size_t i = 0; i < tasks_.size() && !congested; ++i) {
      for (const Stream* s : {&tasks_[i].out, &tasks_[i].err}) {
        if (s->fd < 0) continue;
        items.push_back({nullptr, s->fd, ZMQ_POLLIN, 0});
        sources.push_back({Source::kOutput, i, s == &tasks_[i].err});
      }
    }
    auto now = Clock::now();
    auto wake = std::min({next_heartbeat_, kill_at_, time_limit_at_});
    auto timeout = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now),
                              std::chrono::milliseconds(0), std::chrono::milliseconds(1000));
    try {
      zmq::poll(items.data(), items.size(), timeout);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) {
        HERD_LOG(Error) << "poll failed: " << e.what();
      }
      continue;
    }
    for (size_t k = 0; k < items.size(); ++k) {
      if (items[k].revents == 0) continue;
      const Source& src = sources[k];
      switch (src.kind) {
        case Source::kSignals:
          HandleSignals();
          break;
        case Source::kMpi:
          HandleMpiEvents();
          break;
        case Source::kHrun:
          HandleHrun();
          break;
        case Source::kStdin:
          WriteStdin();
          break;
        case Source::kOutput: {
          Task& t = tasks_[src.task];
          ReadStream(t, src.err ? t.err : t.out, /*final=*/false);
          break;
        }
      }
    }
    OnTimers();
  }
}

void TaskStep::OnTimers() {
  auto now = Clock::now();
  if (now >= next_heartbeat_) {
    next_heartbeat_ = now + kHeartbeat;
    // A link that cannot even take the last heartbeat gets no new one.
    if (link_ && !link_->HasPending()) link_->Send(proto::StepHello{node_, node_index_, true});
  }
  if (now >= time_limit_at_) {
    time_limit_at_ = Clock::time_point::max();
    BeginTerminate("the step reached its time limit");
  }
  if (now >= kill_at_) {
    kill_at_ = Clock::time_point::max();
    HERD_LOG(Info) << "step " << job_id_ << "." << step_id_ << " outlived its kill wait: SIGKILL";
    SignalTasks(SIGKILL);
  }
}

void TaskStep::HandleSignals() {
  struct signalfd_siginfo si;
  while (::read(signal_fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    switch (si.ssi_signo) {
      case SIGCHLD:
        ReapExited([this](pid_t pid, int status) { OnReaped(pid, status); });
        break;
      case SIGTERM:
      case SIGINT:
        BeginTerminate("terminated");
        break;
      default:
        break;
    }
  }
}

void TaskStep::OnReaped(pid_t pid, int status) {
  auto it = std::find_if(tasks_.begin(), tasks_.end(),
                         [pid](const Task& t) { return t.pid == pid && t.running; });
  if (it == tasks_.end()) return;  // an orphan of the step, re-parented to us
  Task& t = *it;
  t.running = false;
  t.wait_status = status;
  // Whatever the task wrote before it ended goes out before its exit.
  ReadStream(t, t.out, /*final=*/false);
  ReadStream(t, t.err, /*final=*/false);
  if (t.rank == 0) CloseStdin();
  RunTaskEpilog(t);
  SendTaskExit(t);
  bool bad = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  if (bad && launch_.spec.kill_on_bad_exit && !AllEnded()) {
    std::string why = "task " + std::to_string(t.rank) + " failed (wait status " +
                      std::to_string(status) + "); --kill-on-bad-exit";
    HERD_LOG(Info) << why << ": killing the step's tasks";
    if (message_.empty()) message_ = why;
    SignalTasks(SIGKILL);
  }
}

// Before the task's exit is reported, as slurmstepd does: what the TaskEpilog does is done
// when hrun sees the task end. It holds the loop for its run (PrologEpilogTimeout bounds it).
void TaskStep::RunTaskEpilog(Task& t) {
  const std::string& program = config_.hooks.task_epilog;
  if (program.empty()) return;
  const uint32_t timeout_s = TaskEpilogTimeoutS(config_.hooks.prolog_epilog_timeout_s);
  auto run = noded::RunTaskEpilog(program, TaskEpilogEnv(std::move(t.env)), task_user_, timeout_s);
  t.env.clear();
  if (!run.ok()) {
    HERD_LOG(Warning) << "task " << t.rank << ": TaskEpilog: " << run.error().message();
  } else if (run->timed_out || !WIFEXITED(run->wait_status) || WEXITSTATUS(run->wait_status) != 0) {
    HERD_LOG(Warning) << "task " << t.rank << ": " << HookFailure("TaskEpilog", *run, timeout_s);
  }
}

void TaskStep::ReadStream(Task& t, Stream& s, bool final) {
  if (s.fd < 0) return;
  char buf[kReadChunk];
  bool eof = false;
  // A bounded number of reads per call keeps one chatty task from starving the loop; at the
  // end (every writer is dead) the pipe is read to its end.
  const int max_reads = final ? 1024 : 16;
  for (int i = 0; i < max_reads; ++i) {
    ssize_t n = ::read(s.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      eof = true;
      break;
    }
    if (n < 0) break;  // EAGAIN: nothing more now
    for (std::string& chunk : s.lines.Append(buf, static_cast<size_t>(n))) {
      SendOutput(t, s.id, std::move(chunk));
    }
  }
  if (eof || final) {
    std::string rest = s.lines.Flush();
    if (!rest.empty()) SendOutput(t, s.id, std::move(rest));
    ::close(s.fd);
    s.fd = -1;
  }
}

void TaskStep::SendOutput(const Task& t, uint8_t stream, std::string data) {
  if (!link_) return;
  proto::TaskOutput out;
  out.rank = t.rank;
  out.stream = stream;
  out.data = std::move(data);
  link_->SendOutput(out);
}

void TaskStep::SendTaskExit(Task& t) {
  t.exit_sent = true;
  HERD_LOG(Debug) << "task " << t.rank << " ended with wait status " << t.wait_status;
  if (link_) link_->Send(proto::TaskExit{t.rank, t.wait_status});
}

void TaskStep::HandleHrun() {
  link_->Pump();
  for (int i = 0; i < 1000; ++i) {
    auto f = link_->TryRecv();
    if (!f.ok()) {
      if (f.error().code() != Code::kNotFound) {
        HERD_LOG(Warning) << f.error().message();
      }
      return;
    }
    OnHrunFrame(*f);
  }
}

void TaskStep::OnHrunFrame(const proto::Frame& f) {
  switch (f.type) {
    case proto::MsgType::kStdinData: {
      auto m = proto::DecodeBody<proto::StdinData>(f.body);
      if (!m.ok()) break;
      if (stdin_fd_ < 0) return;  // task 0 is not here, or its stdin is closed
      if (stdin_buf_.size() + m->data.size() > kMaxStdinBuffer) {
        HERD_LOG(Warning) << "task 0 does not read its stdin: dropping " << m->data.size()
                          << " bytes";
      } else {
        stdin_buf_ += m->data;
      }
      stdin_eof_ = stdin_eof_ || m->eof;
      WriteStdin();
      return;
    }
    case proto::MsgType::kStepSignal: {
      auto m = proto::DecodeBody<proto::StepSignal>(f.body);
      if (!m.ok()) break;
      if (m->signal <= 0 || m->signal >= NSIG) {
        HERD_LOG(Warning) << "hrun asks for bad signal " << m->signal;
        return;
      }
      HERD_LOG(Info) << "hrun: signal " << m->signal << " to the tasks";
      if (m->signal == SIGKILL && message_.empty()) message_ = "killed by hrun";
      SignalTasks(m->signal);
      return;
    }
    case proto::MsgType::kFenceResult: {
      auto m = proto::DecodeBody<proto::FenceResult>(f.body);
      if (!m.ok()) break;
      if (mpi_started_) mpi_->FenceDone(m->seq, m->data);
      return;
    }
    default:
      HERD_LOG(Warning) << "dropping " << proto::MsgTypeName(f.type) << " from hrun";
      return;
  }
  HERD_LOG(Warning) << "dropping a malformed " << proto::MsgTypeName(f.type) << " from hrun";
}

void TaskStep::WriteStdin() {
  while (stdin_fd_ >= 0 && !stdin_buf_.empty()) {
    ssize_t n = ::write(stdin_fd_, stdin_buf_.data(), stdin_buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // the pipe is full: poll says when
    if (n < 0) {
      CloseStdin();  // the task closed its stdin
      return;
    }
    stdin_buf_.erase(0, static_cast<size_t>(n));
  }
  if (stdin_eof_) CloseStdin();
}

void TaskStep::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
  stdin_buf_.clear();
}

void TaskStep::HandleMpiEvents() {
  for (MpiHostQueue::Event& e : mpi_host_.Take()) {
    if (!e.abort) {
      if (link_) link_->Send(proto::FenceContribution{e.seq, node_index_, std::move(e.data)});
      continue;
    }
    HERD_LOG(Info) << "a rank aborted the step (exit code " << e.exit_code << "): " << e.data;
    if (message_.empty()) message_ = "MPI abort: " + e.data;
    if (link_) link_->Send(proto::StepAbort{node_, e.exit_code, e.data});
    SignalTasks(SIGKILL);
  }
}

void TaskStep::SignalTasks(int sig) {
  if (sig == SIGKILL && job_.cgroup.Exists()) (void)job_.cgroup.KillAll();
  int n = SignalJob(job_, sig);
  HERD_LOG(Debug) << "signal " << sig << " to " << n << " processes";
}

void TaskStep::BeginTerminate(const std::string& why) {
  if (terminating_) return;
  terminating_ = true;
  if (message_.empty()) message_ = why;
  uint32_t kill_wait = ReadKillWait(dir_, config_.kill_wait_s);
  SignalTasks(SIGCONT);
  SignalTasks(SIGTERM);
  kill_at_ = Clock::now() + std::chrono::seconds(kill_wait);
  HERD_LOG(Info) << "step " << job_id_ << "." << step_id_ << ": " << why << "; SIGKILL in "
                 << kill_wait << " s";
}

}  // namespace herd::noded
