// herd — mpi/pmix across two simulated nodes: two pmix_node_driver processes ("n1" with
// ranks 0,1 and "n2" with ranks 2,3, one PMIx server each) run herd_mpi_hello, and this
// test is the allgather hub: it concatenates their fence blobs in node order and sends
// the result back to both. Unlike one node, this exercises SendFence/FenceDone
// (doc/pmix.md, trap 4). No PMIx server runs in the test process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "plugins/tests/rank_runner.h"

namespace herd::plugin::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kNodes = 2;
constexpr milliseconds kHubDeadline{100000};  // drivers give up at 60 s, die at 90 s

struct Driver {
  pid_t pid = -1;
  int fd = -1;  // our end of its hub socket
  bool closed = false;
  std::string exit_report;
  std::vector<std::string> errors;
};

// Starts a driver for node `index`; its end of the socket is passed by number.
Result<Driver> StartDriver(int index, const std::string& nspace, const std::string& nodes,
                           const std::string& tmpdir, const std::string& outdir) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Internal("socketpair failed");
  }
  std::vector<std::string> args = {HERD_PMIX_NODE_DRIVER,
                                   std::to_string(sv[1]),
                                   nspace,
                                   std::to_string(index),
                                   nodes,
                                   tmpdir,
                                   outdir,
                                   HERD_MPI_HELLO};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::fcntl(sv[1], F_SETFD, 0);  // only this end survives exec
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  if (pid < 0) {
    ::close(sv[0]);
    return Internal("fork failed");
  }
  Driver d;
  d.pid = pid;
  d.fd = sv[0];
  return d;
}

TEST(PmixTwoNodeTest, FencesGoThroughTheHostAndAllreduceIsRight) {
  ScopedTempDir dir("herd_pmix_2n");
  ASSERT_FALSE(dir.path().empty());
  const std::string* root = &dir.path();
  const std::string nspace = "herd.2n." + std::to_string(::getpid());
  const std::string nodes = "n1=0,1;n2=2,3";
  std::vector<Driver> drivers;
  for (int i = 0; i < kNodes; ++i) {
    std::string tmpdir = *root + "/n" + std::to_string(i + 1);
    ASSERT_EQ(::mkdir(tmpdir.c_str(), 0700), 0);
    Result<Driver> d = StartDriver(i, nspace, nodes, tmpdir, *root);
    ASSERT_TRUE(d.ok()) << d.error().ToString();
    drivers.push_back(*d);
  }

  // The hub: fence seq -> each node's blob; answered once every node has contributed.
  std::map<uint64_t, std::map<int, std::string>> fences;
  std::vector<uint64_t> completed;
  std::vector<std::string> aborts;
  Clock::time_point end = Clock::now() + kHubDeadline;
  bool timed_out = false;
  while (true) {
    std::vector<struct pollfd> fds;
    std::vector<int> which;
    for (int i = 0; i < kNodes; ++i) {
      if (drivers[i].closed) continue;
      fds.push_back({drivers[i].fd, POLLIN, 0});
      which.push_back(i);
    }
    if (fds.empty()) break;
    if (Clock::now() > end) {
      timed_out = true;
      break;
    }
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      Driver& d = drivers[which[k]];
      std::string frame;
      if (!ReadFrame(d.fd, &frame).ok()) {
        d.closed = true;
        continue;
      }
      size_t nl = frame.find('\n');
      std::string head = frame.substr(0, nl);
      std::string body = nl == std::string::npos ? "" : frame.substr(nl + 1);
      if (StartsWith(head, "FENCE ")) {
        Result<uint64_t> seq = ParseUint(head.substr(6));
        if (!seq.ok()) {
          d.errors.push_back("bad fence frame: " + head);
          continue;
        }
        fences[*seq][which[k]] = body;
        if (fences[*seq].size() == kNodes) {
          std::string all;
          for (const auto& [node, blob] : fences[*seq]) all += blob;  // node order
          for (Driver& to : drivers) {
            EXPECT_TRUE(WriteFrame(to.fd, "DONE " + std::to_string(*seq) + "\n" + all).ok());
          }
          completed.push_back(*seq);
        }
      } else if (StartsWith(head, "ABORT ")) {
        aborts.push_back(head + " " + body);
      } else if (head == "EXIT") {
        d.exit_report = body;
      } else {
        d.errors.push_back(frame);
      }
    }
  }
  for (Driver& d : drivers) {
    if (timed_out) ::kill(d.pid, SIGKILL);
    EXPECT_EQ(WaitOrKill(d.pid, milliseconds(10000)), 0) << "a driver failed";
    ::close(d.fd);
  }
  EXPECT_FALSE(timed_out) << "the step did not finish in time";
  for (const Driver& d : drivers) EXPECT_TRUE(d.errors.empty()) << d.errors.front();
  EXPECT_TRUE(aborts.empty());

  // Fences: at least the MPI_Init modex went through the host, numbered 1, 2, ... alike
  // on both nodes, and each was answered.
  ASSERT_FALSE(completed.empty()) << "no fence reached the host";
  for (size_t i = 0; i < completed.size(); ++i) EXPECT_EQ(completed[i], i + 1);
  EXPECT_EQ(completed.size(), fences.size()) << "a fence got only one node's part";
  std::cout << "fences through the hub: " << completed.size() << "\n";

  for (int i = 0; i < kNodes; ++i) {
    for (int local = 0; local < 2; ++local) {
      std::string r = std::to_string(i * 2 + local);
      EXPECT_NE(drivers[i].exit_report.find(r + " 0\n"), std::string::npos)
          << "rank " << r << " did not exit 0: " << drivers[i].exit_report;
      std::string out = Slurp(*root + "/rank." + r + ".out");
      EXPECT_TRUE(StartsWith(out, "rank " + r + "/4 on ")) << out;
      EXPECT_NE(out.find(" allreduce=10 expect=10\n"), std::string::npos)
          << out << Slurp(*root + "/rank." + r + ".err");
    }
  }
  for (int i = 0; i < kNodes; ++i) {
    EXPECT_TRUE(ListDir(*root + "/n" + std::to_string(i + 1)).empty())
        << "Stop left files in node " << i + 1 << "'s tmpdir";
  }
}

}  // namespace
}  // namespace herd::plugin::testing
