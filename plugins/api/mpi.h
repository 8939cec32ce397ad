// herd — the MPI plugin interface (mpi/none, mpi/pmix). A step daemon (herdstepd) makes one
// MpiServer per step before starting the step's local tasks; the plugin hosts whatever
// the MPI library needs (for mpi/pmix: a PMIx server for the local ranks) and asks the
// step daemon to allgather fence data across the step's nodes.
//
// Threads: Start/TaskEnv/FenceDone/Stop are called on the step daemon's loop thread. The
// plugin may call MpiHost::SendFence and MpiHost::Abort from any thread (e.g. the PMIx
// progress thread); the host hands them to its loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::plugin {

struct MpiNode {
  std::string name;
  std::vector<uint32_t> ranks;  // global ranks on that node, ascending
};

struct MpiStepInfo {
  uint64_t job_id = 0;
  uint32_t step_id = 0;
  std::string nspace;  // unique per step, e.g. "herd.12.0"
  uint32_t uid = 0;    // the job's user (ranks run as this user)
  uint32_t gid = 0;
  uint32_t num_tasks = 0;      // ranks in the whole step
  uint32_t node_index = 0;     // this node's index in `nodes`
  std::vector<MpiNode> nodes;  // every node of the step, in node order
  std::string tmpdir;          // a private directory for this step on this node, owned by
                               // the job's user; removed by the step daemon afterwards
};

class MpiHost {
 public:
  virtual ~MpiHost() = default;
  // Contributes this node's `data` to fence `seq` (fences are numbered 1, 2, ... in the
  // order the plugin starts them; every node sees the same order). The host answers with
  // MpiServer::FenceDone(seq, blobs of all nodes concatenated in node order).
  virtual void SendFence(uint64_t seq, std::string data) = 0;
  // A rank asked to abort the whole step (MPI_Abort) with this exit code.
  virtual void Abort(int exit_code, std::string message) = 0;
};

class MpiServer {
 public:
  virtual ~MpiServer() = default;
  // Before any task starts. `host` outlives the server.
  virtual Status Start(const MpiStepInfo& info, MpiHost* host) = 0;
  // "K=V" entries to add to the environment of the task with global rank `rank` (called
  // once per local task, before it is forked).
  virtual Result<std::vector<std::string>> TaskEnv(uint32_t rank) = 0;
  // The allgathered data of fence `seq`.
  virtual void FenceDone(uint64_t seq, const std::string& data) = 0;
  // After every local task has ended.
  virtual void Stop() = 0;
};

// "pmix" or "mpi/pmix" -> the PMIx server; "none" or "mpi/none" -> a server that adds
// nothing; anything else -> kInvalidArgument naming the known types.
Result<std::unique_ptr<MpiServer>> MakeMpiServer(const std::string& type);
// The names `hrun --mpi=list` prints.
std::vector<std::string> MpiTypes();

}  // namespace herd::plugin
