// herd hrun — the step's I/O loop.
#include "commands/hrun/step_session.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include "commands/lib/dialect.h"

namespace herd::hrun {
namespace {

// hrun, or srun when started under that name.
const char* Me() { return cli::SlurmDialect() ? "srun" : "hrun"; }

constexpr int kPollMs = 100;
constexpr size_t kStdinChunk = 64 * 1024;
constexpr int kMaxFramesPerTurn = 1000;  // then timers and signals get their turn
constexpr std::chrono::seconds kLostNodeGrace{1};
constexpr std::chrono::seconds kSigintWindow{1};

int32_t ExitedWith(int code) { return code << 8; }  // the wait status of exit(code)

template <class T, class F>
void Dispatch(const proto::Frame& f, F&& handle) {
  auto m = proto::DecodeBody<T>(f.body);
  if (m.ok()) handle(*m);
}

}  // namespace

StepSession::StepSession(SessionSettings s, IoRouter* router, cli::SignalWatch* signals)
    : s_(std::move(s)),
      router_(router),
      signals_(signals),
      assembler_(s_.num_tasks, s_.label, s_.unbuffered),
      tasks_(s_.layout),
      fences_(static_cast<uint32_t>(s_.layout.size())),
      nodes_(s_.layout, Clock::now()) {
  stdin_node_ = tasks_.NodeOf(0);
  // A closed stdin reads as an immediate end of file.
  stdin_open_ = s_.stdin_mode == StdinMode::kForward && stdin_node_ && fcntl(0, F_GETFD) != -1;
}

int StepSession::Run() {
  while (true) {
    const bool want_stdin =
        stdin_open_ && !nodes_.at(*stdin_node_).peer.empty() && !nodes_.at(*stdin_node_).done;
    std::vector<zmq::pollitem_t> items = {
        {router_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, signals_->fd(), ZMQ_POLLIN, 0},
    };
    if (want_stdin) items.push_back({nullptr, STDIN_FILENO, ZMQ_POLLIN, 0});
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(kPollMs));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) {
        Error(std::string("poll failed: ") + e.what());
        final_code_ = 1;
        KillAll(kLostNodeGrace, Clock::now());
        break;
      }
    }
    for (int n = 0; n < kMaxFramesPerTurn; ++n) {
      auto in = router_->TryRecv();
      if (!in.ok()) {
        if (in.error().code() == Code::kInvalidArgument) continue;  // a malformed message
        break;
      }
      HandleFrame(*in, Clock::now());
    }
    for (int sig : signals_->Drain()) OnSignal(sig, Clock::now());
    if (want_stdin && (items[2].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) != 0) ReadStdin();
    CheckTimers(Clock::now());
    if (nodes_.AllDone() || (deadline_ && Clock::now() >= *deadline_)) break;
  }

  auto [out, err] = assembler_.FlushAll();
  Write(STDOUT_FILENO, out);
  Write(STDERR_FILENO, err);
  if (final_code_) return *final_code_;
  // Nodes that never finished (hrun gave up on them): their tasks were killed.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_.at(i).done) continue;
    tasks_.MarkUnreported(i, SIGKILL);
    for (const std::string& line : tasks_.DescribeFailures(i)) Error(line);
  }
  return tasks_.ExitCode();
}

void StepSession::HandleFrame(const net::Incoming& in, Clock::time_point now) {
  auto f = proto::DecodeFrame(in.bytes.data(), in.bytes.size());
  if (!f.ok() || !proto::SupportedVersion(*f) || f->auth != s_.token) {
    if (s_.verbose > 1) Info("dropping a frame that does not belong to this step");
    return;
  }
  nodes_.Heard(in.peer, now);
  switch (f->type) {
    case proto::MsgType::kStepHello:
      Dispatch<proto::StepHello>(*f, [&](const auto& m) { OnHello(m, in.peer, now); });
      break;
    case proto::MsgType::kTaskOutput:
      Dispatch<proto::TaskOutput>(*f, [&](const auto& m) { OnOutput(m); });
      break;
    case proto::MsgType::kTaskExit:
      Dispatch<proto::TaskExit>(*f, [&](const auto& m) { OnTaskExit(m, now); });
      break;
    case proto::MsgType::kStepNodeDone:
      Dispatch<proto::StepNodeDone>(*f, [&](const auto& m) { OnNodeDone(m); });
      break;
    case proto::MsgType::kStepAbort:
      Dispatch<proto::StepAbort>(*f, [&](const auto& m) { OnAbort(m, now); });
      break;
    case proto::MsgType::kFenceContribution:
      Dispatch<proto::FenceContribution>(*f, [&](const auto& m) { OnFence(m); });
      break;
    default:
      break;
  }
}

void StepSession::OnHello(const proto::StepHello& m, const std::string& peer,
                          Clock::time_point now) {
  const bool first = m.node_index < nodes_.size() && nodes_.at(m.node_index).peer.empty();
  if (!nodes_.Hello(m.node_index, m.node, peer, now)) {
    if (s_.verbose > 0) Info("ignoring a hello from unknown node " + m.node);
    return;
  }
  if (first && s_.verbose > 0) Info("node " + m.node + " connected");
  FlushQueue(m.node_index);
  if (stdin_node_ == m.node_index && !stdin_open_ && !stdin_eof_sent_ &&
      s_.stdin_mode != StdinMode::kElsewhere) {
    proto::StdinData eof;
    eof.eof = true;
    SendTo(m.node_index, eof);
    stdin_eof_sent_ = true;
  }
}

void StepSession::OnOutput(const proto::TaskOutput& m) {
  if (!tasks_.NodeOf(m.rank)) return;
  const int fd = m.stream == 2 ? STDERR_FILENO : STDOUT_FILENO;
  Write(fd, assembler_.Add(m.rank, m.stream == 2 ? 2 : 1, m.data));
}

void StepSession::OnTaskExit(const proto::TaskExit& m, Clock::time_point now) {
  if (!tasks_.RecordExit(m.rank, m.wait_status)) return;
  auto [out, err] = assembler_.FlushRank(m.rank);
  Write(STDOUT_FILENO, out);
  Write(STDERR_FILENO, err);
  if (!first_exit_) first_exit_ = now;
  if (m.rank == 0) stdin_open_ = false;  // nobody left to read it
  const int code = ExitCodeOf(m.wait_status);
  if (s_.kill_on_bad_exit && code != 0 && !killed_) {
    // The failing task's code is the step's, not the SIGKILL of the others.
    if (!final_code_) final_code_ = code;
    Info("Terminating StepId=" + StepName());
    KillAll(std::nullopt, now);
  }
}

void StepSession::OnNodeDone(const proto::StepNodeDone& m) {
  const auto idx = nodes_.Find(m.node);
  if (!idx || nodes_.at(*idx).done) return;
  nodes_.MarkDone(*idx);
  if (!m.message.empty()) Error(m.node + ": " + m.message);
  tasks_.MarkUnreported(*idx, ExitedWith(1));  // tasks that never ran or were lost
  for (const std::string& line : tasks_.DescribeFailures(*idx)) Error(line);
  if (stdin_node_ == idx) stdin_open_ = false;
}

void StepSession::OnAbort(const proto::StepAbort& m, Clock::time_point now) {
  if (final_code_ && killed_) return;  // the step is already being ended
  const auto idx = nodes_.Find(m.node);
  Error(m.node + ": " + (idx ? tasks_.NodeTasks(*idx) : std::string("tasks")) +
        " aborted: " + m.message);
  final_code_ = m.exit_code;
  KillAll(kKillGrace, now);
}

void StepSession::OnFence(const proto::FenceContribution& m) {
  auto all = fences_.Add(m.seq, m.node_index, m.data);
  if (!all) return;
  proto::FenceResult r;
  r.seq = m.seq;
  r.data = std::move(*all);
  SendAll(r);
}

void StepSession::OnSignal(int sig, Clock::time_point now) {
  if (sig == SIGINT) {
    if (last_sigint_ && now - *last_sigint_ <= kSigintWindow) {
      std::fprintf(stderr, "%s: forcing job termination\n", Me());
      KillAll(kKillGrace, now);
      return;
    }
    last_sigint_ = now;
    Info("interrupt (one more within 1 sec to abort)");
  }
  proto::StepSignal m;
  m.signal = sig;
  SendAll(m);
}

void StepSession::ReadStdin() {
  std::string buf(kStdinChunk, '\0');
  const ssize_t n = read(STDIN_FILENO, buf.data(), buf.size());
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  proto::StdinData m;
  if (n > 0) {
    m.data.assign(buf.data(), static_cast<size_t>(n));
  } else {
    m.eof = true;  // end of file, or an error that ends it the same way
    stdin_open_ = false;
    stdin_eof_sent_ = true;
  }
  SendTo(*stdin_node_, m);
}

void StepSession::CheckTimers(Clock::time_point now) {
  if (!lost_node_) {
    if (auto i = nodes_.FindSilent(now, kHelloTimeout, kSilenceTimeout)) {
      lost_node_ = true;
      Error("node " + nodes_.at(*i).name + " is not responding; step " + StepName() +
            " terminated");
      nodes_.MarkDone(*i);
      final_code_ = 1;
      KillAll(kLostNodeGrace, now);
    }
  }
  if (s_.wait_s > 0 && first_exit_ && !killed_ && !tasks_.AllExited() &&
      now - *first_exit_ >= std::chrono::seconds(s_.wait_s)) {
    Error("Timed out waiting for job step to complete");
    KillAll(std::nullopt, now);
  }
}

void StepSession::KillAll(std::optional<Clock::duration> grace, Clock::time_point now) {
  if (!killed_) {
    proto::StepSignal m;
    m.signal = SIGKILL;
    SendAll(m);
    killed_ = true;
  }
  stdin_open_ = false;
  if (grace) {
    const Clock::time_point d = now + *grace;
    if (!deadline_ || d < *deadline_) deadline_ = d;
  }
}

template <class T>
void StepSession::SendTo(size_t node, const T& msg) {
  const NodeTable::Link& l = nodes_.at(node);
  if (l.done) return;
  proto::Frame f = proto::MakeFrame(msg, 0);
  f.auth = s_.token;
  std::string bytes = proto::EncodeFrame(f);
  if (l.peer.empty()) {
    queued_[node].push_back(std::move(bytes));  // sent when the node says hello
    return;
  }
  router_->Send(l.peer, bytes);
}

template <class T>
void StepSession::SendAll(const T& msg) {
  for (size_t i = 0; i < nodes_.size(); ++i) SendTo(i, msg);
}

void StepSession::FlushQueue(size_t node) {
  auto it = queued_.find(node);
  if (it == queued_.end()) return;
  for (const std::string& bytes : it->second) router_->Send(nodes_.at(node).peer, bytes);
  queued_.erase(it);
}

void StepSession::Info(const std::string& text) const {
  if (!s_.quiet) std::fprintf(stderr, "%s: %s\n", Me(), text.c_str());
}

void StepSession::Error(const std::string& text) const {
  // One write per line, so task output written to the same descriptor can never land
  // inside it.
  const std::string line = std::string(Me()) + ": error: " + text + "\n";
  ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  (void)n;
}

void StepSession::Write(int fd, const std::string& bytes) {
  bool& ok = fd == STDERR_FILENO ? stderr_ok_ : stdout_ok_;
  size_t off = 0;
  while (ok && off < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      struct pollfd p = {fd, POLLOUT, 0};
      const auto before = std::chrono::steady_clock::now();
      poll(&p, 1, kPollMs);
      nodes_.Postpone(std::chrono::steady_clock::now() - before);
    } else if (!(n < 0 && errno == EINTR)) {
      ok = false;  // closed pipe or full disk: the rest of this stream is dropped
      if (n < 0 && errno == EPIPE) {
        // As in a local pipeline, the writers get SIGPIPE (`hrun yes | head` ends).
        proto::StepSignal m;
        m.signal = SIGPIPE;
        SendAll(m);
      }
    }
  }
}

std::string StepSession::StepName() const {
  return std::to_string(s_.job_id) + "." + std::to_string(s_.step_id);
}

}  // namespace herd::hrun
