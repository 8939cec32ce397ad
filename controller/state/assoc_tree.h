// herd — the associations of the controller's state (doc/associations.md): the account
// tree under root, users with their default account and the accounts they may use, and
// QOS. Changed only by the journaled AssocDefined / AssocDeleted events; checkpointed
// with the rest of the state. Its const interface is what the scheduler's snapshot and
// submission read: account -> parent and shares, a user's default account and accounts,
// a QOS's priority and limits.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/assoc.h"

namespace herd::ctld {

struct AssocDefined;
struct AssocDeleted;

class AssocTree {
 public:
  // The root account and the root user (default account root) always exist, as after
  // sacctmgr add cluster; the QOS "normal" too.
  AssocTree();

  // Refused with kFailedPrecondition (and nothing changed) when the event does not fit:
  // a parent that does not exist or would make a cycle, a user's account that does not
  // exist, root deleted, an account deleted that still has child accounts.
  Status Apply(const AssocDefined& e);
  Status Apply(const AssocDeleted& e);

  const proto::AccountRecord* FindAccount(const std::string& name) const;
  const proto::UserRecord* FindUser(const std::string& name) const;
  const proto::QosRecord* FindQos(const std::string& name) const;
  // "" for root or an unknown account.
  const std::string& Parent(const std::string& account) const;
  // The account's Fairshare= (0 for an unknown account).
  uint32_t Shares(const std::string& account) const;
  // "" when the user is unknown.
  const std::string& DefaultAccount(const std::string& user) const;
  // The user has an association with this account.
  bool MayUse(const std::string& user, const std::string& account) const;
  // The QOS's Priority= (0 for an unknown QOS).
  uint32_t QosPriority(const std::string& qos) const;
  // The accounts under `account`, directly.
  std::vector<std::string> Children(const std::string& account) const;

  // Whether the account or user could be defined as it is (what Apply would refuse).
  Status CheckAccount(const proto::AccountRecord& a) const;
  Status CheckUser(const proto::UserRecord& u) const;
  // Steps from root (root: 0; unknown: 0).
  size_t Depth(const std::string& account) const;

  const std::map<std::string, proto::AccountRecord>& accounts() const { return accounts_; }
  const std::map<std::string, proto::UserRecord>& users() const { return users_; }
  const std::map<std::string, proto::QosRecord>& qos() const { return qos_; }

  // Checkpoint (ClusterState's snapshot, version 2).
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& accounts_& users_& qos_;
  }

 private:
  std::map<std::string, proto::AccountRecord> accounts_;
  std::map<std::string, proto::UserRecord> users_;
  std::map<std::string, proto::QosRecord> qos_;
};

}  // namespace herd::ctld
