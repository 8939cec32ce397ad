// herd — the controller's checkpoint: the state written in place and read back.
#include <boost/serialization/deque.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/utility.hpp>

#include "common/proto/codec.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {

namespace {
// The checkpoint: written from the state in place (a copy of every job would double the
// controller's memory while it is written), read back into a SnapshotData.
// Version 1 added the partitions deleted at runtime and the audit trail; version 2 the
// associations (accounts, users, QOS); version 3 the fair-share usage; version 5 the
// advance reservations (4 is another record's).
struct SnapshotRef {
  const uint64_t& next_job_id;
  const std::map<uint64_t, Job>& jobs;
  const std::vector<NodeRecord>& nodes;
  const std::map<std::string, PartitionRecord>& partitions;
  const std::set<std::string>& deleted_partitions;
  const std::deque<proto::AuditRecord>& audit;
  const uint64_t& audit_seq;
  const AssocTree& assoc;
  const UsageTable& usage;
  const std::map<std::string, proto::Reservation>& resvs;
  const uint32_t& next_resv_id;
  template <class A>
  void serialize(A& ar, unsigned) {
    // Saving only; Boost's interface asks for non-const references.
    ar& const_cast<uint64_t&>(next_job_id) & const_cast<std::map<uint64_t, Job>&>(jobs);
    ar& const_cast<std::vector<NodeRecord>&>(nodes);
    ar& const_cast<std::map<std::string, PartitionRecord>&>(partitions);
    ar& const_cast<std::set<std::string>&>(deleted_partitions);
    ar& const_cast<std::deque<proto::AuditRecord>&>(audit) & const_cast<uint64_t&>(audit_seq);
    ar& const_cast<AssocTree&>(assoc);
    ar& const_cast<UsageTable&>(usage);
    ar& const_cast<std::map<std::string, proto::Reservation>&>(resvs);
    ar& const_cast<uint32_t&>(next_resv_id);
  }
};

struct SnapshotData {
  uint64_t next_job_id = 1;
  std::map<uint64_t, Job> jobs;
  std::vector<NodeRecord> nodes;
  std::map<std::string, PartitionRecord> partitions;
  std::set<std::string> deleted_partitions;
  std::deque<proto::AuditRecord> audit;
  uint64_t audit_seq = 0;
  AssocTree assoc;   // version 0 and 1: root, its user and QOS normal alone
  UsageTable usage;  // versions 0 to 2: none
  std::map<std::string, proto::Reservation> resvs;  // versions 0 to 4: none
  uint32_t next_resv_id = 1;
  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& next_job_id& jobs& nodes& partitions;
    if (version >= 1) ar& deleted_partitions& audit& audit_seq;
    if (version >= 2) ar& assoc;
    if (version >= 3) ar& usage;
    if (version >= 5) ar& resvs& next_resv_id;
  }
};
}  // namespace
}  // namespace herd::ctld

BOOST_CLASS_VERSION(herd::ctld::SnapshotRef, 5)
BOOST_CLASS_VERSION(herd::ctld::SnapshotData, 5)
BOOST_CLASS_VERSION(herd::ctld::UsageTable, 0)

namespace herd::ctld {

std::string ClusterState::Snapshot() const {
  return proto::EncodeBody(SnapshotRef{next_job_id_, jobs_, nodes_, partitions_,
                                       deleted_partitions_, audit_, audit_seq_, assoc_, usage_,
                                       resvs_, next_resv_id_});
}

Status ClusterState::Restore(const std::string& bytes) {
  auto d = proto::DecodeBodyAs<SnapshotData>(bytes);
  if (!d.ok()) return DataLoss("checkpoint cannot be read: " + d.error().message());
  next_job_id_ = d->next_job_id;
  jobs_ = std::move(d->jobs);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].fail = false;
    SetOverrides(i, NodeOverrides{});
  }
  for (const auto& saved : d->nodes) {
    NodeRecord* n = FindNode(saved.name);
    if (n == nullptr) continue;  // node removed from the config
    n->fail = saved.fail;
    SetOverrides(static_cast<size_t>(NodeIndex(saved.name)), saved.overrides);
    n->admin_down = saved.admin_down;
    n->down_not_responding = saved.down_not_responding;
    n->drain = saved.drain;
    n->reason = saved.reason;
    n->reason_time = saved.reason_time;
    n->reason_uid = saved.reason_uid;
    n->acct_pending = saved.acct_pending;
    n->acct_seq = saved.acct_seq;
  }
  MergePartitions(std::move(d->partitions), d->deleted_partitions);
  audit_ = std::move(d->audit);
  audit_seq_ = d->audit_seq;
  assoc_ = std::move(d->assoc);
  usage_ = std::move(d->usage);
  resvs_ = std::move(d->resvs);
  next_resv_id_ = d->next_resv_id;
  for (auto& n : nodes_) {
    std::fill(n.cpu_used.begin(), n.cpu_used.end(), false);
    n.mem_used_mb = 0;
    n.jobs = 0;
  }
  array_running_.clear();
  assoc_usage_.Clear();
  completing_.clear();
  for (const auto& [id, j] : jobs_) {
    if (j.state == JobState::kRunning || j.state == JobState::kCompleting) Allocate(j);
    if (!j.completing.empty()) {
      UseNodes(j, true);
      completing_.insert(id);
    }
  }
  by_token_.clear();
  live_jobs_ = 0;
  live_by_uid_.clear();
  array_live_.clear();
  for (const auto& [id, j] : jobs_) {
    if (j.client_token != 0) by_token_[TokenKey(j.uid, j.client_token)] = id;
    if (proto::IsFinished(j.state)) continue;
    CountLive(j.uid, +1);
    CountArrayLive(j, +1);
    assoc_usage_.Live(j, +1);
  }
  deps_.Rebuild();
  return Status::Ok();
}

}  // namespace herd::ctld
