// herd — mpi/pmix: the PMIx server of one step on one node (OpenPMIx 4.2, Open MPI 4.1).
// It registers the step's namespace and local ranks, hands each rank the environment it
// needs, turns the local part of every PMIx fence into MpiHost::SendFence and finishes
// the fence with the allgathered data in FenceDone, and reports MPI_Abort to the host.
// The traps of this stack it works around are in doc/pmix.md (traps 1-5).
//
// ONE SERVER PER PROCESS, ONCE: PMIx_server_init is process-global, and libpmix 4.2
// cannot be initialised again after PMIx_server_finalize (the second init crashes in the
// listener thread). So once a Start() got past argument checks to PMIx (whether it then
// succeeded or not), every later Start() in the process, on this or another instance and
// even after Stop(), gives kFailedPrecondition. herdstepd hosts exactly one step, so this
// costs nothing there; tests use one process per server.
//
// Start() also sets PMIX_MCA_gds=hash in the process environment (trap 2), so call it
// before the process starts threads that read the environment. Stop() deregisters the
// ranks and the namespace, finalizes PMIx, removes the step's leftover Open MPI segments
// from /dev/shm and empties info.tmpdir (PMIx rendezvous files, the ranks' segments).
//
// Threads: Start/TaskEnv/FenceDone/Stop run on the host's loop thread. The PMIx module
// callbacks run on the PMIx progress thread; they touch only the fence table (under mu_)
// and call MpiHost::SendFence/Abort, which the contract allows from any thread.
#pragma once

#include <pmix_server.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/api/mpi.h"

namespace herd::plugin {

class PmixServer : public MpiServer {
 public:
  PmixServer() = default;
  ~PmixServer() override;  // Stop()s a running server
  PmixServer(const PmixServer&) = delete;
  PmixServer& operator=(const PmixServer&) = delete;

  Status Start(const MpiStepInfo& info, MpiHost* host) override;
  // The entries PMIx_server_setup_fork gives the rank (PMIX_NAMESPACE, PMIX_RANK, the
  // server URIs, PMIX_GDS_MODULE, the tmpdirs, ...), followed by RankEnvExtras(tmpdir).
  // Nothing of the daemon's own environment is copied in.
  Result<std::vector<std::string>> TaskEnv(uint32_t rank) override;
  void FenceDone(uint64_t seq, const std::string& data) override;
  void Stop() override;

  // What Open MPI 4.1 needs besides the PMIx entries, for a step whose tmpdir is `tmpdir`:
  //   OMPI_MCA_schizo=^orte               else every rank is a singleton (trap 1)
  //   OMPI_MCA_orte_externally_bound=1    herdstepd binds the ranks; Open MPI must not
  //   OMPI_MCA_hwloc_base_binding_policy=none
  //   OMPI_MCA_btl_vader_backing_directory=<tmpdir>   per-node shared-memory segments:
  //                                       simulated nodes on one host collide otherwise
  //                                       (trap 3), and Stop() can clean them (trap 5)
  static std::vector<std::string> RankEnvExtras(const std::string& tmpdir);

 private:
  friend struct PmixCallbacks;

  struct PendingFence {
    pmix_modex_cbfunc_t cbfunc = nullptr;
    void* cbdata = nullptr;
  };

  // Progress thread: the PMIx callbacks.
  void OnFence(const char* data, size_t ndata, pmix_modex_cbfunc_t cbfunc, void* cbdata);
  void OnAbort(int status, const char* message);

  Status DoStart(const MpiStepInfo& info);
  // Undoes whatever DoStart did, in reverse; logs failures.
  void Teardown();
  void FailPendingFences();

  MpiStepInfo info_;
  MpiHost* host_ = nullptr;
  bool initialized_ = false;  // PMIx_server_init succeeded
  bool nspace_registered_ = false;
  std::vector<uint32_t> registered_ranks_;

  std::mutex mu_;
  uint64_t next_fence_ = 1;                  // guarded by mu_
  std::map<uint64_t, PendingFence> fences_;  // guarded by mu_
  std::atomic<int> connected_{0};
  std::atomic<int> finalized_{0};
};

}  // namespace herd::plugin
