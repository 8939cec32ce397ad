// herd — the controller core: requests in, replies and node messages out, state changed
// only through journaled events. It touches no socket and no wall clock of its own: the
// server loop (server.h) feeds it bytes and sends what it returns; tests drive it with a
// ManualClock and a memory store.
//
// Per loop iteration the server calls HandleRequest() for every waiting request and
// HandleNodeReply() for every node answer, then Tick(), then Flush(): Flush schedules,
// commits the journal (one fdatasync for the whole batch) and only then hands out the
// replies and node messages, so nothing is acknowledged or launched before it is durable.
// The core is thin: it owns the state, the journal, the output gate, the outbox, dispatch
// through the handler table, scheduling (plan and apply) and high availability; jobs,
// steps, nodes and queries are components (component.h) that register their own handlers
// and reach each other only through callbacks wired here. The map: doc/design.md §11.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/clock.h"
#include "common/base/log_limit.h"
#include "common/config/config.h"
#include "common/proto/codec.h"
#include "controller/acct/acct_hook.h"
#include "controller/assoc.h"
#include "controller/completing.h"
#include "controller/component.h"
#include "controller/ctld_hooks.h"
#include "controller/ha/ha_control.h"
#include "controller/handler_table.h"
#include "controller/job_submit/job_submit_worker.h"
#include "controller/jobs.h"
#include "controller/journal.h"
#include "controller/nodes.h"
#include "controller/outbox.h"
#include "controller/output_gate.h"
#include "controller/partitions.h"
#include "controller/queries.h"
#include "controller/query_queue.h"
#include "controller/reservations.h"
#include "controller/sched/scheduler.h"
#include "controller/state/cluster_state.h"
#include "controller/steps.h"
#include "controller/store/blob_store.h"
#include "controller/store/state_store.h"

namespace herd::ctld {

class ControllerCore : private CoreServices {
 public:
  // `self_name`: this controller's ControllerHost name ("" = the first). `votes`: where
  // its vote is kept (null: in memory, for tests with one controller).
  ControllerCore(const ClusterConfig& config, Clock& clock, StateStore& store, BlobStore& blobs,
                 Authenticator& auth, std::string self_addr, ha::VoteStore* votes = nullptr,
                 std::string self_name = "",
                 std::function<int64_t(int64_t, int64_t)> rand = nullptr);

  // Loads checkpoint + journal. kDataLoss on corruption (the controller must not start).
  Status Recover();
  // herdctld --min-epoch: before Recover(), the epoch to start above (HaControl::RaiseEpoch).
  void set_min_epoch(uint64_t epoch) { min_epoch_ = epoch; }

  // One request from `peer` (routing id; `from`: its address, for logs). Its reply is
  // queued until Flush().
  void HandleRequest(const std::string& peer, const std::string& bytes,
                     const std::string& from = "");
  // One answer from node `node` to a message sent to it.
  void HandleNodeReply(size_t node, const std::string& bytes);
  // One answer from another voter (index into ha().peers()) to a frame sent to it.
  void HandlePeerReply(size_t peer, const std::string& bytes);
  // Queries wait for Flush (query_queue.h); true while some are left for the next one.
  bool queries_waiting() const { return !queries_.empty(); }
  // Timers: node timeouts, time limits, forgetting old jobs, resending node messages.
  void Tick();
  FlushResult Flush();
  // When set, Flush hands the records of the batch to the passive through `send` *before*
  // its own journal commit, so that both disks sync at the same time (output is still held
  // until both have the records). Without it, they come back in FlushResult.
  void set_early_peer_sender(std::function<void(std::vector<PeerMsg>)> send) {
    early_peer_sender_ = std::move(send);
  }
  // Writes a checkpoint when due (or now when forced).
  Status MaybeCheckpoint(bool force);
  // Accounting (controller/acct/acct_hook.h), set before Recover() when configured: it
  // is told what each durable batch touched, and finished jobs are kept until it has
  // stored them.
  void set_acct(AcctHook* acct) {
    acct_ = acct;
    journal_.set_acct(acct);
  }
  // The site's job_submit.lua (job_submit_hook.cc), set before Recover() when configured:
  // submissions go through it on its worker thread; their replies wait until it decided.
  void set_job_submit(JobSubmitWorker* filter);
  // Readable when the filter has decided on submissions (-1: no filter): the server polls
  // it and then calls HandleFilteredSubmissions().
  int job_submit_fd() const { return job_submit_ != nullptr ? job_submit_->wake_fd() : -1; }
  void HandleFilteredSubmissions();
  // Readable when a PrologSlurmctld or EpilogSlurmctld ended (ctld_hooks.h): the server
  // polls it and then calls HandleCtldHooks().
  int ctld_hooks_fd() const { return ctld_hooks_.fd(); }
  void HandleCtldHooks() { ctld_hooks_.HandleDone(); }

  const ClusterState& state() const { return state_; }
  uint64_t epoch() const override { return ha_->epoch(); }
  const ha::HaControl& ha() const { return *ha_; }
  // Active with a valid lease: may change state, schedule and launch.
  bool writable() const { return ha_->Writable(); }
  // Why the journal cannot be written now (OK when it can): changes are refused meanwhile.
  const Status& store_error() const { return store_error_; }

  // Exposed for tests.
  bool IsAdmin(uint32_t uid) const override;
  const HandlerTable& handlers() const { return handlers_; }

 private:
  // Dispatch (core.cc) through the handlers each part registers (its AddHandlers).
  void AddHandlers();
  proto::Frame Dispatch(const Identity& who, const proto::Frame& f, bool* from_passive);
  // Dispatches an authenticated request and queues its reply.
  void Answer(const std::string& peer, const Identity& who, const proto::Frame& f);
  // Queues a reply of this batch (the output gate); its index in the batch.
  size_t PushReply(const std::string& peer, uint64_t request_id, proto::Frame reply,
                   bool to_write = false);
  template <class E>
  Status Emit(const E& e) {
    return journal_.Emit(e);
  }
  // CoreServices, for the components.
  std::string UserName(uint32_t uid) override;
  void RequestSchedule() override { need_schedule_ = true; }
  Status Audit(const Identity& who, const std::string& entity, const std::string& action,
               const std::string& old_value, const std::string& new_value) override;

  // Limits and a failing journal (limits.cc).
  Status CheckSubmitLimits(const Identity& who, const JobSpec& spec);
  // Looks at the free space of the state disk (at most every few ms unless `now`).
  void RefreshSpace(bool now = false);
  // While the journal cannot be written: is a request of this type refused? `*silent`:
  // not answered at all (its sender resends) rather than answered with StoreRefusal().
  bool RefusedWhileStoreFails(proto::MsgType type, bool* silent) const;
  Status StoreRefusal() const;
  void StoreFailed(const Status& why, FlushResult* r);
  void StoreRecovered();

  // Hands a submission to job_submit.lua; false when it is answered here at once instead.
  bool FilterSubmission(const std::string& peer, const Identity& who, proto::Frame* f);
  std::vector<LuaPartition> LuaParts() const;

  // Scheduling (scheduling.cc): the scheduler's plan, checked and journaled.
  void RunScheduler();
  // A new job: a pass, unless it would only wait behind its partition's blocked job.
  void OnJobSubmitted(const Job& job);
  void ApplyPlan(SchedulePlan plan);

  // Interactive submissions answer after the scheduling pass, with the allocation.
  void FinishDeferredReplies();

  // High availability (ha_handlers.cc).
  Status AddHaHandlers();
  proto::Frame HaRequest(const Identity& who, const proto::Frame& f);
  proto::Frame AppendRecords(const proto::Frame& f);
  proto::Frame InstallSnapshot(const proto::Frame& f);
  proto::Frame NotActive() const;
  void ForgetUnneededBlobs();
  void AfterReplicatedRecord(uint16_t type, const std::string& body);
  proto::InstallSnapshotRequest MakeSnapshot();
  // Notices becoming active or stepping down (after every call into ha_).
  void CheckRole();
  void BecameActive();
  void SteppedDown();
  std::vector<PeerMsg> SignPeerMessages();

  // Queries waiting for Flush: at most kQueryAnswersPerFlush of them, users in turn.
  void ServeQueries();

  const ClusterConfig& config_;
  Clock& clock_;
  StateStore& store_;
  BlobStore& blobs_;
  Authenticator& auth_;
  std::string self_addr_;  // where step daemons report, "tcp://host:port"
  ClusterState state_;
  std::unique_ptr<ha::MemoryVoteStore> own_votes_;
  std::unique_ptr<ha::HaControl> ha_;
  Journal journal_;  // every change of state_ goes through it
  uint64_t seen_role_changes_ = 0;
  bool acting_ = false;  // the core has done the takeover of an active (BecameActive)
  std::function<void(std::vector<PeerMsg>)> early_peer_sender_;
  AcctHook* acct_ = nullptr;
  JobSubmitWorker* job_submit_ = nullptr;
  OutputGate output_;  // replies and node messages until they may go
  HandlerTable handlers_;
  Status setup_error_;             // a handler table that could not be built: Recover() refuses
  std::set<uint32_t> admin_uids_;  // AdminUser's
  uint64_t min_epoch_ = 0;
  bool need_schedule_ = true;
  // From the last scheduling pass: a new job there waits behind the blocked one, so its
  // submission alone needs no new pass (a submission storm costs no pass per job).
  std::map<std::string, int32_t> blocked_partitions_;
  int64_t started_ms_ = 0;
  int64_t last_tick_ms_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  QueryQueue queries_;
  Queries query_;  // the read-only requests
  // Interactive submissions answer after the scheduling pass, with the allocation.
  struct Deferred {
    size_t reply_index;
    uint64_t request_id;
    uint64_t job_id;
  };
  std::vector<Deferred> deferred_;
  uint64_t deferred_job_ = 0;  // set by Submit for the request being handled
  Outbox outbox_;              // messages to node daemons until answered
  Jobs jobs_;                  // submission to the end of each run
  Steps steps_;                // job steps and interactive allocations
  Nodes nodes_;                // node daemons, their liveness, admin updates of nodes
  Completing completing_;      // ended jobs whose Epilogs still run (COMPLETING)
  CtldHooks ctld_hooks_;       // PrologSlurmctld and EpilogSlurmctld
  Partitions partitions_;      // partitions changed at runtime
  Reservations resvs_;         // advance reservations
  Associations assoc_;         // accounts, users and QOS (hacctmgr)
  std::unordered_map<uint32_t, std::string> user_names_;
  // Refused requests are logged at most a few per sender and window.
  PeerLogLimiter refusals_;
  std::string from_;  // the address of the request being handled
  // A failing journal (limits.cc).
  Status store_error_;
  int64_t store_failed_ms_ = 0;
  int64_t store_logged_ms_ = 0;
  int64_t checkpoint_retry_ms_ = 0;  // after a failed checkpoint
  // Free space of the state disk, less what was accepted since it was looked at.
  bool space_known_ = false;
  bool space_low_ = false;
  uint64_t space_avail_ = 0;
  int64_t space_checked_ms_ = INT64_MIN / 2;
};

}  // namespace herd::ctld
