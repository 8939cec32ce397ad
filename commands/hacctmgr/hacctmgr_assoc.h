// herd hacctmgr — sacctmgr's commands on accounts, users and QOS, answered by the
// controller (doc/associations.md): `add|create`, `modify|update`, `delete|remove`
// (admins only) and `list|show account|user|qos|assoc`, in sacctmgr's syntax, columns
// and messages.
#pragma once

#include <string>
#include <vector>

#include "commands/hacctmgr/hacctmgr_event.h"
#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hacctmgr {

// "account", "accounts", "acct" ... -> the kind; "assoc"/"association" is list-only.
enum class Entity { kAccount, kUser, kQos, kAssoc, kNone };
Entity ParseEntity(const std::string& word);

// The words after `add|modify|delete ENTITY`: names, `where` conditions, `set` values
// (bare K=V before `set` in a modify are conditions, as in sacctmgr).
Result<proto::AssocUpdateRequest> ParseUpdate(proto::AssocOp op, Entity entity,
                                              const std::vector<std::string>& words);

// What sacctmgr prints after the change (" Adding Account(s)\n  physics\n ..."), and
// its exit code: 1 when nothing changed (" Nothing new added."). `cluster`: ClusterName.
struct Outcome {
  std::string text;
  int rc = 0;
};
Outcome DescribeUpdate(const proto::AssocUpdateRequest& req,
                       const std::vector<std::string>& changed, const std::string& cluster);

// `list ENTITY [where] [K=V ...] [format=...]`: the table. `words` as after the entity.
Result<std::string> RenderList(Entity entity, const std::vector<std::string>& words,
                               const proto::QueryAssocReply& tree, const Printing& p);

}  // namespace herd::hacctmgr
