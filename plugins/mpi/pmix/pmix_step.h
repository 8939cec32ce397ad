// herd — mpi/pmix: what a step's layout means to PMIx and Open MPI, without calling PMIx:
// validation of MpiStepInfo, the node/process map strings, where each rank sits, the
// job id Open MPI derives from the namespace, and the step's file cleanup.
//
// Threads: pure functions (the cleanup touches only the files it is given); any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "plugins/api/mpi.h"

namespace herd::plugin::pmix {

// Checks what the PMIx registration relies on: a namespace PMIx accepts, a tmpdir, a valid
// node_index whose node runs at least one rank, non-empty node names without commas, and
// every rank 0..num_tasks-1 on exactly one node, ascending within each node.
Status ValidateStepInfo(const MpiStepInfo& info);

// "n1,n2": the input of PMIx_generate_regex.
std::string NodeListSpec(const MpiStepInfo& info);
// "0,1;2,3": the ranks of every node in node order, the input of PMIx_generate_ppn.
std::string ProcMapSpec(const MpiStepInfo& info);
// "2,3": this node's ranks (PMIX_LOCAL_PEERS).
std::string LocalPeers(const MpiStepInfo& info);

struct RankPlace {
  uint32_t node = 0;        // index into info.nodes (PMIX_NODEID)
  uint16_t local_rank = 0;  // position on that node (PMIX_LOCAL_RANK and PMIX_NODE_RANK)
};
// Indexed by global rank. Requires a valid info.
std::vector<RankPlace> PlaceRanks(const MpiStepInfo& info);

// The job id an Open MPI 4.1 rank gives itself when launched by a foreign PMIx server: the
// one-at-a-time hash of the namespace with bit 15 cleared (OPAL_HASH_JOBID). It names the
// rank's shared-memory segments: vader_segment.<host>.<...>.<jobid in hex>.<local rank>
// (4.1.4 as root wrote vader_segment.vm.0.d21e0e03.1).
uint32_t OmpiJobId(const std::string& nspace);
// True for a vader_segment.<host>.<hex jobid>.<n> file name of that job id.
bool IsVaderSegmentOf(const std::string& file_name, uint32_t ompi_jobid);

// Removes the vader segments of `ompi_jobid` directly in `dir`; returns how many.
Result<int> RemoveVaderSegments(const std::string& dir, uint32_t ompi_jobid);
// Removes everything inside `dir`, keeping `dir` itself. A missing dir is not an error.
Status ClearDirectory(const std::string& dir);

}  // namespace herd::plugin::pmix
