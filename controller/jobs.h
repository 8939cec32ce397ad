// herd — the controller's jobs: submission, cancel, hold and release, starting a planned
// job and sending its launch, its end (the batch step's report, a lost node, a time
// limit), requeues, and forgetting old finished jobs. A component of the controller core
// (doc/design.md §11).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Jobs {
 public:
  // What jobs need of the core and of the other components, wired by the core.
  struct Hooks {
    // The limits on what one user may make the controller store (limits.cc).
    std::function<Status(const Identity& who, const JobSpec& spec)> check_submit_limits;
    // A job was recorded: the core decides whether it needs a scheduling pass, and
    // answers an interactive one after it (scheduling.cc).
    std::function<void(const Job& job)> submitted;
    // Steps (steps.h): an allocation's end, one node's end of a step.
    std::function<void(const Job& job, JobState state, int32_t wait_status,
                       const std::string& reason, uint64_t token)>
        end_interactive;
    std::function<proto::Frame(const proto::StepCompleteRequest& req)> step_node_complete;
    // Nodes (nodes.h): kill waits and drains.
    std::function<bool(const std::string& node, uint64_t job_id, uint32_t run_seq)> kill_confirmed;
    std::function<void(const std::string& node, uint64_t job_id, uint32_t run_seq)> await_kill;
    std::function<void(const std::string& node, const std::string& reason)> drain;
    // The job has just ended: COMPLETING while Epilogs run but on `done_node` (completing.h).
    std::function<void(uint64_t job_id, const std::string& done_node)> completing;
    // The job has just started: true when its launch waits for PrologSlurmctld (ctld_hooks.h).
    std::function<bool(const Job& job)> started;
  };

  Jobs(CoreParts parts, CoreServices& core, std::string self_addr, Hooks hooks)
      : p_(parts), core_(core), self_addr_(std::move(self_addr)), hooks_(std::move(hooks)) {}

  // Submit, Cancel, Hold, Requeue, UpdateJob, StepComplete.
  Status AddHandlers(HandlerTable* table);

  // Starts a pending job on `alloc` (a plan's start, checked) and sends its launch.
  Status StartJob(const Job& job, std::vector<NodeAlloc> alloc);
  void SendLaunch(const Job& job);
  // Its PrologSlurmctld failed: a batch job is requeued (not held, as Slurm does), an
  // allocation ends (FAILED).
  void CtldPrologFailed(const Job& job, const std::string& reason);
  // Terminates the job's run on its nodes but `except_node`.
  void TerminateOnNodes(const Job& job, const std::string& except_node);
  void TerminateOnNode(const Job& job, const std::string& node);
  // `epilog_done_on`: the batch host whose step daemon ran the Epilog before reporting.
  Status EndRunningJob(const Job& job, int32_t wait_status, int64_t end_time,
                       const std::string& message, const proto::StepUsage& usage = {},
                       const std::string& epilog_done_on = "");
  // Ends or requeues the jobs running on `node`. `node_alive`: the node still answers (an
  // admin took it down), so its own processes of those jobs are terminated too.
  void FailJobsOnNode(const std::string& node, const std::string& why, bool node_alive = false);
  // Cancels the pending jobs whose dependency can never be satisfied and that are to be
  // cancelled then (--kill-on-invalid-dep, DependencyParameters=kill_invalid_depend).
  void CancelInvalidDependents();
  // Tick: jobs past their time limit.
  void CheckTimeLimits();
  // Tick: finished jobs older than MinJobAge; `until_stored`: accounting is on, and a
  // finished job stays until its record is stored (AcctStored).
  void ForgetOldJobs(bool until_stored);

 private:
  proto::Frame Submit(const Identity& who, const proto::Frame& f);
  Status CheckReservation(const proto::JobSpec& spec, const std::string& user) const;
  proto::Frame Cancel(const Identity& who, const proto::Frame& f);
  Status CancelOne(const Job& j, const Identity& who, const proto::CancelJobsRequest& req);
  void CancelSelected(const Job& j, const Identity& who, const proto::CancelJobsRequest& req,
                      bool listed, proto::JobActionResult r, proto::CancelJobsReply* rep);
  Status MaySplit(const Job& array, const Identity& who) const;
  proto::Frame Hold(const Identity& who, const proto::Frame& f);
  Status HoldOne(const Job* j, const Identity& who, const proto::HoldJobsRequest& req);
  bool SameRequestAgain(const Job& j, const Identity& who, uint64_t token) const;
  // hcontrol requeue|requeuehold (requeue.cc).
  proto::Frame Requeue(const Identity& who, const proto::Frame& f);
  Status RequeueOne(const Job* j, const Identity& who, const proto::RequeueJobsRequest& req);
  // scontrol update JobId= (job_update.cc).
  proto::Frame UpdateJob(const Identity& who, const proto::Frame& f);
  Status ApplyUpdateKey(const Job& j, const std::string& key, const std::string& value, bool admin,
                        JobUpdated* e);
  proto::Frame StepComplete(const Identity& who, const proto::Frame& f);
  // A batch job whose Prolog failed never ran: requeued to run elsewhere.
  Status RequeueAfterPrologFailure(const Job& job, const std::string& node);
  // The job just requeued after a failed Prolog is held (HoldKind::kLaunchFailed).
  void HoldAfterPrologFailure(uint64_t id);
  // Ends (NODE_FAIL) or requeues one running job whose run was lost with `node` (see
  // FailJobsOnNode for `node_alive`); `always_requeue`: whatever JobRequeue and --requeue.
  void NodeLostJob(uint64_t job_id, const std::string& node, const std::string& why,
                   bool node_alive, bool always_requeue = false);
  std::string TerminateBody(const Job& job) const;
  void QueueTerminate(const Job& job, const std::string& node, const std::string& body);
  // A Prolog or Epilog is configured: the nodes hear of every job's end.
  bool NodesRunJobHooks() const;

  CoreParts p_;
  CoreServices& core_;
  std::string self_addr_;  // where step daemons report
  Hooks hooks_;
};

}  // namespace herd::ctld
