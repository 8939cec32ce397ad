// herd — mpi/pmix: info arrays, the call/wait helper and the namespace data (pmix_info.h).
#include "plugins/mpi/pmix/pmix_info.h"

#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "plugins/mpi/pmix/pmix_step.h"

namespace herd::plugin::pmix {
namespace {

// The state one WaitForOp shares with its completion callback. The callback owns a
// heap-allocated shared_ptr to it, so a caller that gave up waiting leaves nothing dangling.
struct OpState {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  pmix_status_t status = PMIX_SUCCESS;
};

void OpDone(pmix_status_t status, void* cbdata) {
  auto* holder = static_cast<std::shared_ptr<OpState>*>(cbdata);
  std::shared_ptr<OpState> state = *holder;
  delete holder;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->status = status;
    state->done = true;
  }
  state->cv.notify_all();
}

// Frees a PMIx-allocated string (regex outputs) on scope exit.
struct FreeOnExit {
  char* p = nullptr;
  ~FreeOnExit() { std::free(p); }
};

}  // namespace

Status PmixStatus(const std::string& what, pmix_status_t rc) {
  if (rc == PMIX_SUCCESS) return Status::Ok();
  return Internal(what + ": " + PMIx_Error_string(rc) + " (" + std::to_string(rc) + ")");
}

InfoArray::InfoArray() : list_(PMIx_Info_list_start()) {}

InfoArray::~InfoArray() {
  if (list_ != nullptr) PMIx_Info_list_release(list_);
  if (finished_) PMIx_Data_array_destruct(&array_);
}

Status InfoArray::Add(const char* key, const void* value, pmix_data_type_t type) {
  if (finished_ || list_ == nullptr) return Internal(std::string("cannot add ") + key);
  return PmixStatus(std::string("adding ") + key, PMIx_Info_list_add(list_, key, value, type));
}

Status InfoArray::AddString(const char* key, const std::string& value) {
  return Add(key, value.c_str(), PMIX_STRING);
}

Status InfoArray::Finish() {
  if (finished_ || list_ == nullptr) return Internal("info array finished twice");
  pmix_status_t rc = PMIx_Info_list_convert(list_, &array_);
  PMIx_Info_list_release(list_);
  list_ = nullptr;
  if (rc != PMIX_SUCCESS) return PmixStatus("building an info array", rc);
  finished_ = true;
  return Status::Ok();
}

Status WaitForOp(const std::string& what,
                 const std::function<pmix_status_t(pmix_op_cbfunc_t, void*)>& start,
                 std::chrono::milliseconds timeout) {
  auto state = std::make_shared<OpState>();
  auto* holder = new std::shared_ptr<OpState>(state);
  pmix_status_t rc = start(OpDone, holder);
  if (rc != PMIX_SUCCESS) {
    delete holder;  // no callback is coming
    if (rc == PMIX_OPERATION_SUCCEEDED) return Status::Ok();
    return PmixStatus(what, rc);
  }
  std::unique_lock<std::mutex> lock(state->mu);
  if (!state->cv.wait_for(lock, timeout, [&] { return state->done; })) {
    return DeadlineExceeded(what + ": no completion from PMIx after " +
                            std::to_string(timeout.count()) + " ms");
  }
  return PmixStatus(what, state->status);
}

Status BuildNspaceInfo(const MpiStepInfo& info, InfoArray* out) {
  const MpiNode& here = info.nodes[info.node_index];
  uint32_t size = info.num_tasks;
  uint32_t num_nodes = static_cast<uint32_t>(info.nodes.size());
  uint32_t local_size = static_cast<uint32_t>(here.ranks.size());
  bool spawned = false;

  FreeOnExit node_map;
  FreeOnExit proc_map;
  HERD_RETURN_IF_ERROR(PmixStatus("PMIx_generate_regex",
                                  PMIx_generate_regex(NodeListSpec(info).c_str(), &node_map.p)));
  HERD_RETURN_IF_ERROR(
      PmixStatus("PMIx_generate_ppn", PMIx_generate_ppn(ProcMapSpec(info).c_str(), &proc_map.p)));

  HERD_RETURN_IF_ERROR(out->Add(PMIX_UNIV_SIZE, &size, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_JOB_SIZE, &size, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_MAX_PROCS, &size, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_APP_SIZE, &size, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_NUM_NODES, &num_nodes, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_SPAWNED, &spawned, PMIX_BOOL));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_LOCAL_SIZE, &local_size, PMIX_UINT32));
  HERD_RETURN_IF_ERROR(out->AddString(PMIX_LOCAL_PEERS, LocalPeers(info)));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_NODE_MAP, node_map.p, PMIX_REGEX));
  HERD_RETURN_IF_ERROR(out->Add(PMIX_PROC_MAP, proc_map.p, PMIX_REGEX));
  HERD_RETURN_IF_ERROR(
      out->AddString(PMIX_JOBID, std::to_string(info.job_id) + "." + std::to_string(info.step_id)));

  // Every rank, local or not: Open MPI looks up the peers' node and local rank here.
  std::vector<RankPlace> places = PlaceRanks(info);
  for (uint32_t r = 0; r < info.num_tasks; ++r) {
    const RankPlace& place = places[r];
    pmix_rank_t rank = r;
    uint32_t appnum = 0;
    InfoArray proc;
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_RANK, &rank, PMIX_PROC_RANK));
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_LOCAL_RANK, &place.local_rank, PMIX_UINT16));
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_NODE_RANK, &place.local_rank, PMIX_UINT16));
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_APPNUM, &appnum, PMIX_UINT32));
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_NODEID, &place.node, PMIX_UINT32));
    HERD_RETURN_IF_ERROR(proc.AddString(PMIX_HOSTNAME, info.nodes[place.node].name));
    HERD_RETURN_IF_ERROR(proc.Add(PMIX_GLOBAL_RANK, &rank, PMIX_PROC_RANK));
    HERD_RETURN_IF_ERROR(proc.Finish());
    HERD_RETURN_IF_ERROR(out->Add(PMIX_PROC_DATA, proc.array(), PMIX_DATA_ARRAY));
  }
  return out->Finish();
}

}  // namespace herd::plugin::pmix
