// herd — partitions changed at runtime: `hcontrol create|update|delete partition`
// (UpdatePartitionRequest), each change journaled as the partition's whole new definition
// (PartitionDefined, PartitionDeleted) with its audit record. A component of the
// controller core (doc/design.md §11); the rule by which these changes and herd.conf meet
// is in doc/admin.md.
#pragma once

#include <string>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Partitions {
 public:
  Partitions(CoreParts parts, CoreServices& core) : p_(parts), core_(core) {}

  // UpdatePartition.
  Status AddHandlers(HandlerTable* table);

  // The definition `req` asks for (create or update), checked against the nodes of
  // herd.conf; kNotFound / kAlreadyExists / kInvalidArgument with Slurm's wording.
  Result<PartitionRecord> Build(const proto::UpdatePartitionRequest& req) const;
  // Why the partition may not be deleted now (its queued and running jobs, named).
  Status CheckDeletable(const std::string& name) const;

 private:
  proto::Frame Update(const Identity& who, const proto::Frame& f);

  CoreParts p_;
  CoreServices& core_;
};

}  // namespace herd::ctld
