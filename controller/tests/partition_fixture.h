// herd — a controller core with helpers to change partitions through hcontrol's request
// (UpdatePartitionRequest), submit to them, and read the audit trail.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {

class PartitionAdminTest : public CoreTestOn<> {
 protected:
  Status Change(proto::PartitionOp op, const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& kvs, uint32_t uid = 0) {
    proto::UpdatePartitionRequest r;
    r.op = op;
    r.name = name;
    for (const auto& kv : kvs) {
      r.keys.push_back(kv.first);
      r.values.push_back(kv.second);
    }
    return Call<proto::StatusReply>(r, uid).status();
  }
  Status Create(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& kvs) {
    return Change(proto::PartitionOp::kCreate, name, kvs);
  }
  Status Update(const std::string& name,
                const std::vector<std::pair<std::string, std::string>>& kvs) {
    return Change(proto::PartitionOp::kUpdate, name, kvs);
  }
  Status Delete(const std::string& name) { return Change(proto::PartitionOp::kDelete, name, {}); }
  Result<proto::SubmitJobReply> TrySubmit(const std::string& partition, int64_t limit = -2) {
    proto::SubmitJobRequest r;
    r.spec = testing::SimpleSpec();
    r.spec.partition = partition;
    r.spec.time_limit_s = limit;
    return Call<proto::SubmitJobReply>(r, 1000);
  }
  const PartitionConfig* Part(const std::string& name) {
    return core_->state().FindPartition(name);
  }
  std::vector<proto::AuditRecord> Audit(const std::string& entity = "") {
    proto::QueryAuditRequest q;
    q.entity = entity;
    auto rep = Call<proto::QueryAuditReply>(q);
    return rep.ok() ? rep->records : std::vector<proto::AuditRecord>{};
  }
};

}  // namespace herd::ctld
