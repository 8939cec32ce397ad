// herd — the controller's job steps (hrun) and interactive allocations (halloc, hrun):
// creating a step and sending its launch, the nodes' reports of its end, releasing an
// allocation, and reconciling the steps a registering node reports. A component of the
// controller core (doc/design.md §11).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Steps {
 public:
  // What steps need of the other components, wired by the core.
  struct Hooks {
    // Terminates whatever still runs of `job`'s run on its nodes (jobs).
    std::function<void(const Job& job)> terminate;
    // Until when a node is waited for to confirm a run is gone (nodes).
    std::function<int64_t()> kill_deadline;
    // The job has just ended: COMPLETING while Epilogs run (completing.h).
    std::function<void(uint64_t job_id)> completing;
  };

  Steps(CoreParts parts, CoreServices& core, std::string self_addr, Hooks hooks)
      : p_(parts), core_(core), self_addr_(std::move(self_addr)), hooks_(std::move(hooks)) {}

  // StepCreate, AllocationDone.
  Status AddHandlers(HandlerTable* table);

  // One node's report that its part of a (non-batch) step ended.
  proto::Frame StepNodeComplete(const proto::StepCompleteRequest& req);
  // Ends an interactive allocation (`token`: of the cancel that ends it, else 0).
  void EndInteractiveJob(const Job& job, JobState state, int32_t wait_status,
                         const std::string& reason, uint64_t token = 0);
  // A step `node` reports at registration: acknowledged when it ended, killed when this
  // controller does not know it.
  void ReconcileStep(const std::string& node, const proto::StepRef& st,
                     proto::RegisterNodeReply* rep);
  // Sends again the launches of running steps that `node` (just registered, reporting
  // `reported` (job, step) pairs) should run but never confirmed.
  void ResendStepLaunches(size_t node, const std::set<std::pair<uint64_t, uint32_t>>& reported);

 private:
  proto::Frame StepCreate(const Identity& who, const proto::Frame& f);
  proto::Frame AllocationDone(const Identity& who, const proto::Frame& f);
  // The step a StepCreateRequest with this token created (of the job's current run).
  static const StepRecord* StepOfToken(const Job& j, uint64_t token);
  static proto::Frame StepReplyOf(const StepRecord& st);
  std::string EncodeStepLaunch(const Job& j, const proto::StepSpec& spec,
                               const StepRecord& st) const;

  CoreParts p_;
  CoreServices& core_;
  std::string self_addr_;  // where step daemons report
  Hooks hooks_;
};

}  // namespace herd::ctld
