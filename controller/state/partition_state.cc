// herd — the partitions of the controller's state: herd.conf's definitions merged with
// the changes admins make at runtime (doc/admin.md, "Partitions at runtime"), and the
// audit trail of those changes.
#include <algorithm>

#include "controller/state/cluster_state.h"

namespace herd::ctld {

std::map<std::string, PartitionRecord> ClusterState::ConfigPartitions() const {
  std::map<std::string, PartitionRecord> out;
  for (const PartitionConfig& p : config_.partitions) out[p.name].def = p;
  return out;
}

bool ClusterState::DiffersFromConfig(const PartitionConfig& def) const {
  const PartitionConfig* conf = config_.FindPartition(def.name);
  return conf == nullptr || FormatPartitionLine(*conf) != FormatPartitionLine(def);
}

std::vector<const PartitionRecord*> ClusterState::PartitionsInOrder() const {
  std::vector<const PartitionRecord*> out;
  out.reserve(partitions_.size());
  for (const PartitionConfig& p : config_.partitions) {
    auto it = partitions_.find(p.name);
    if (it != partitions_.end()) out.push_back(&it->second);
  }
  for (const auto& [name, p] : partitions_) {
    if (config_.FindPartition(name) == nullptr) out.push_back(&p);
  }
  return out;
}

std::string ClusterState::PartitionState(const std::string& name) const {
  const PartitionConfig* p = FindPartition(name);
  return p == nullptr ? "" : PartitionStateName(p->state);
}

const PartitionConfig* ClusterState::FindPartition(const std::string& name) const {
  auto it = partitions_.find(name);
  return it == partitions_.end() ? nullptr : &it->second.def;
}

const PartitionConfig* ClusterState::DefaultPartition() const {
  for (const auto& [name, p] : partitions_) {
    if (p.def.is_default) return &p.def;
  }
  return nullptr;
}

// One default at most: a partition made the default takes it from the others.
void ClusterState::SetPartition(PartitionRecord r) {
  if (r.def.is_default) {
    for (auto& [name, p] : partitions_) {
      if (name == r.def.name || !p.def.is_default) continue;
      p.def.is_default = false;
      p.runtime = DiffersFromConfig(p.def);
    }
  }
  r.runtime = DiffersFromConfig(r.def);
  r.state_only = false;
  deleted_partitions_.erase(r.def.name);
  partitions_[r.def.name] = std::move(r);
}

Status ClusterState::Apply(const PartitionUpdated& e) {
  auto it = partitions_.find(e.name);
  if (it == partitions_.end()) return FailedPrecondition("no such partition");
  auto st = ParsePartitionState(e.state);
  if (!st.ok()) return FailedPrecondition("bad partition state " + e.state);
  PartitionRecord r = it->second;
  r.def.state = *st;
  SetPartition(std::move(r));
  return Status::Ok();
}

Status ClusterState::Apply(const PartitionDefined& e) {
  if (!CheckPartition(e.partition.def).ok()) return FailedPrecondition("bad partition");
  SetPartition(e.partition);
  return Status::Ok();
}

Status ClusterState::Apply(const PartitionDeleted& e) {
  if (partitions_.erase(e.name) == 0) return FailedPrecondition("no such partition");
  if (config_.FindPartition(e.name) != nullptr) deleted_partitions_.insert(e.name);
  return Status::Ok();
}

// The rule (doc/admin.md): a partition an admin changed at runtime keeps its runtime
// definition over herd.conf's, until herd.conf says the same; one never changed at
// runtime is as herd.conf says now; one deleted at runtime stays deleted while herd.conf
// defines it. PartitionDrift() names each difference at start.
void ClusterState::MergePartitions(std::map<std::string, PartitionRecord> saved,
                                   const std::set<std::string>& deleted) {
  partitions_ = ConfigPartitions();
  deleted_partitions_.clear();
  for (auto& [name, rec] : saved) {
    auto it = partitions_.find(name);
    if (rec.state_only) {  // a version 0 checkpoint: hcontrol could set the state alone
      if (it == partitions_.end()) continue;
      PartitionRecord r = it->second;
      r.def.state = rec.def.state;
      SetPartition(std::move(r));
    } else if (rec.runtime) {
      SetPartition(std::move(rec));
    }
  }
  for (const std::string& name : deleted) {
    if (config_.FindPartition(name) == nullptr) continue;  // herd.conf agrees now
    partitions_.erase(name);
    deleted_partitions_.insert(name);
  }
}

std::vector<std::string> ClusterState::PartitionDrift() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : partitions_) {
    if (!p.runtime) continue;
    const PartitionConfig* conf = config_.FindPartition(name);
    if (conf == nullptr) {
      out.push_back("partition " + name + " was created at runtime and is not in herd.conf: " +
                    FormatPartitionLine(p.def));
    } else {
      out.push_back("partition " + name + " was changed at runtime and keeps " +
                    FormatPartitionLine(p.def) + " over herd.conf's " + FormatPartitionLine(*conf));
    }
  }
  for (const std::string& name : deleted_partitions_) {
    out.push_back("partition " + name + " was deleted at runtime; herd.conf still defines it");
  }
  return out;
}

Status ClusterState::Apply(const AuditRecorded& e) {
  audit_.push_back(e.entry);
  audit_.back().seq = ++audit_seq_;
  TrimAudit();
  return Status::Ok();
}

// Bounded by count and by age, the age counted from the newest record's time (so that
// replaying the journal keeps exactly what was kept).
void ClusterState::TrimAudit() {
  const size_t max = std::max<uint32_t>(config_.audit_max_records, 1);
  while (audit_.size() > max) audit_.pop_front();
  if (config_.audit_max_age_s == 0 || audit_.empty()) return;
  const int64_t oldest = audit_.back().time - int64_t{config_.audit_max_age_s};
  while (!audit_.empty() && audit_.front().time < oldest) audit_.pop_front();
}

}  // namespace herd::ctld
