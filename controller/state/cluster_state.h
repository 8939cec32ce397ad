// herd — the controller's in-memory model: jobs, nodes, partitions. Changed only through
// Apply(event); everything else reads. No I/O, no clock, no threads: the controller loop
// owns it, tests and the simulator drive it directly.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "controller/state/assoc_tree.h"
#include "controller/state/assoc_usage.h"
#include "controller/state/depend.h"
#include "controller/state/events.h"
#include "controller/state/usage.h"

namespace herd::ctld {

// Sets the fields a JobUpdated carries on `job` (the state's Apply, and the update
// handler trying the new shape on a copy first).
void ApplyJobUpdate(const JobUpdated& e, Job* job);

// The cpus allocated to a job (its current run).
uint64_t AllocCpus(const Job& job);

class ClusterState {
 public:
  explicit ClusterState(const ClusterConfig& config);
  ClusterState(const ClusterState&) = delete;  // the dependency tracker refers to jobs_
  ClusterState& operator=(const ClusterState&) = delete;

  const ClusterConfig& config() const { return config_; }

  // Applying an event that does not fit the state (unknown job, wrong state) is refused
  // with kFailedPrecondition and changes nothing; journal replay logs and skips those.
  Status Apply(const JobSubmitted& e);
  Status Apply(const JobStarted& e);
  Status Apply(const JobEnded& e);
  Status Apply(const JobRequeued& e);
  Status Apply(const JobHold& e);
  Status Apply(const JobRequeueAsked& e);
  Status Apply(const JobUpdated& e);
  Status Apply(const ArrayTasksSplit& e);
  Status Apply(const JobKillIntent& e);
  Status Apply(const NodeUpdated& e);
  Status Apply(const PartitionUpdated& e);
  Status Apply(const PartitionDefined& e);
  Status Apply(const PartitionDeleted& e);
  Status Apply(const AuditRecorded& e);
  Status Apply(const ReservationDefined& e);
  Status Apply(const ReservationDeleted& e);
  Status Apply(const AssocDefined& e) { return assoc_.Apply(e); }
  Status Apply(const AssocDeleted& e) { return assoc_.Apply(e); }
  Status Apply(const StepStarted& e);
  Status Apply(const StepNodeEnded& e);
  Status Apply(const LaunchConfirmed& e);
  Status Apply(const AcctStored& e);
  Status Apply(const JobCompleting& e);
  Status Apply(const EpilogNodeDone& e);
  Status Apply(const CtldHookOwed& e);
  Status Apply(const CtldHookDone& e);
  // Decodes a journal record and applies it.
  Status ApplyRecord(uint16_t type, const std::string& body);

  // Checkpoint of everything persistent, and its inverse (replaces the current state).
  std::string Snapshot() const;
  Status Restore(const std::string& bytes);

  uint64_t next_job_id() const { return next_job_id_; }
  const std::map<uint64_t, Job>& jobs() const { return jobs_; }
  const Job* FindJob(uint64_t id) const;
  // The job a submission with this client token created (while it is remembered).
  const Job* FindByToken(uint32_t uid, uint64_t token) const;
  // Jobs not finished (pending, running, completing), all and of one user: kept as jobs
  // come and end, so that the submission limits cost no scan of the jobs.
  size_t live_jobs() const { return live_jobs_; }
  size_t LiveJobsOf(uint32_t uid) const;
  // Forgets a finished job (after MinJobAge). Not journaled: replay forgets it again.
  void Forget(uint64_t id);
  // Runtime annotation by the scheduler (why it waits, when it is expected to start; 0 =
  // not known); not journaled: the next pass computes them again.
  void SetPendingReason(uint64_t id, PendingReason r, int64_t expected_start = 0);
  // priority/multifactor: the priority the last pass computed (runtime, like the reason).
  void SetPriority(uint64_t id, uint32_t priority);
  // The nodes a pending job's reservation expects (hostlist), as the last pass planned
  // them (few: one reservation per partition); "" when it has none.
  void SetSchedNodes(std::unordered_map<uint64_t, std::string> by_job) {
    sched_nodes_ = std::move(by_job);
  }
  const std::string& SchedNodes(uint64_t id) const;
  void SetAwaitingKill(uint64_t id, bool waiting);

  // Dependencies and --begin (state/depend.h): derived from the jobs, never journaled.
  const DependencyTracker& dependencies() const { return deps_; }
  // The clock the begin and after+N tests use; true when a job may now start.
  bool AdvanceTime(int64_t now) { return deps_.AdvanceTime(now); }

  std::vector<NodeRecord>& nodes() { return nodes_; }
  const std::vector<NodeRecord>& nodes() const { return nodes_; }
  NodeRecord* FindNode(const std::string& name);
  const NodeRecord* FindNode(const std::string& name) const;
  int NodeIndex(const std::string& name) const;  // -1 if unknown
  // The node's definition: herd.conf's with the values an admin set at runtime
  // (NodeRecord::overrides; doc/admin.md), and the features it has active now.
  const NodeConfig& NodeConf(size_t index) const { return node_conf_[index]; }
  const std::vector<std::string>& ActiveFeatures(size_t index) const;
  // Where the nodes differ from herd.conf (runtime values kept over it), one line each.
  std::vector<std::string> NodeDrift() const;

  // Partitions as they are now: herd.conf's, merged with the runtime changes (doc/admin.md).
  const std::map<std::string, PartitionRecord>& partitions() const { return partitions_; }
  // The same in display order: herd.conf's order, then those created at runtime by name.
  std::vector<const PartitionRecord*> PartitionsInOrder() const;
  std::string PartitionState(const std::string& name) const;            // "" if unknown
  const PartitionConfig* FindPartition(const std::string& name) const;  // nullptr if unknown
  const PartitionConfig* DefaultPartition() const;                      // nullptr if none
  // Partitions herd.conf defines that an admin deleted at runtime: they stay deleted.
  const std::set<std::string>& deleted_partitions() const { return deleted_partitions_; }
  // Where the partitions differ from herd.conf (runtime changes kept over it), one line
  // each: reported at start, so that no change is lost silently.
  std::vector<std::string> PartitionDrift() const;

  // Advance reservations by name (reservation_state.cc), ended ones included until the
  // controller deletes them; the number the next one created gets.
  const std::map<std::string, proto::Reservation>& reservations() const { return resvs_; }
  const proto::Reservation* FindReservation(const std::string& name) const;
  uint32_t next_resv_id() const { return next_resv_id_; }

  // Accounts, users and QOS (state/assoc_tree.h).
  const AssocTree& assoc() const { return assoc_; }
  // What the jobs not finished hold of each association and QOS (state/assoc_usage.h).
  const AssocCounters& assoc_usage() const { return assoc_usage_; }

  // The audit trail, oldest first.
  const std::deque<proto::AuditRecord>& audit() const { return audit_; }
  // Fair-share usage of the runs that ended (state/usage.h).
  const UsageTable& usage() const { return usage_; }

  // Tasks of array `array_job_id` started and not ended (its throttle counts them).
  uint32_t ArrayTasksRunning(uint64_t array_job_id) const;
  // A job blob (Job::blob_id) some job still needs: its own while the job is kept (a
  // finished batch job may be requeued), or an array's that tasks split off from it have
  // not all ended.
  bool BlobNeeded(uint64_t blob_id) const;

  // Finished jobs still COMPLETING (Job::completing not empty), by id.
  const std::set<uint64_t>& completing() const { return completing_; }

  // Counts for display.
  uint32_t FreeCpus(const NodeRecord& n) const;

 private:
  static uint64_t TokenKey(uint32_t uid, uint64_t token);
  Job& SplitTask(Job& array, uint32_t task_id, uint64_t task_job_id);
  // Marks the job's cpus and memory on its nodes used (or free again).
  void UseNodes(const Job& job, bool use);
  void Allocate(const Job& job);
  void Release(const Job& job);
  void AddUsage(const Job& job, int64_t end_time);
  void CountLive(uint32_t uid, int delta);
  // Partitions as herd.conf defines them.
  std::map<std::string, PartitionRecord> ConfigPartitions() const;
  // `def` differs from herd.conf's definition of it (or herd.conf has none).
  bool DiffersFromConfig(const PartitionConfig& def) const;
  void SetPartition(PartitionRecord r);
  // Restore: the checkpoint's partitions over herd.conf's, by the rule of doc/admin.md.
  void MergePartitions(std::map<std::string, PartitionRecord> saved,
                       const std::set<std::string>& deleted);
  void TrimAudit();
  // Sets the node's runtime values, dropping those herd.conf now gives it anyway.
  void SetOverrides(size_t index, NodeOverrides o);

  const ClusterConfig& config_;
  uint64_t next_job_id_ = 1;
  std::map<uint64_t, Job> jobs_;
  std::vector<NodeRecord> nodes_;
  std::vector<NodeConfig> node_conf_;  // see NodeConf()
  std::unordered_map<std::string, size_t> node_index_;
  std::map<std::string, PartitionRecord> partitions_;
  std::set<std::string> deleted_partitions_;
  std::deque<proto::AuditRecord> audit_;
  uint64_t audit_seq_ = 0;
  std::map<std::string, proto::Reservation> resvs_;
  uint32_t next_resv_id_ = 1;
  AssocTree assoc_;
  AssocCounters assoc_usage_;                        // derived from jobs_, see assoc_usage()
  UsageTable usage_;                                 // fair-share usage of ended runs, see usage()
  std::unordered_map<uint64_t, uint64_t> by_token_;  // client token -> job id
  size_t live_jobs_ = 0;
  std::unordered_map<uint32_t, size_t> live_by_uid_;       // uid -> its live jobs (none: absent)
  std::unordered_map<uint64_t, std::string> sched_nodes_;  // runtime, see SetSchedNodes
  std::unordered_map<uint64_t, uint32_t> array_running_;   // array job id -> tasks started
  // Array job id -> its tasks split off into records of their own and not finished.
  std::unordered_map<uint64_t, uint32_t> array_live_;
  void CountArrayLive(const Job& j, int delta);
  std::set<uint64_t> completing_;  // derived from Job::completing
  DependencyTracker deps_{config_, jobs_, array_live_};
};

}  // namespace herd::ctld
