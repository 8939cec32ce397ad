// herd — Caller's failover between controllers, against in-process fake controllers and a
// real stopped process. Bounds on time are generous: they tell "moved on" from "waited out
// the whole timeout", nothing finer (tests never assert on timings).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "common/net/rpc_client.h"
#include "common/proto/ha_messages.h"
#include "common/tests/fake_controller.h"

namespace herd::net {
namespace {

using herd::testing::FakeController;
using herd::testing::OkFrame;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

proto::Frame NotActive(const std::string& active_name, const std::string& active_addr,
                       uint64_t epoch) {
  proto::NotActiveReply na;
  na.active_name = active_name;
  na.active_addr = active_addr;
  na.epoch = epoch;
  na.role = "passive";
  return proto::MakeFrame(na, 0, epoch);
}

proto::Frame Ping() { return proto::MakeFrame(proto::PingRequest{}, 0); }

// An address nothing listens on: a port the kernel gave us, then closed.
std::string DeadAddress() {
  FakeController gone([](const proto::Frame&, int) { return std::nullopt; });
  std::string a = gone.address();
  gone.Stop();
  return a;
}

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t).count();
}

TEST(Caller, OneServerAnswers) {
  FakeController ctl([](const proto::Frame&, int) { return OkFrame(1); });
  Caller caller({ctl.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 0u);
  EXPECT_EQ(caller.max_epoch(), 1u);
}

TEST(Caller, OneDeadServerTimesOutAsDeadlineExceeded) {
  Caller caller({DeadAddress()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(300));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kDeadlineExceeded) << r.error().ToString();
}

TEST(Caller, FollowsNotActiveToTheNamedActive) {
  FakeController active([](const proto::Frame&, int) { return OkFrame(4); });
  const std::string active_addr = active.address();
  FakeController passive(
      [&](const proto::Frame&, int) { return NotActive("ctl2", active_addr, 4); });
  Caller caller({passive.address(), active.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_EQ(caller.active(), 1u);
  EXPECT_EQ(passive.requests(), 1);
  // The next call goes straight to the active.
  ASSERT_TRUE(caller.CallFrame(Ping(), milliseconds(5000)).ok());
  EXPECT_EQ(passive.requests(), 1);
  EXPECT_EQ(active.requests(), 2);
}

TEST(Caller, SkipsADeadPortQuickly) {
  FakeController live([](const proto::Frame&, int) { return OkFrame(2); });
  Caller caller({DeadAddress(), live.address()}, nullptr);
  const auto start = Clock::now();
  auto r = caller.CallFrame(Ping(), milliseconds(20000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_LT(MsSince(start), 3000);
}

TEST(Caller, GivesUpAtTheDeadlineDuringAnEndlessElection) {
  auto electing = [](const proto::Frame&, int) { return NotActive("", "", 7); };
  FakeController a(electing);
  FakeController b(electing);
  Caller caller({a.address(), b.address()}, nullptr);
  const auto start = Clock::now();
  auto r = caller.CallFrame(Ping(), milliseconds(600));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("no active controller"), std::string::npos)
      << r.error().message();
  EXPECT_GE(MsSince(start), 500);  // it kept going round, with pauses
  EXPECT_GT(a.requests(), 1);
  EXPECT_LT(a.requests(), 100);
  EXPECT_EQ(caller.max_epoch(), 7u);
}

// A controller that cannot become active says why (a full state disk); when a later try is
// cut short by the deadline, the error still carries that reason.
TEST(Caller, KeepsTheReasonOfANotActiveServerPastTheDeadline) {
  FakeController ctl([](const proto::Frame&, int n) -> std::optional<proto::Frame> {
    if (n > 1) return std::nullopt;  // the next tries go unanswered until the deadline
    proto::NotActiveReply na;
    na.role = "passive";
    na.reason = "cannot save its vote: No space left on device";
    na.epoch = 2;
    return proto::MakeFrame(na, 0, 2);
  });
  Caller caller({ctl.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find(
                "is passive and cannot save its vote: No space left on device, epoch 2"),
            std::string::npos)
      << r.error().message();
  EXPECT_GT(ctl.requests(), 1);
}

TEST(Caller, IgnoresAReplyWithALowerEpoch) {
  FakeController stale([](const proto::Frame&, int) { return OkFrame(3); });
  FakeController current([](const proto::Frame&, int) { return OkFrame(5); });
  Caller caller({stale.address(), current.address()}, nullptr);
  // Learn epoch 5 from the current active.
  ASSERT_TRUE(caller.CallAt(1, Ping(), milliseconds(5000)).ok());
  EXPECT_EQ(caller.max_epoch(), 5u);
  auto r = caller.CallFrame(Ping(), milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->epoch, 5u);
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_EQ(stale.requests(), 1);
}

TEST(Caller, OnlyAFencedControllerIsNoActive) {
  FakeController stale([](const proto::Frame&, int) { return OkFrame(3); });
  Caller caller({stale.address(), DeadAddress()}, nullptr);
  caller.NoteEpoch(9);
  auto r = caller.CallFrame(Ping(), milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().message().find("fenced"), std::string::npos) << r.error().message();
}

TEST(Caller, MovesOnWhenTheServerDiesMidRequest) {
  FakeController dying([](const proto::Frame&, int) { return FakeController::Die(); });
  FakeController live([](const proto::Frame&, int) { return OkFrame(1); });
  Caller caller({dying.address(), live.address()}, nullptr);
  const auto start = Clock::now();
  auto r = caller.CallFrame(Ping(), milliseconds(20000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(dying.requests(), 1);
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_LT(MsSince(start), 5000);
}

TEST(Caller, FromPassivePrefersTheNonActive) {
  FakeController active([](const proto::Frame&, int) { return OkFrame(2); });
  const std::string active_addr = active.address();
  FakeController passive([&](const proto::Frame& req, int) {
    // The passive serves (and marks) reads that allow it, and points writes at the active.
    if (req.flags & proto::kFlagFromPassive) return OkFrame(2, proto::kFlagFromPassive);
    return NotActive("ctl1", active_addr, 2);
  });
  Caller caller({active.address(), passive.address()}, nullptr);
  proto::Frame read = Ping();
  read.flags = proto::kFlagFromPassive;
  auto r = caller.CallFrame(read, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_TRUE(r->flags & proto::kFlagFromPassive);
  EXPECT_EQ(active.requests(), 0);
  // A normal call goes to the first (the active is not known yet), and marks it active.
  ASSERT_TRUE(caller.CallFrame(Ping(), milliseconds(5000)).ok());
  EXPECT_EQ(caller.answered(), 0u);
  EXPECT_EQ(caller.active(), 0u);
  // The passive gone: reads fall back to the active.
  passive.Stop();
  r = caller.CallFrame(read, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 0u);
  EXPECT_FALSE(r->flags & proto::kFlagFromPassive);
}

// A real process, stopped with SIGSTOP: a listening socket the kernel accepts connections
// on, and a ZeroMQ server that answers until it is stopped.
class StoppedServer {
 public:
  StoppedServer() {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      zmq::context_t ctx(1);  // its own: the parent's context does not survive fork
      zmq::socket_t s(ctx, zmq::socket_type::router);
      s.set(zmq::sockopt::linger, 0);
      s.bind("tcp://127.0.0.1:*");
      std::string a = s.get(zmq::sockopt::last_endpoint);
      (void)!write(fds[1], a.data(), a.size());
      close(fds[1]);
      while (true) {
        zmq::message_t id;
        zmq::message_t body;
        if (!s.recv(id) || !s.recv(body)) continue;
        auto req = proto::DecodeFrame(body.data(), body.size());
        if (!req.ok()) continue;
        proto::Frame rep = OkFrame(1);
        rep.request_id = req->request_id;
        const std::string bytes = proto::EncodeFrame(rep);
        s.send(id, zmq::send_flags::sndmore);
        s.send(zmq::buffer(bytes));
      }
    }
    close(fds[1]);
    char buf[128] = {0};
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    if (n > 0) address_.assign(buf, static_cast<size_t>(n));
  }
  ~StoppedServer() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Stop() { kill(pid_, SIGSTOP); }
  const std::string& address() const { return address_; }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

TEST(Caller, SkipsAStoppedProcess) {
  StoppedServer stopped;
  ASSERT_FALSE(stopped.address().empty());
  FakeController live([](const proto::Frame&, int) { return OkFrame(1); });
  {
    // Connected while it ran: the heartbeat notices the stop.
    Caller caller({stopped.address(), live.address()}, nullptr);
    ASSERT_TRUE(caller.CallFrame(Ping(), milliseconds(5000)).ok());
    ASSERT_EQ(caller.answered(), 0u);
    stopped.Stop();
    const auto start = Clock::now();
    auto r = caller.CallFrame(Ping(), milliseconds(30000));
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(caller.answered(), 1u);
    EXPECT_LT(MsSince(start), 15000);
  }
  // A fresh connection: the handshake never completes.
  Caller caller({stopped.address(), live.address()}, nullptr);
  const auto start = Clock::now();
  auto r = caller.CallFrame(Ping(), milliseconds(20000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(caller.answered(), 1u);
  EXPECT_LT(MsSince(start), 3000);
}

}  // namespace
}  // namespace herd::net
