// herd — the associations of the controller's state (assoc_tree.h).
#include "controller/state/assoc_tree.h"

#include "controller/state/events.h"

namespace herd::ctld {

using proto::AssocKind;

namespace {
const std::string kEmpty;
}  // namespace

AssocTree::AssocTree() {
  proto::AccountRecord root;
  root.name = "root";
  root.description = "default root account";
  root.organization = "root";
  accounts_["root"] = root;
  proto::UserRecord user;
  user.name = "root";
  user.default_account = "root";
  user.accounts["root"] = {};
  user.admin_level = "Administrator";
  users_["root"] = user;
  proto::QosRecord normal;
  normal.id = 1;
  normal.name = "normal";
  normal.description = "Normal QOS default";
  qos_["normal"] = normal;
}

Status AssocTree::CheckAccount(const proto::AccountRecord& a) const {
  if (a.name.empty()) return FailedPrecondition("account without a name");
  if (a.name == "root") {
    if (!a.parent.empty()) return FailedPrecondition("root has no parent");
    return Status::Ok();
  }
  // The parent chain must reach root without passing through the account itself.
  std::string p = a.parent;
  for (size_t hops = 0; hops <= accounts_.size(); ++hops) {
    if (p == a.name) return FailedPrecondition("parent " + a.parent + " is under " + a.name);
    auto it = accounts_.find(p);
    if (it == accounts_.end()) return FailedPrecondition("no such parent account: " + p);
    if (p == "root") return Status::Ok();
    p = it->second.parent;
  }
  return FailedPrecondition("account tree has a cycle");
}

Status AssocTree::CheckUser(const proto::UserRecord& u) const {
  if (u.name.empty()) return FailedPrecondition("user without a name");
  if (u.accounts.empty()) return FailedPrecondition("user " + u.name + " has no account");
  for (const auto& [account, assoc] : u.accounts) {
    if (accounts_.count(account) == 0) return FailedPrecondition("no such account: " + account);
  }
  if (u.accounts.count(u.default_account) == 0)
    return FailedPrecondition("default account " + u.default_account + " is not the user's");
  return Status::Ok();
}

Status AssocTree::Apply(const AssocDefined& e) {
  switch (e.kind) {
    case AssocKind::kAccount:
      HERD_RETURN_IF_ERROR(CheckAccount(e.account));
      accounts_[e.account.name] = e.account;
      return Status::Ok();
    case AssocKind::kUser:
      HERD_RETURN_IF_ERROR(CheckUser(e.user));
      users_[e.user.name] = e.user;
      return Status::Ok();
    case AssocKind::kQos:
      if (e.qos.name.empty()) return FailedPrecondition("QOS without a name");
      qos_[e.qos.name] = e.qos;
      return Status::Ok();
  }
  return FailedPrecondition("unknown association kind");
}

// Deleting an account takes it from its users; a user left without an account goes,
// and one whose default it was takes its first remaining account (as sacctmgr does).
Status AssocTree::Apply(const AssocDeleted& e) {
  switch (e.kind) {
    case AssocKind::kAccount: {
      if (e.name == "root") return FailedPrecondition("root cannot be deleted");
      if (accounts_.count(e.name) == 0) return FailedPrecondition("no such account");
      if (!Children(e.name).empty()) return FailedPrecondition("account has child accounts");
      accounts_.erase(e.name);
      for (auto it = users_.begin(); it != users_.end();) {
        proto::UserRecord& u = it->second;
        u.accounts.erase(e.name);
        if (u.accounts.empty()) {
          it = users_.erase(it);
          continue;
        }
        if (u.default_account == e.name) u.default_account = u.accounts.begin()->first;
        ++it;
      }
      return Status::Ok();
    }
    case AssocKind::kUser:
      if (users_.erase(e.name) == 0) return FailedPrecondition("no such user");
      return Status::Ok();
    case AssocKind::kQos:
      if (qos_.erase(e.name) == 0) return FailedPrecondition("no such QOS");
      return Status::Ok();
  }
  return FailedPrecondition("unknown association kind");
}

const proto::AccountRecord* AssocTree::FindAccount(const std::string& name) const {
  auto it = accounts_.find(name);
  return it == accounts_.end() ? nullptr : &it->second;
}

const proto::UserRecord* AssocTree::FindUser(const std::string& name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second;
}

const proto::QosRecord* AssocTree::FindQos(const std::string& name) const {
  auto it = qos_.find(name);
  return it == qos_.end() ? nullptr : &it->second;
}

const std::string& AssocTree::Parent(const std::string& account) const {
  const proto::AccountRecord* a = FindAccount(account);
  return a == nullptr ? kEmpty : a->parent;
}

uint32_t AssocTree::Shares(const std::string& account) const {
  const proto::AccountRecord* a = FindAccount(account);
  return a == nullptr ? 0 : a->fairshare;
}

const std::string& AssocTree::DefaultAccount(const std::string& user) const {
  const proto::UserRecord* u = FindUser(user);
  return u == nullptr ? kEmpty : u->default_account;
}

bool AssocTree::MayUse(const std::string& user, const std::string& account) const {
  const proto::UserRecord* u = FindUser(user);
  return u != nullptr && u->accounts.count(account) != 0;
}

uint32_t AssocTree::QosPriority(const std::string& qos) const {
  const proto::QosRecord* q = FindQos(qos);
  return q == nullptr ? 0 : q->priority;
}

size_t AssocTree::Depth(const std::string& account) const {
  size_t depth = 0;
  std::string a = account;
  while (depth <= accounts_.size()) {
    const std::string& p = Parent(a);
    if (p.empty()) break;
    ++depth;
    a = p;
  }
  return depth;
}

std::vector<std::string> AssocTree::Children(const std::string& account) const {
  std::vector<std::string> out;
  for (const auto& [name, a] : accounts_) {
    if (a.parent == account && name != account) out.push_back(name);
  }
  return out;
}

}  // namespace herd::ctld
