// herd — controller: what the nodes' site programs (Prolog, Epilog, HealthCheckProgram)
// decide: a node whose program failed is drained with the reason (as `hcontrol update
// node=... state=drain reason=...` would), and a batch job whose Prolog failed, which never
// ran, is requeued so that it runs elsewhere.
#include "common/base/log.h"
#include "controller/core.h"

namespace herd::ctld {

Status ControllerCore::RequeueAfterPrologFailure(const Job& job, const std::string& node) {
  // The script never started and no step can have (they come from the script), so there
  // is nothing to wait for or kill on the job's nodes.
  JobRequeued e;
  e.job_id = job.id;
  e.reason = "Prolog error on " + node;
  const uint64_t id = job.id;
  HERD_RETURN_IF_ERROR(Emit(e));
  outbox_.DropFor(id);
  HERD_LOG(Info) << "job " << id << " requeued: its Prolog failed on " << node;
  need_schedule_ = true;
  return Status::Ok();
}

}  // namespace herd::ctld
