// herd — real tests of mpi/pmix with Open MPI 4.1 programs (herd_mpi_hello, herd_mpi_abort):
// one node with 3 ranks, MPI_Abort, the once-per-process rule, and two simulated nodes
// whose fences go through this test as the allgather hub.
//
// PMIx allows one server per process, once (pmix_server.h), so every scenario that hosts
// a server runs in a forked child (RunInChild) or in pmix_node_driver processes, never in
// the test process itself. Every wait has a deadline; children are killed on timeout.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "plugins/api/mpi.h"
#include "plugins/mpi/pmix/pmix_step.h"
#include "plugins/tests/rank_runner.h"

namespace herd::plugin::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Report = std::multimap<std::string, std::string>;  // "key rest" lines of a child

constexpr seconds kChildTimeout{90};

// Runs `body` in a forked child and returns the report it wrote ("" if it wrote none).
std::string RunInChild(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return "child-error pipe";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(static_cast<unsigned>(kChildTimeout.count()) + 10);
    Status st = WriteFrame(fds[1], body());
    ::_exit(st.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string report;
  struct pollfd p = {fds[0], POLLIN, 0};
  if (pid > 0 && ::poll(&p, 1, static_cast<int>(kChildTimeout.count() * 1000)) == 1) {
    if (!ReadFrame(fds[0], &report).ok()) report = "child-error no report";
  } else {
    report = "child-error timeout";
  }
  ::close(fds[0]);
  if (pid > 0) WaitOrKill(pid, milliseconds(1000));
  return report;
}

Report Parse(const std::string& text) {
  Report out;
  for (const std::string& line : Split(text, '\n')) {
    size_t sp = line.find(' ');
    out.emplace(line.substr(0, sp), sp == std::string::npos ? "" : line.substr(sp + 1));
  }
  return out;
}

std::vector<std::string> All(const Report& r, const std::string& key) {
  std::vector<std::string> out;
  auto range = r.equal_range(key);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::string Dump(const Report& r) {
  std::string out = "child report:\n";
  for (const auto& [k, v] : r) out += k + " " + v + "\n";
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One node: every fence is complete with this node's own data, so the fake host answers
// each SendFence with the same bytes, on the loop thread (Pump), like herdstepd would.
class FakeHost : public MpiHost {
 public:
  void SendFence(uint64_t seq, std::string data) override {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.emplace_back(seq, std::move(data));
    ++fences_;
  }
  void Abort(int exit_code, std::string message) override {
    std::lock_guard<std::mutex> lock(mu_);
    aborts_.push_back(std::to_string(exit_code) + " " + message);
  }
  void Pump(MpiServer* server) {
    std::vector<std::pair<uint64_t, std::string>> ready;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready.swap(queued_);
    }
    for (auto& [seq, data] : ready) server->FenceDone(seq, data);
    std::this_thread::sleep_for(milliseconds(10));
  }
  bool aborted() {
    std::lock_guard<std::mutex> lock(mu_);
    return !aborts_.empty();
  }
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = "fences " + std::to_string(fences_) + "\n";
    for (const std::string& a : aborts_) out += "abort " + a + "\n";
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> queued_;
  int fences_ = 0;
  std::vector<std::string> aborts_;
};

MpiStepInfo OneNodeStep(const std::string& tmpdir, uint32_t ranks) {
  MpiStepInfo info;
  info.job_id = 7;
  info.nspace = "herd.test." + std::to_string(::getpid());
  info.uid = ::getuid();
  info.gid = ::getgid();
  info.num_tasks = ranks;
  info.tmpdir = tmpdir;
  MpiNode node{"n1", {}};
  for (uint32_t r = 0; r < ranks; ++r) node.ranks.push_back(r);
  info.nodes.push_back(node);
  return info;
}

// In the child: runs `prog args` as a 3-rank, one-node step and reports the environment of
// rank 0 ("env"), exit codes ("exit R CODE"), output lines ("out R LINE", "err R LINE"),
// the host's fences and aborts, the step's vader segments in the tmpdir before Stop
// ("segment"), and what is left in the tmpdir after Stop ("leftover").
std::string RunOneNodeStep(const std::string& prog, const std::vector<std::string>& args) {
  ScopedTempDir dir("herd_pmix_test");
  if (dir.path().empty()) return std::string("child-error no temp dir");
  const std::string* root = &dir.path();
  std::string tmpdir = *root + "/step";
  if (::mkdir(tmpdir.c_str(), 0700) != 0) return "child-error mkdir";
  MpiStepInfo info = OneNodeStep(tmpdir, 3);
  std::string report = "tmpdir " + tmpdir + "\nnspace " + info.nspace + "\n";
  FakeHost host;
  Result<std::unique_ptr<MpiServer>> server = MakeMpiServer("pmix");
  Status st = server.ok() ? (*server)->Start(info, &host) : server.error();
  report += "start " + std::string(st.ok() ? "OK" : st.ToString()) + "\n";
  if (!st.ok()) return report;
  Result<std::vector<std::string>> env = (*server)->TaskEnv(0);
  for (const std::string& e : env.ok() ? *env : std::vector<std::string>()) {
    report += "env " + e + "\n";
  }
  Result<std::vector<RankExit>> exits = RunLocalRanks(
      server->get(), info, prog, args, *root, [&] { host.Pump(server->get()); },
      [&] { return host.aborted(); }, seconds(60));
  if (!exits.ok()) report += "run-error " + exits.error().ToString() + "\n";
  for (const RankExit& e : exits.ok() ? *exits : std::vector<RankExit>()) {
    std::string r = std::to_string(e.rank);
    report += "exit " + r + " " + std::to_string(e.code) + "\n";
    std::string base = *root + "/rank." + r;
    for (const char* stream : {"out", "err"}) {
      for (const std::string& l : Split(Slurp(base + "." + stream), '\n')) {
        report += std::string(stream) + " " + r + " " + l + "\n";
      }
    }
  }
  report += host.Describe();
  uint32_t jobid = pmix::OmpiJobId(info.nspace);
  for (const std::string& name : ListDir(tmpdir)) {
    if (pmix::IsVaderSegmentOf(name, jobid)) report += "segment " + name + "\n";
  }
  (*server)->Stop();
  for (const std::string& name : ListDir(tmpdir)) report += "leftover " + name + "\n";
  return report;
}

TEST(PmixServerTest, OneNodeThreeRanksAllreduce) {
  Report r = Parse(RunInChild([] { return RunOneNodeStep(HERD_MPI_HELLO, {}); }));
  ASSERT_EQ(All(r, "start"), std::vector<std::string>{"OK"}) << Dump(r);
  std::string nspace = All(r, "nspace").at(0);
  std::string tmpdir = All(r, "tmpdir").at(0);

  std::vector<std::string> env = All(r, "env");
  EXPECT_TRUE(Has(env, "PMIX_NAMESPACE=" + nspace));
  EXPECT_TRUE(Has(env, "PMIX_RANK=0"));
  EXPECT_TRUE(Has(env, "OMPI_MCA_schizo=^orte"));
  EXPECT_TRUE(Has(env, "OMPI_MCA_orte_externally_bound=1"));
  EXPECT_TRUE(Has(env, "OMPI_MCA_hwloc_base_binding_policy=none"));
  EXPECT_TRUE(Has(env, "OMPI_MCA_btl_vader_backing_directory=" + tmpdir));
  for (const std::string& e : env) {
    EXPECT_FALSE(StartsWith(e, "PATH=") || StartsWith(e, "HOME=")) << "daemon env leaked: " << e;
  }

  std::vector<std::string> exits = All(r, "exit");
  EXPECT_EQ(exits.size(), 3u);
  for (int rank = 0; rank < 3; ++rank) {
    std::string rs = std::to_string(rank);
    EXPECT_TRUE(Has(exits, rs + " 0")) << "rank " << rank << " did not exit 0";
    bool found = false;
    for (const std::string& line : All(r, "out")) {
      found = found || (StartsWith(line, rs + " rank " + rs + "/3 on ") &&
                        line.find(" allreduce=6 expect=6") != std::string::npos);
    }
    EXPECT_TRUE(found) << "rank " << rank << " printed no correct line";
  }
  EXPECT_TRUE(All(r, "leftover").empty()) << "Stop left files in the tmpdir";
  EXPECT_TRUE(All(r, "abort").empty());
  if (::testing::Test::HasFailure()) std::cerr << Dump(r);
}

TEST(PmixServerTest, MpiAbortReachesTheHostWithItsExitCode) {
  Report r = Parse(RunInChild([] { return RunOneNodeStep(HERD_MPI_ABORT, {"30"}); }));
  ASSERT_EQ(All(r, "start"), std::vector<std::string>{"OK"}) << Dump(r);
  std::vector<std::string> aborts = All(r, "abort");
  ASSERT_FALSE(aborts.empty()) << "the host never heard of MPI_Abort\n" << Dump(r);
  for (const std::string& a : aborts) EXPECT_TRUE(StartsWith(a, "7 ")) << a;

  std::vector<std::string> exits = All(r, "exit");
  EXPECT_EQ(exits.size(), 3u);
  for (const std::string& e : exits) EXPECT_NE(e.substr(e.find(' ') + 1), "0") << "rank " << e;
  for (const std::string& line : All(r, "out")) {
    EXPECT_EQ(line.find("was not killed"), std::string::npos) << line;
  }
  // Killed ranks leave their segments (doc/pmix.md, trap 5). Seeing them under the name
  // OmpiJobId predicts proves the /dev/shm cleanup looks for the right files.
  EXPECT_FALSE(All(r, "segment").empty()) << "no vader segment of the step's Open MPI job id";
  EXPECT_TRUE(All(r, "leftover").empty()) << "Stop left files in the tmpdir";
  if (::testing::Test::HasFailure()) std::cerr << Dump(r);
}

TEST(PmixServerTest, OnlyOneStartPerProcess) {
  Report r = Parse(RunInChild([] {
    ScopedTempDir dir("herd_pmix_once");
    if (dir.path().empty()) return std::string("child-error no temp dir");
    MpiStepInfo info = OneNodeStep(dir.path(), 1);
    FakeHost host;
    Result<std::unique_ptr<MpiServer>> a = MakeMpiServer("pmix");
    Result<std::unique_ptr<MpiServer>> b = MakeMpiServer("mpi/pmix");
    if (!a.ok() || !b.ok()) return std::string("child-error make");
    std::string out = "first " + std::string(CodeName((*a)->Start(info, &host).code())) + "\n";
    out += "second " + std::string(CodeName((*b)->Start(info, &host).code())) + "\n";
    (*a)->Stop();
    out += "restart " + std::string(CodeName((*a)->Start(info, &host).code())) + "\n";
    return out;
  }));
  EXPECT_EQ(All(r, "first"), std::vector<std::string>{CodeName(Code::kOk)}) << Dump(r);
  EXPECT_EQ(All(r, "second"), std::vector<std::string>{CodeName(Code::kFailedPrecondition)});
  EXPECT_EQ(All(r, "restart"), std::vector<std::string>{CodeName(Code::kFailedPrecondition)});
}

}  // namespace
}  // namespace herd::plugin::testing
