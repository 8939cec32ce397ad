// herd — the controller's accounting component: it keeps which jobs and nodes have rows
// not in the database yet, builds them from the state and hands them, a batch at a time,
// to a worker thread that writes them (so a slow or absent database never holds up the
// controller's loop). Rows are upserts: what a restart or a failover sends again replaces
// itself. The backlog is the state itself: a finished job, and a node's state change, are
// kept (journaled, replicated, checkpointed) until stored (AcctStored; doc/accounting.md).
#pragma once

#include <climits>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/base/clock.h"
#include "controller/acct/acct_hook.h"
#include "controller/acct/acct_store.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld::acct {

class AcctFeed : public AcctHook {
 public:
  using Opener = std::function<Result<std::unique_ptr<AcctStore>>()>;
  // `open` connects to the database (and migrates it); called by the worker, again after
  // every failure.
  AcctFeed(const ClusterState& state, Clock& clock, std::string type, Opener open);
  ~AcctFeed() override;
  AcctFeed(const AcctFeed&) = delete;
  AcctFeed& operator=(const AcctFeed&) = delete;

  void Committed(const AcctTouched& touched) override;
  void Resync() override;
  AcctStored Pump() override;
  void Describe(proto::HaStatusReply* st) const override;
  // Purges (and archives) what `policy` says at the start of each purge interval, and once
  // when the database is first reached (what came due while the controller was away).
  // Before the first Pump.
  void set_purge(AcctPurgeConfig policy) { purge_ = std::move(policy); }

  // Jobs and node changes not stored yet (in flight included).
  size_t backlog() const;
  // Nothing waits and nothing is in flight (tests).
  bool idle() const;
  static constexpr size_t kBatchJobs = 2000;
  static constexpr size_t kBatchNodeEvents = 500;
  // A batch goes out at most this often unless a full one waits: the rows of a job that
  // changes several times meanwhile are written once, and each transaction's sync is
  // shared by more rows.
  static constexpr int64_t kSendIntervalMs = 250;
  // Stored jobs are handed back (journaled as AcctStored) at most this often unless many
  // wait: a record in a batch that commits anyway, not a sync of its own per batch.
  static constexpr int64_t kStoredIntervalMs = 1000;
  static constexpr int64_t kRetryMinMs = 500;
  static constexpr int64_t kRetryMaxMs = 5000;
  // A purge that failed is tried again this much later (or at the next interval if sooner).
  static constexpr int64_t kPurgeRetryS = 300;

 private:
  // Takes the worker's answer for the batch in flight, if it came.
  void Collect(int64_t now);
  // Hands the next batch to the worker, when due.
  void Send(int64_t now);
  void Work();
  // The worker's purge at `now` (wall clock), logged.
  Status RunPurge(AcctStore* store, int64_t now);

  const ClusterState& state_;
  Clock& clock_;
  std::string type_;
  Opener open_;
  // Loop thread only.
  std::set<uint64_t> dirty_;                      // jobs whose rows are to be sent, oldest first
  std::set<std::string> dirty_nodes_;             // nodes with changes to send
  std::map<std::string, uint64_t> sent_through_;  // per node: the last change sent (or stored)
  bool busy_ = false;                             // a batch is with the worker
  std::vector<uint64_t> sent_jobs_;               // of the batch in flight
  std::vector<uint64_t> sent_finished_;           // its finished jobs, stored when it is
  std::map<std::string, uint64_t> sent_nodes_;    // its node changes: per node, the last
  AcctStored stored_;                             // stored, not yet handed back
  int64_t last_send_ms_ = INT64_MIN / 2;
  int64_t last_stored_ms_ = INT64_MIN / 2;
  int64_t retry_at_ms_ = 0;
  int64_t retry_delay_ms_ = kRetryMinMs;
  AcctPurgeConfig purge_;
  int64_t next_purge_s_ = 0;  // wall clock: when the next purge is due (0: at once)
  bool purge_sent_ = false;   // the batch in flight carries a purge
  std::string link_ = "connecting";
  std::string error_;
  // Shared with the worker.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Batch> todo_;  // for the worker
  int64_t todo_purge_at_ = 0;    // and a purge at this time (0: none)
  bool result_ready_ = false;
  Status result_;
  Status purge_result_;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace herd::ctld::acct
