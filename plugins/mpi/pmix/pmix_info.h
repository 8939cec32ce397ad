// herd — mpi/pmix: owning wrappers around PMIx info arrays, the PMIx call/wait helper,
// and the namespace registration data (job-level keys plus one PMIX_PROC_DATA per rank).
//
// Threads: InfoArray and BuildNspaceInfo are used by one thread at a time; WaitForOp
// blocks its caller until the PMIx progress thread runs the completion callback.
#pragma once

#include <pmix.h>
#include <pmix_server.h>

#include <chrono>
#include <functional>
#include <string>

#include "common/base/status.h"
#include "plugins/api/mpi.h"

namespace herd::plugin::pmix {

// "what: PMIx error string (code)" as a Status; kOk for PMIX_SUCCESS.
Status PmixStatus(const std::string& what, pmix_status_t rc);

// An array of pmix_info_t built from a PMIx info list and released on destruction.
class InfoArray {
 public:
  InfoArray();
  ~InfoArray();
  InfoArray(const InfoArray&) = delete;
  InfoArray& operator=(const InfoArray&) = delete;

  // Copies the value in (PMIx_Info_list_add). Errors name the key.
  Status Add(const char* key, const void* value, pmix_data_type_t type);
  Status AddString(const char* key, const std::string& value);
  // Turns what was added into the array; no Add afterwards.
  Status Finish();

  pmix_info_t* data() { return static_cast<pmix_info_t*>(array_.array); }
  size_t size() const { return array_.size; }
  pmix_data_array_t* array() { return &array_; }

 private:
  void* list_ = nullptr;
  pmix_data_array_t array_{};
  bool finished_ = false;
};

// Runs `start(cbfunc, cbdata)`, a PMIx call that completes through a pmix_op_cbfunc_t,
// and waits for the completion. PMIX_OPERATION_SUCCEEDED counts as done at once; any
// other immediate error means the callback never comes. Gives kDeadlineExceeded after
// `timeout` (a late callback is then harmless: its state is heap-owned).
Status WaitForOp(const std::string& what,
                 const std::function<pmix_status_t(pmix_op_cbfunc_t, void*)>& start,
                 std::chrono::milliseconds timeout);

// The info array of PMIx_server_register_nspace for a validated step: UNIV_SIZE,
// JOB_SIZE, MAX_PROCS, APP_SIZE, NUM_NODES, SPAWNED, LOCAL_SIZE, LOCAL_PEERS, NODE_MAP,
// PROC_MAP, JOBID, then for every rank of the step a PMIX_PROC_DATA array with RANK,
// LOCAL_RANK, NODE_RANK, APPNUM, NODEID, HOSTNAME and GLOBAL_RANK. Needs PMIx_server_init.
Status BuildNspaceInfo(const MpiStepInfo& info, InfoArray* out);

}  // namespace herd::plugin::pmix
