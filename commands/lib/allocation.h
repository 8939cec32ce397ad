// herd commands — the life of an interactive allocation as halloc and hrun see it: submit
// the job (JobSpec.interactive), say that it waits, poll the controller until it runs
// (cancelling it when the user interrupts), and tell the controller when it is no longer
// needed (AllocationDoneRequest). Messages follow salloc's and srun's wording.
#pragma once

#include <cstdint>
#include <string>

#include "commands/lib/client.h"
#include "commands/lib/signal_watch.h"
#include "common/base/status.h"
#include "common/proto/messages.h"
#include "common/proto/step_messages.h"

namespace herd::cli {

enum class AllocStyle {
  kHrun,    // srun: "job N queued and waiting for resources" / "... has been allocated ..."
  kHalloc,  // salloc: also "Pending job allocation N" and "Granted job allocation N"
};

struct AllocationRequest {
  std::string cmd;  // prefix of every message: "hrun", "halloc"
  AllocStyle style = AllocStyle::kHrun;
  bool quiet = false;  // no informational messages (errors are still printed by the caller)
};

struct Allocation {
  uint64_t job_id = 0;
  proto::JobInfo info;  // the job as it runs (nodes, cpus, tasks per node)
};

// Why Allocate gave up. An interrupted wait has already been reported on stderr.
struct AllocFailure {
  Status status;
  bool interrupted = false;
};

// Submits `spec` and waits until the job runs, polling every 50-200 ms. A signal from
// ForwardedSignals() while it waits cancels the job ("Job allocation N has been revoked.").
// Returns false with `*failure` set when no allocation was obtained.
bool Allocate(Client* client, SignalWatch* signals, const proto::JobSpec& spec,
              const AllocationRequest& how, Allocation* out, AllocFailure* failure);

// The job's current record (finished jobs included); kNotFound when the controller has
// forgotten it.
Result<proto::JobInfo> QueryJob(Client* client, uint64_t job_id);

// AllocationDoneRequest; a failure is printed as "<cmd>: error: ..." (nothing else to do).
void ReleaseAllocation(Client* client, const std::string& cmd, uint64_t job_id, int exit_code);

// The JobInfo of a job that started at once, from the submit reply alone (used when the
// follow-up query fails).
proto::JobInfo InfoFromSubmitReply(const proto::SubmitJobReply& reply, const proto::JobSpec& spec);

}  // namespace herd::cli
