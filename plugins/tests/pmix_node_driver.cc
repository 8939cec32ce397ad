// herd — test driver: one simulated node of a multi-node MPI step. It plays herdstepd for
// the mpi/pmix plugin (one PmixServer per process, as PMIx requires) and forwards fences
// to a hub (the parent test) over an inherited socket, which plays the other step daemons.
//
//   pmix_node_driver HUB_FD NSPACE NODE_INDEX NODES TMPDIR OUTDIR PROG [ARGS...]
//   NODES: "n1=0,1;n2=2,3" (every node of the step, in order, with its global ranks)
//
// Frames on HUB_FD (rank_runner.h): to the hub "FENCE <seq>\n<data>", "ABORT <code>\n<msg>",
// "EXIT\n<rank> <code>\n..." or "ERROR\n<why>"; from the hub "DONE <seq>\n<all data>".
// Rank output goes to OUTDIR/rank.<R>.out. Exits 0 when it ran the ranks (whatever their
// codes), 2 otherwise. Gives up after 60 s; SIGALRM ends it at 90 s whatever happens.
//
// Threads: main runs the loop; SendFence/Abort come from the PMIx progress thread and
// only write frames (under a mutex) and set a flag.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "common/base/strings.h"
#include "plugins/api/mpi.h"
#include "plugins/tests/rank_runner.h"

namespace herd::plugin::testing {
namespace {

class HubHost : public MpiHost {
 public:
  explicit HubHost(int fd) : fd_(fd) {}

  void SendFence(uint64_t seq, std::string data) override {
    Send("FENCE " + std::to_string(seq) + "\n" + data);
  }
  void Abort(int exit_code, std::string message) override {
    aborted_ = true;
    Send("ABORT " + std::to_string(exit_code) + "\n" + message);
  }
  void Send(const std::string& frame) {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = WriteFrame(fd_, frame);
    if (!st.ok()) std::fprintf(stderr, "driver: %s\n", st.ToString().c_str());
  }
  bool aborted() const { return aborted_; }

 private:
  int fd_;
  std::mutex mu_;
  std::atomic<bool> aborted_{false};
};

Result<MpiStepInfo> ParseStep(const std::string& nspace, const std::string& index,
                              const std::string& nodes, const std::string& tmpdir) {
  MpiStepInfo info;
  info.job_id = 1;
  info.nspace = nspace;
  info.uid = ::getuid();
  info.gid = ::getgid();
  info.tmpdir = tmpdir;
  HERD_ASSIGN_OR_RETURN(uint64_t node_index, ParseUint(index, 1000));
  info.node_index = static_cast<uint32_t>(node_index);
  for (const std::string& spec : Split(nodes, ';')) {
    std::vector<std::string> parts = Split(spec, '=', true);
    if (parts.size() != 2) return InvalidArgument("bad node spec '" + spec + "'");
    MpiNode node;
    node.name = parts[0];
    for (const std::string& r : Split(parts[1], ',')) {
      HERD_ASSIGN_OR_RETURN(uint64_t rank, ParseUint(r, 1u << 20));
      node.ranks.push_back(static_cast<uint32_t>(rank));
    }
    info.num_tasks += static_cast<uint32_t>(node.ranks.size());
    info.nodes.push_back(std::move(node));
  }
  return info;
}

// Delivers what the hub sends; sets *hub_gone at end of stream.
void PumpHub(int fd, MpiServer* server, bool* hub_gone) {
  if (*hub_gone) {
    ::usleep(10000);
    return;
  }
  struct pollfd p = {fd, POLLIN, 0};
  if (::poll(&p, 1, 10) <= 0) return;
  std::string frame;
  if (!ReadFrame(fd, &frame).ok()) {
    *hub_gone = true;
    return;
  }
  size_t nl = frame.find('\n');
  if (!StartsWith(frame, "DONE ") || nl == std::string::npos) {
    std::fprintf(stderr, "driver: bad frame from the hub\n");
    return;
  }
  Result<uint64_t> seq = ParseUint(frame.substr(5, nl - 5));
  if (!seq.ok()) {
    std::fprintf(stderr, "driver: bad fence number from the hub\n");
    return;
  }
  server->FenceDone(*seq, frame.substr(nl + 1));
}

int Main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: %s HUB_FD NSPACE NODE_INDEX NODES TMPDIR OUTDIR PROG [ARGS]\n",
                 argv[0]);
    return 2;
  }
  ::alarm(90);
  Result<uint64_t> hub_fd = ParseUint(argv[1], 1 << 16);
  if (!hub_fd.ok()) return 2;
  int fd = static_cast<int>(*hub_fd);
  HubHost host(fd);
  Result<MpiStepInfo> info = ParseStep(argv[2], argv[3], argv[4], argv[5]);
  Result<std::unique_ptr<MpiServer>> server = MakeMpiServer("mpi/pmix");
  Status st = !info.ok() ? info.error() : !server.ok() ? server.error() : Status::Ok();
  if (st.ok()) st = (*server)->Start(*info, &host);
  if (!st.ok()) {
    host.Send("ERROR\n" + st.ToString());
    return 2;
  }
  bool hub_gone = false;
  Result<std::vector<RankExit>> exits = RunLocalRanks(
      server->get(), *info, argv[7], std::vector<std::string>(argv + 8, argv + argc), argv[6],
      [&] { PumpHub(fd, server->get(), &hub_gone); }, [&] { return host.aborted() || hub_gone; },
      std::chrono::seconds(60));
  (*server)->Stop();
  if (!exits.ok()) {
    host.Send("ERROR\n" + exits.error().ToString());
    return 2;
  }
  std::string report = "EXIT\n";
  for (const RankExit& e : *exits) {
    report += std::to_string(e.rank) + " " + std::to_string(e.code) + "\n";
  }
  host.Send(report);
  return 0;
}

}  // namespace
}  // namespace herd::plugin::testing

// Under HERD_SANITIZE: libpmix 4.2 leaks from PMIx_server_init and its fence handling even
// after PMIx_server_finalize; only its own allocations are ignored. Unused otherwise.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpmix.so\n"; }

int main(int argc, char** argv) { return herd::plugin::testing::Main(argc, argv); }
