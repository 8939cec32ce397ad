// herd — mpi/pmix: the step's PMIx server and its module callbacks (see pmix_server.h).
#include "plugins/mpi/pmix/pmix_server.h"

#include <pmix.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/base/log.h"
#include "plugins/mpi/pmix/pmix_info.h"
#include "plugins/mpi/pmix/pmix_step.h"

namespace herd::plugin {
namespace {

// PMIx_server_init may run once per process (see the header).
std::atomic<bool> g_started_once{false};
// The running server, for the module callbacks (which carry no context pointer).
std::atomic<PmixServer*> g_server{nullptr};

constexpr std::chrono::milliseconds kStartTimeout{30000};
constexpr std::chrono::milliseconds kStopTimeout{10000};
constexpr char kShmDir[] = "/dev/shm";

void FreeBuffer(void* p) { std::free(p); }

// Completes a callback-style request at once; PMIx accepts an inline completion.
pmix_status_t Reply(pmix_op_cbfunc_t cbfunc, void* cbdata) {
  if (cbfunc != nullptr) cbfunc(PMIX_SUCCESS, cbdata);
  return PMIX_SUCCESS;
}

pmix_proc_t MakeProc(const std::string& nspace, uint32_t rank) {
  pmix_proc_t proc;
  std::memset(&proc, 0, sizeof proc);
  std::snprintf(proc.nspace, sizeof proc.nspace, "%s", nspace.c_str());
  proc.rank = rank;
  return proc;
}

}  // namespace

// The pmix_server_module_t functions; friends of PmixServer. All run on the PMIx progress
// thread. Anything not listed here stays NULL, which PMIx reports as unsupported.
struct PmixCallbacks {
  static pmix_status_t ClientConnected(const pmix_proc_t* proc, void* /*server_object*/,
                                       pmix_op_cbfunc_t cbfunc, void* cbdata) {
    if (PmixServer* s = g_server.load()) s->connected_++;
    HERD_LOG(Debug) << "mpi/pmix: rank " << proc->rank << " of " << proc->nspace << " connected";
    return Reply(cbfunc, cbdata);
  }

  static pmix_status_t ClientFinalized(const pmix_proc_t* proc, void* /*server_object*/,
                                       pmix_op_cbfunc_t cbfunc, void* cbdata) {
    if (PmixServer* s = g_server.load()) s->finalized_++;
    HERD_LOG(Debug) << "mpi/pmix: rank " << proc->rank << " of " << proc->nspace << " finalized";
    return Reply(cbfunc, cbdata);
  }

  // MPI_Abort. `procs` names who should die (NULL: the whole namespace); herd always
  // ends the whole step, so only the exit code and the message matter.
  static pmix_status_t Abort(const pmix_proc_t* proc, void* /*server_object*/, int status,
                             const char msg[], pmix_proc_t /*procs*/[], size_t /*nprocs*/,
                             pmix_op_cbfunc_t cbfunc, void* cbdata) {
    HERD_LOG(Warning) << "mpi/pmix: rank " << proc->rank << " of " << proc->nspace
                      << " aborts the step with status " << status << ": "
                      << (msg != nullptr ? msg : "");
    // Open MPI passes "N/A" as the message of MPI_Abort: say who aborted and with what.
    std::string what = "rank " + std::to_string(proc->rank) + " called MPI_Abort (error code " +
                       std::to_string(status) + ")";
    if (msg != nullptr && msg[0] != '\0' && std::string(msg) != "N/A")
      what += ": " + std::string(msg);
    if (PmixServer* s = g_server.load()) s->OnAbort(status, what.c_str());
    return Reply(cbfunc, cbdata);
  }

  // Every local participant has joined: `data` (valid only during this call) is this
  // node's contribution. Completed later by FenceDone through cbfunc.
  static pmix_status_t FenceNb(const pmix_proc_t /*procs*/[], size_t /*nprocs*/,
                               const pmix_info_t /*info*/[], size_t /*ninfo*/, char* data,
                               size_t ndata, pmix_modex_cbfunc_t cbfunc, void* cbdata) {
    PmixServer* s = g_server.load();
    if (s == nullptr) return PMIX_ERR_INIT;
    s->OnFence(data, ndata, cbfunc, cbdata);
    return PMIX_SUCCESS;
  }

  // Open MPI 4.1 exchanges everything in the MPI_Init fence, so a request for a remote
  // rank's data never comes; refuse it rather than leave the rank waiting.
  static pmix_status_t DirectModex(const pmix_proc_t* proc, const pmix_info_t /*info*/[],
                                   size_t /*ninfo*/, pmix_modex_cbfunc_t /*cbfunc*/,
                                   void* /*cbdata*/) {
    HERD_LOG(Warning) << "mpi/pmix: direct modex for rank " << proc->rank << " of " << proc->nspace
                      << " is not supported";
    return PMIX_ERR_NOT_SUPPORTED;
  }

  static pmix_status_t RegisterEvents(pmix_status_t* /*codes*/, size_t /*ncodes*/,
                                      const pmix_info_t /*info*/[], size_t /*ninfo*/,
                                      pmix_op_cbfunc_t cbfunc, void* cbdata) {
    return Reply(cbfunc, cbdata);
  }

  static pmix_status_t DeregisterEvents(pmix_status_t* /*codes*/, size_t /*ncodes*/,
                                        pmix_op_cbfunc_t cbfunc, void* cbdata) {
    return Reply(cbfunc, cbdata);
  }

  static pmix_status_t NotifyEvent(pmix_status_t /*code*/, const pmix_proc_t* /*source*/,
                                   pmix_data_range_t /*range*/, pmix_info_t /*info*/[],
                                   size_t /*ninfo*/, pmix_op_cbfunc_t cbfunc, void* cbdata) {
    return Reply(cbfunc, cbdata);
  }

  static pmix_server_module_t* Module() {
    static pmix_server_module_t module = [] {
      pmix_server_module_t m;
      std::memset(&m, 0, sizeof m);
      m.client_connected = ClientConnected;
      m.client_finalized = ClientFinalized;
      m.abort = Abort;
      m.fence_nb = FenceNb;
      m.direct_modex = DirectModex;
      m.register_events = RegisterEvents;
      m.deregister_events = DeregisterEvents;
      m.notify_event = NotifyEvent;
      return m;
    }();
    return &module;
  }
};

PmixServer::~PmixServer() { Stop(); }

std::vector<std::string> PmixServer::RankEnvExtras(const std::string& tmpdir) {
  return {
      "OMPI_MCA_schizo=^orte",
      "OMPI_MCA_orte_externally_bound=1",
      "OMPI_MCA_hwloc_base_binding_policy=none",
      "OMPI_MCA_btl_vader_backing_directory=" + tmpdir,
  };
}

Status PmixServer::Start(const MpiStepInfo& info, MpiHost* host) {
  if (host == nullptr) return InvalidArgument("mpi/pmix: Start without a host");
  HERD_RETURN_IF_ERROR(pmix::ValidateStepInfo(info));
  if (g_started_once.exchange(true)) {
    return FailedPrecondition(
        "mpi/pmix: a PMIx server was already started in this process; PMIx_server_init is "
        "process-global and cannot run again after PMIx_server_finalize");
  }
  info_ = info;
  host_ = host;
  Status st = DoStart(info);
  if (!st.ok()) {
    HERD_LOG(Error) << "mpi/pmix: cannot start the server of " << info.nspace << ": "
                    << st.ToString();
    Teardown();
    host_ = nullptr;
  }
  return st;
}

Status PmixServer::DoStart(const MpiStepInfo& info) {
  // Before init: makes the server use (and tell the ranks to use) the hash data store,
  // which works for ranks running as another user than the server (trap 2).
  if (::setenv("PMIX_MCA_gds", "hash", 1) != 0) {
    return Internal(std::string("mpi/pmix: setenv PMIX_MCA_gds: ") + std::strerror(errno));
  }
  g_server.store(this);

  {
    pmix::InfoArray init;
    HERD_RETURN_IF_ERROR(init.AddString(PMIX_SERVER_TMPDIR, info.tmpdir));
    HERD_RETURN_IF_ERROR(init.AddString(PMIX_SYSTEM_TMPDIR, info.tmpdir));
    HERD_RETURN_IF_ERROR(init.AddString(PMIX_HOSTNAME, info.nodes[info.node_index].name));
    HERD_RETURN_IF_ERROR(init.Finish());
    HERD_RETURN_IF_ERROR(pmix::PmixStatus(
        "PMIx_server_init", PMIx_server_init(PmixCallbacks::Module(), init.data(), init.size())));
    initialized_ = true;
  }
  HERD_LOG(Debug) << "mpi/pmix: " << PMIx_Get_version() << " serving " << info.nspace;

  const std::vector<uint32_t>& local = info.nodes[info.node_index].ranks;
  pmix::InfoArray job;
  HERD_RETURN_IF_ERROR(pmix::BuildNspaceInfo(info, &job));
  nspace_registered_ = true;  // deregistering a namespace that never got in is harmless
  HERD_RETURN_IF_ERROR(pmix::WaitForOp(
      "PMIx_server_register_nspace " + info.nspace,
      [&](pmix_op_cbfunc_t cbfunc, void* cbdata) {
        return PMIx_server_register_nspace(info.nspace.c_str(), static_cast<int>(local.size()),
                                           job.data(), job.size(), cbfunc, cbdata);
      },
      kStartTimeout));
  HERD_RETURN_IF_ERROR(pmix::WaitForOp(
      "PMIx_server_setup_local_support",
      [&](pmix_op_cbfunc_t cbfunc, void* cbdata) {
        return PMIx_server_setup_local_support(info.nspace.c_str(), nullptr, 0, cbfunc, cbdata);
      },
      kStartTimeout));

  for (uint32_t rank : local) {
    pmix_proc_t proc = MakeProc(info.nspace, rank);
    registered_ranks_.push_back(rank);
    HERD_RETURN_IF_ERROR(pmix::WaitForOp(
        "PMIx_server_register_client rank " + std::to_string(rank),
        [&](pmix_op_cbfunc_t cbfunc, void* cbdata) {
          return PMIx_server_register_client(&proc, info.uid, info.gid, nullptr, cbfunc, cbdata);
        },
        kStartTimeout));
  }
  HERD_LOG(Info) << "mpi/pmix: serving " << info.nspace << " on "
                 << info.nodes[info.node_index].name << ": " << local.size() << " of "
                 << info.num_tasks << " ranks, " << info.nodes.size() << " nodes";
  return Status::Ok();
}

Result<std::vector<std::string>> PmixServer::TaskEnv(uint32_t rank) {
  if (host_ == nullptr || !initialized_) {
    return FailedPrecondition("mpi/pmix: TaskEnv before Start");
  }
  bool local = false;
  for (uint32_t r : registered_ranks_) local = local || r == rank;
  if (!local) {
    return InvalidArgument("mpi/pmix: rank " + std::to_string(rank) + " is not on this node");
  }
  pmix_proc_t proc = MakeProc(info_.nspace, rank);
  // setup_fork appends to a NULL-terminated, malloc'd array (it may realloc it).
  char** env = static_cast<char**>(std::calloc(1, sizeof(char*)));
  if (env == nullptr) return ResourceExhausted("mpi/pmix: out of memory");
  pmix_status_t rc = PMIx_server_setup_fork(&proc, &env);
  std::vector<std::string> out;
  if (env != nullptr) {
    for (char** e = env; *e != nullptr; ++e) {
      out.emplace_back(*e);
      std::free(*e);
    }
    std::free(env);
  }
  if (rc != PMIX_SUCCESS) {
    return pmix::PmixStatus("PMIx_server_setup_fork rank " + std::to_string(rank), rc);
  }
  for (std::string& extra : RankEnvExtras(info_.tmpdir)) out.push_back(std::move(extra));
  return out;
}

void PmixServer::OnFence(const char* data, size_t ndata, pmix_modex_cbfunc_t cbfunc, void* cbdata) {
  std::string copy = (data != nullptr && ndata > 0) ? std::string(data, ndata) : std::string();
  uint64_t seq;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = next_fence_++;
    fences_[seq] = PendingFence{cbfunc, cbdata};
  }
  HERD_LOG(Debug) << "mpi/pmix: fence " << seq << " of " << info_.nspace << ": " << copy.size()
                  << " local bytes";
  host_->SendFence(seq, std::move(copy));
}

void PmixServer::OnAbort(int status, const char* message) {
  host_->Abort(status, message != nullptr ? message : "");
}

void PmixServer::FenceDone(uint64_t seq, const std::string& data) {
  PendingFence pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fences_.find(seq);
    if (it == fences_.end()) {
      HERD_LOG(Warning) << "mpi/pmix: result of unknown fence " << seq << " of " << info_.nspace
                        << " dropped";
      return;
    }
    pending = it->second;
    fences_.erase(it);
  }
  if (pending.cbfunc == nullptr) return;
  // PMIx keeps the buffer until it calls the release function.
  char* buf = static_cast<char*>(std::malloc(data.empty() ? 1 : data.size()));
  if (buf == nullptr) {
    pending.cbfunc(PMIX_ERR_NOMEM, nullptr, 0, pending.cbdata, nullptr, nullptr);
    return;
  }
  if (!data.empty()) std::memcpy(buf, data.data(), data.size());
  pending.cbfunc(PMIX_SUCCESS, buf, data.size(), pending.cbdata, FreeBuffer, buf);
}

void PmixServer::FailPendingFences() {
  std::map<uint64_t, PendingFence> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(fences_);
  }
  for (auto& [seq, pending] : left) {
    HERD_LOG(Warning) << "mpi/pmix: fence " << seq << " of " << info_.nspace << " never completed";
    if (pending.cbfunc != nullptr) {
      pending.cbfunc(PMIX_ERR_UNREACH, nullptr, 0, pending.cbdata, nullptr, nullptr);
    }
  }
}

void PmixServer::Stop() {
  if (host_ == nullptr) return;
  uint64_t fences;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fences = next_fence_ - 1;
  }
  HERD_LOG(Info) << "mpi/pmix: stopping " << info_.nspace << ": " << connected_.load()
                 << " ranks connected, " << finalized_.load() << " finalized, " << fences
                 << " host fences";
  Teardown();
  host_ = nullptr;
}

void PmixServer::Teardown() {
  if (initialized_) FailPendingFences();
  for (uint32_t rank : registered_ranks_) {
    pmix_proc_t proc = MakeProc(info_.nspace, rank);
    Status st = pmix::WaitForOp(
        "PMIx_server_deregister_client rank " + std::to_string(rank),
        [&](pmix_op_cbfunc_t cbfunc, void* cbdata) {
          PMIx_server_deregister_client(&proc, cbfunc, cbdata);
          return PMIX_SUCCESS;
        },
        kStopTimeout);
    if (!st.ok()) HERD_LOG(Warning) << "mpi/pmix: " << st.ToString();
  }
  registered_ranks_.clear();
  if (nspace_registered_) {
    Status st = pmix::WaitForOp(
        "PMIx_server_deregister_nspace " + info_.nspace,
        [&](pmix_op_cbfunc_t cbfunc, void* cbdata) {
          PMIx_server_deregister_nspace(info_.nspace.c_str(), cbfunc, cbdata);
          return PMIX_SUCCESS;
        },
        kStopTimeout);
    if (!st.ok()) HERD_LOG(Warning) << "mpi/pmix: " << st.ToString();
    nspace_registered_ = false;
  }
  if (initialized_) {
    Status st = pmix::PmixStatus("PMIx_server_finalize", PMIx_server_finalize());
    if (!st.ok()) HERD_LOG(Warning) << "mpi/pmix: " << st.ToString();
    initialized_ = false;
  }
  g_server.store(nullptr);

  // Ranks killed before MPI_Finalize leave their shared-memory segments (trap 5): in
  // the tmpdir (the backing directory we set), or in /dev/shm if that was overridden.
  Result<int> removed = pmix::RemoveVaderSegments(kShmDir, pmix::OmpiJobId(info_.nspace));
  if (!removed.ok()) {
    HERD_LOG(Warning) << "mpi/pmix: " << removed.error().ToString();
  } else if (*removed > 0) {
    HERD_LOG(Info) << "mpi/pmix: removed " << *removed << " leftover segments from " << kShmDir;
  }
  Status st = pmix::ClearDirectory(info_.tmpdir);
  if (!st.ok()) HERD_LOG(Warning) << "mpi/pmix: cleaning " << info_.tmpdir << ": " << st.ToString();
}

}  // namespace herd::plugin
