// herd — accounts, users and QOS managed at runtime: `hacctmgr add|modify|delete`
// (AssocUpdateRequest, admins only) and `hacctmgr list` (QueryAssocRequest, a read a
// passive may answer). Each change is journaled as the entity's whole new definition
// (AssocDefined, AssocDeleted) with its audit record. A component of the controller core
// (doc/design.md §11); the rules are sacctmgr's (doc/associations.md).
#pragma once

#include <string>
#include <vector>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Associations {
 public:
  Associations(CoreParts parts, CoreServices& core) : p_(parts), core_(core) {}

  // AssocUpdate (active), QueryAssoc (read).
  Status AddHandlers(HandlerTable* table);

  // The events `req` asks for, checked against the state, with the reply's lines; an
  // empty list when nothing is new. Errors carry sacctmgr's wording.
  struct Plan {
    std::vector<AssocDefined> defined;
    std::vector<AssocDeleted> deleted;
    std::vector<std::string> changed;
  };
  Result<Plan> Build(const proto::AssocUpdateRequest& req) const;

 private:
  proto::Frame Update(const Identity& who, const proto::Frame& f);
  proto::Frame Query() const;

  Result<Plan> AddAccounts(const proto::AssocUpdateRequest& req) const;
  Result<Plan> AddUsers(const proto::AssocUpdateRequest& req) const;
  Result<Plan> AddQos(const proto::AssocUpdateRequest& req) const;
  Result<Plan> Modify(const proto::AssocUpdateRequest& req) const;
  Result<Plan> Delete(const proto::AssocUpdateRequest& req) const;

  CoreParts p_;
  CoreServices& core_;
};

}  // namespace herd::ctld
