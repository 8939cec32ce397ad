// herd hrun — tests of the step session against fake step daemons (DEALER sockets in the
// test): fences, stdin end of file, output and labels, exit codes, stray tokens, aborts.
// hrun's stdout and stderr are captured into files while the session runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "commands/hrun/io_endpoint.h"
#include "commands/hrun/step_session.h"
#include "common/base/fs.h"
#include "common/net/curve_keys.h"
#include "common/proto/codec.h"

namespace herd::hrun {
namespace {

constexpr char kToken[] = "secret-token";

// Points fd 1 and 2 at files for the object's life.
class Capture {
 public:
  Capture() : out_(Redirect(STDOUT_FILENO, "out")), err_(Redirect(STDERR_FILENO, "err")) {}
  ~Capture() { Restore(); }
  void Restore() {
    if (restored_) return;
    std::fflush(nullptr);
    dup2(out_.saved, STDOUT_FILENO);
    dup2(err_.saved, STDERR_FILENO);
    close(out_.saved);
    close(err_.saved);
    restored_ = true;
  }
  std::string out() const { return Read(out_.path); }
  std::string err() const { return Read(err_.path); }

 private:
  struct Saved {
    int saved;
    std::string path;
  };
  static std::string Read(const std::string& path) {
    auto text = ReadFile(path);
    return text.ok() ? *text : "?";
  }
  static Saved Redirect(int fd, const std::string& name) {
    std::fflush(nullptr);
    // Per process: ctest runs the cases of this file in parallel processes.
    Saved s{dup(fd),
            ::testing::TempDir() + "hrun_session_" + std::to_string(getpid()) + "_" + name};
    std::FILE* f = std::fopen(s.path.c_str(), "w");
    dup2(fileno(f), fd);
    std::fclose(f);
    return s;
  }
  Saved out_;
  Saved err_;
  bool restored_ = false;
};

// One node's step daemon as hrun sees it.
class FakeNode {
 public:
  // `key`: hrun's CURVE public key, as the step daemons get it (StepSpec::io_key).
  FakeNode(const std::string& address, const std::string& key)
      : sock_(net::Context(), zmq::socket_type::dealer) {
    sock_.set(zmq::sockopt::linger, 0);
    EXPECT_TRUE(net::MakeCurveClient(sock_, key).ok());
    sock_.connect(address);
  }
  template <class T>
  void Send(const T& msg, const std::string& token = kToken) {
    proto::Frame f = proto::MakeFrame(msg, 0);
    f.auth = token;
    sock_.send(zmq::buffer(proto::EncodeFrame(f)), zmq::send_flags::none);
  }
  // The next frame of type T (others are skipped); fails after 5 s.
  template <class T>
  Result<T> Expect() {
    for (int i = 0; i < 100; ++i) {
      zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(50));
      zmq::message_t m;
      if (!sock_.recv(m, zmq::recv_flags::dontwait)) continue;
      auto f = proto::DecodeFrame(m.data(), m.size());
      if (!f.ok() || f->type != T::kType) continue;
      if (f->auth != kToken) return InvalidArgument("frame without the token");
      return proto::DecodeBody<T>(f->body);
    }
    return DeadlineExceeded(std::string("no ") + proto::MsgTypeName(T::kType));
  }

 private:
  zmq::socket_t sock_;
};

SessionSettings TwoNodes() {
  SessionSettings s;
  s.job_id = 5;
  s.step_id = 1;
  s.token = kToken;
  s.layout.resize(2);
  s.layout[0].node = "n1";
  s.layout[0].tasks = {0, 1};
  s.layout[1].node = "n2";
  s.layout[1].tasks = {2, 3};
  s.num_tasks = 4;
  s.label = true;
  s.stdin_mode = StdinMode::kNone;
  return s;
}

struct Harness {
  std::unique_ptr<IoRouter> router = BindIoEndpoint("127.0.0.1").value();
  std::unique_ptr<cli::SignalWatch> signals = cli::SignalWatch::Create({SIGUSR2}).value();
  FakeNode n1{router->address(), router->public_key()};
  FakeNode n2{router->address(), router->public_key()};
  int code = -1;
  std::thread thread;
  void Start(SessionSettings s) {
    thread = std::thread([this, s]() { code = StepSession(s, router.get(), signals.get()).Run(); });
    n1.Send(proto::StepHello{"n1", 0, false});
    n2.Send(proto::StepHello{"n2", 1, false});
  }
};

TEST(StepSession, FenceOutputStdinAndExitCode) {
  Harness h;
  Capture cap;
  h.Start(TwoNodes());
  auto eof = h.n1.Expect<proto::StdinData>();  // -i none: task 0's node gets EOF at once
  h.n2.Send(proto::FenceContribution{1, 1, "B"});
  h.n1.Send(proto::FenceContribution{1, 0, "A"});
  auto f1 = h.n1.Expect<proto::FenceResult>();
  auto f2 = h.n2.Expect<proto::FenceResult>();
  h.n1.Send(proto::TaskOutput{0, 1, "hello\n"});
  h.n1.Send(proto::TaskOutput{1, 1, "intruder\n"}, "wrong-token");
  h.n2.Send(proto::TaskOutput{3, 2, "warn\n"});
  h.n1.Send(proto::TaskExit{0, 0});
  h.n1.Send(proto::TaskExit{1, 3 << 8});
  h.n2.Send(proto::TaskExit{2, 0});
  h.n2.Send(proto::TaskExit{3, 0});
  h.n1.Send(proto::StepNodeDone{"n1", ""});
  h.n2.Send(proto::StepNodeDone{"n2", ""});
  h.thread.join();
  cap.Restore();
  ASSERT_TRUE(eof.ok()) << eof.error().message();
  EXPECT_TRUE(eof->eof);
  ASSERT_TRUE(f1.ok()) << f1.error().message();
  ASSERT_TRUE(f2.ok()) << f2.error().message();
  EXPECT_EQ(f1->seq, 1u);
  EXPECT_EQ(f1->data, "AB");
  EXPECT_EQ(f2->data, "AB");
  EXPECT_EQ(h.code, 3);
  EXPECT_EQ(cap.out(), "0: hello\n");
  // The two nodes' messages may interleave in any order, each line stays whole.
  EXPECT_NE(cap.err().find("3: warn\n"), std::string::npos) << cap.err();
  EXPECT_NE(cap.err().find("hrun: error: n1: task 1: Exited with exit code 3\n"), std::string::npos)
      << cap.err();
  EXPECT_EQ(cap.err().size(), std::string("3: warn\n").size() + 49) << cap.err();
}

TEST(StepSession, AbortKillsEveryNode) {
  Harness h;
  Capture cap;
  h.Start(TwoNodes());
  h.n2.Send(proto::StepAbort{"n2", 7, "MPI_Abort"});
  auto k1 = h.n1.Expect<proto::StepSignal>();
  auto k2 = h.n2.Expect<proto::StepSignal>();
  h.n1.Send(proto::StepNodeDone{"n1", ""});
  h.n2.Send(proto::StepNodeDone{"n2", ""});
  h.thread.join();
  cap.Restore();
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(k1->signal, SIGKILL);
  EXPECT_EQ(k2->signal, SIGKILL);
  EXPECT_EQ(h.code, 7);
  EXPECT_NE(cap.err().find("hrun: error: n2: tasks 2-3 aborted: MPI_Abort\n"), std::string::npos)
      << cap.err();
}

TEST(StepSession, KillOnBadExit) {
  Harness h;
  Capture cap;
  SessionSettings s = TwoNodes();
  s.kill_on_bad_exit = true;
  s.quiet = true;
  h.Start(s);
  h.n2.Send(proto::TaskExit{2, 4 << 8});
  auto k1 = h.n1.Expect<proto::StepSignal>();
  h.n1.Send(proto::TaskExit{0, SIGKILL});
  h.n1.Send(proto::StepNodeDone{"n1", ""});
  h.n2.Send(proto::StepNodeDone{"n2", ""});
  h.thread.join();
  cap.Restore();
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ(k1->signal, SIGKILL);
  EXPECT_EQ(h.code, 4);  // the failing task's code, not the SIGKILL of the others
}

// hrun's ROUTER is a CURVE server with a key of its own: a step daemon told the key gets
// through; a peer without it (another user's process posing as a step daemon) completes
// no handshake, and nothing it sends arrives.
TEST(IoRouter, OnlyPeersWithItsKeyGetThrough) {
  std::unique_ptr<IoRouter> router = BindIoEndpoint("127.0.0.1").value();
  ASSERT_TRUE(net::CheckCurveKey(router->public_key()).ok());
  zmq::socket_t plain(net::Context(), zmq::socket_type::dealer);
  plain.set(zmq::sockopt::linger, 0);
  plain.connect(router->address());
  zmq::socket_t wrong(net::Context(), zmq::socket_type::dealer);
  wrong.set(zmq::sockopt::linger, 0);
  ASSERT_TRUE(net::MakeCurveClient(wrong, net::GenerateCurveKeyPair()->public_key).ok());
  wrong.connect(router->address());
  const std::string bogus = "posing as a step daemon";
  plain.send(zmq::buffer(bogus), zmq::send_flags::dontwait);
  wrong.send(zmq::buffer(bogus), zmq::send_flags::dontwait);
  FakeNode good(router->address(), router->public_key());
  good.Send(proto::StepHello{"n1", 0, false});
  // The good node's frame arrives; nothing else ever does.
  int got = 0;
  for (int i = 0; i < 40 && got < 2; ++i) {
    zmq::pollitem_t item{router->socket().handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(50));
    while (true) {
      auto in = router->TryRecv();
      if (!in.ok()) break;
      EXPECT_NE(in->bytes, bogus);
      ++got;
    }
  }
  EXPECT_EQ(got, 1);
}

}  // namespace
}  // namespace herd::hrun
