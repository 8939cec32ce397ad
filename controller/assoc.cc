// herd — accounts, users and QOS managed at runtime (assoc.h).
#include "controller/assoc.h"

#include <algorithm>
#include <set>

#include "common/base/log.h"
#include "common/base/strings.h"
#include "controller/state/assoc_keys.h"

namespace herd::ctld {

using proto::AssocKind;
using proto::AssocOp;
using proto::Frame;
using proto::MsgType;

namespace {

const char* KindName(AssocKind k) {
  switch (k) {
    case AssocKind::kAccount:
      return "account";
    case AssocKind::kUser:
      return "user";
    case AssocKind::kQos:
      return "qos";
  }
  return "?";
}

// Accounts and QOS are case-insensitive in sacctmgr (kept in lower case); users are not.
Result<std::string> CheckName(AssocKind kind, const std::string& raw) {
  std::string name = Trim(raw);
  if (kind != AssocKind::kUser) name = ToLower(name);
  if (name.empty() || name.size() > 64 || name.find_first_of(" \t\n,|='\"") != std::string::npos) {
    return InvalidArgument(std::string("Invalid ") + KindName(kind) + " name '" + raw + "'");
  }
  return name;
}

Status UnknownOption(const Status& s) {
  if (s.code() != Code::kNotFound) return s;
  return InvalidArgument(" " + s.message() + "\n Use keyword 'where' to modify condition");
}

bool IsKey(const std::string& key, std::initializer_list<const char*> names) {
  const std::string k = ToLower(key);
  for (const char* n : names) {
    if (k == n) return true;
  }
  return false;
}

Status NoAccount(const std::string& a) {
  return NotFound(" This account '" + a +
                  "' doesn't exist.\n        Contact your admin to add this account.");
}

Result<std::string> AdminLevel(const std::string& v) {
  const std::string l = ToLower(v);
  if (l.empty()) return InvalidArgument("Invalid AdminLevel: " + v);
  for (const char* level : {"None", "Operator", "Administrator"}) {
    if (StartsWith(ToLower(level), l)) return std::string(level);
  }
  return InvalidArgument("Invalid AdminLevel: " + v);
}

// The accounts a modify or delete of users is limited to (`where account=`); any other
// condition but the cluster is refused.
Result<std::set<std::string>> OnlyAccounts(const proto::AssocUpdateRequest& req) {
  std::set<std::string> out;
  for (size_t i = 0; i < req.where_keys.size(); ++i) {
    if (req.kind == AssocKind::kUser && IsKey(req.where_keys[i], {"account", "accounts"})) {
      for (const std::string& a : Split(req.where_values[i], ',')) out.insert(ToLower(Trim(a)));
    } else if (!IsKey(req.where_keys[i], {"cluster", "clusters"})) {
      return InvalidArgument(" Unknown condition: " + req.where_keys[i] + "=" +
                             req.where_values[i]);
    }
  }
  return out;
}

// sacctmgr's lines for an association: as added ("U = %-9s A = %-10s C = %-10s"), as
// modified or deleted ("C = %-10s A = %-20s U = %-9s"), an account's ("C = %-10s A = x
// of parent").
std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string AddedLine(const std::string& user, const std::string& account,
                      const std::string& cluster) {
  return "U = " + Pad(user, 9) + " A = " + Pad(account, 10) + " C = " + Pad(cluster, 10);
}
std::string AssocLine(const std::string& cluster, const std::string& account,
                      const std::string& user) {
  return "C = " + Pad(cluster, 10) + " A = " + Pad(account, 20) + " U = " + Pad(user, 9);
}
std::string AccountLine(const std::string& cluster, const std::string& account,
                        const std::string& parent) {
  return "C = " + Pad(cluster, 10) + " A = " + account + (parent.empty() ? "" : " of " + parent);
}

}  // namespace

Status Associations::AddHandlers(HandlerTable* table) {
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kAssocUpdateRequest, HandlerRole::kActive,
                 [this](const Identity& who, const Frame& f) { return Update(who, f); }));
  return table->Add(MsgType::kQueryAssocRequest, HandlerRole::kRead,
                    [this](const Identity&, const Frame&) { return Query(); });
}

Result<Associations::Plan> Associations::Build(const proto::AssocUpdateRequest& req) const {
  if (req.keys.size() != req.values.size() || req.where_keys.size() != req.where_values.size())
    return InvalidArgument("keys and values do not pair");
  for (size_t i = 0; i < req.keys.size(); ++i) {
    if (IsKey(req.keys[i], {"cluster", "clusters"}) && req.values[i] != p_.config.cluster_name)
      return InvalidArgument(" This cluster '" + req.values[i] + "' doesn't exist.");
  }
  switch (req.op) {
    case AssocOp::kAdd:
      if (req.names.empty()) {
        return InvalidArgument(std::string(" Need name of ") + KindName(req.kind) + " to add.");
      }
      if (req.kind == AssocKind::kAccount) return AddAccounts(req);
      if (req.kind == AssocKind::kUser) return AddUsers(req);
      return AddQos(req);
    case AssocOp::kModify:
      return Modify(req);
    case AssocOp::kDelete:
      return Delete(req);
  }
  return InvalidArgument("unknown operation");
}

Result<Associations::Plan> Associations::AddAccounts(const proto::AssocUpdateRequest& req) const {
  const AssocTree& t = p_.state.assoc();
  proto::AccountRecord tmpl;
  bool has_desc = false, has_org = false;
  for (size_t i = 0; i < req.keys.size(); ++i) {
    if (IsKey(req.keys[i], {"cluster", "clusters"})) continue;
    has_desc |= IsKey(req.keys[i], {"description"});
    has_org |= IsKey(req.keys[i], {"organization", "org"});
    HERD_RETURN_IF_ERROR(UnknownOption(ApplyAccountKey(&tmpl, req.keys[i], req.values[i])));
  }
  tmpl.parent = tmpl.parent.empty() ? "root" : ToLower(tmpl.parent);
  if (t.FindAccount(tmpl.parent) == nullptr) return NoAccount(tmpl.parent);
  Plan plan;
  for (const std::string& raw : req.names) {
    HERD_ASSIGN_OR_RETURN(const std::string name, CheckName(req.kind, raw));
    if (t.FindAccount(name) != nullptr) continue;
    AssocDefined e;
    e.kind = AssocKind::kAccount;
    e.account = tmpl;
    e.account.name = name;
    if (!has_desc) e.account.description = name;
    if (!has_org) e.account.organization = tmpl.parent == "root" ? name : tmpl.parent;
    HERD_RETURN_IF_ERROR(t.CheckAccount(e.account));
    plan.changed.push_back(name);
    plan.defined.push_back(std::move(e));
  }
  return plan;
}

Result<Associations::Plan> Associations::AddUsers(const proto::AssocUpdateRequest& req) const {
  const AssocTree& t = p_.state.assoc();
  std::vector<std::string> accounts;
  std::string def_account, admin;
  proto::UserAssoc tmpl;
  for (size_t i = 0; i < req.keys.size(); ++i) {
    const std::string& k = req.keys[i];
    const std::string& v = req.values[i];
    if (IsKey(k, {"cluster", "clusters"})) continue;
    if (IsKey(k, {"account", "accounts"})) {
      for (const std::string& a : Split(v, ',')) accounts.push_back(ToLower(Trim(a)));
    } else if (IsKey(k, {"defaultaccount", "defaccount"})) {
      def_account = ToLower(Trim(v));
    } else if (IsKey(k, {"adminlevel"})) {
      HERD_ASSIGN_OR_RETURN(admin, AdminLevel(v));
    } else {
      HERD_RETURN_IF_ERROR(UnknownOption(ApplyUserAssocKey(&tmpl, k, v)));
    }
  }
  if (accounts.empty() && !def_account.empty()) accounts.push_back(def_account);
  if (accounts.empty()) return InvalidArgument(" Need name of account to add user to.");
  for (const std::string& a : accounts) {
    if (t.FindAccount(a) == nullptr) return NoAccount(a);
  }
  if (!def_account.empty() && t.FindAccount(def_account) == nullptr) return NoAccount(def_account);
  Plan plan;
  for (const std::string& raw : req.names) {
    HERD_ASSIGN_OR_RETURN(const std::string name, CheckName(req.kind, raw));
    const proto::UserRecord* now = t.FindUser(name);
    AssocDefined e;
    e.kind = AssocKind::kUser;
    if (now != nullptr) {
      e.user = *now;
    } else {
      e.user.name = name;
      e.user.default_account = def_account.empty() ? accounts.front() : def_account;
      if (!admin.empty()) e.user.admin_level = admin;
    }
    bool added = false;
    for (const std::string& a : accounts) {
      if (e.user.accounts.count(a) != 0) continue;
      e.user.accounts[a] = tmpl;
      plan.changed.push_back(AddedLine(name, a, p_.config.cluster_name));
      added = true;
    }
    if (!added) continue;
    HERD_RETURN_IF_ERROR(t.CheckUser(e.user));
    plan.defined.push_back(std::move(e));
  }
  return plan;
}

Result<Associations::Plan> Associations::AddQos(const proto::AssocUpdateRequest& req) const {
  const AssocTree& t = p_.state.assoc();
  proto::QosRecord tmpl;
  bool has_desc = false;
  for (size_t i = 0; i < req.keys.size(); ++i) {
    if (IsKey(req.keys[i], {"cluster", "clusters"})) continue;
    has_desc |= IsKey(req.keys[i], {"description"});
    HERD_RETURN_IF_ERROR(UnknownOption(ApplyQosKey(&tmpl, req.keys[i], req.values[i])));
  }
  uint32_t next_id = 1;
  for (const auto& [name, q] : t.qos()) next_id = std::max(next_id, q.id + 1);
  Plan plan;
  for (const std::string& raw : req.names) {
    HERD_ASSIGN_OR_RETURN(const std::string name, CheckName(req.kind, raw));
    if (t.FindQos(name) != nullptr) continue;
    AssocDefined e;
    e.kind = AssocKind::kQos;
    e.qos = tmpl;
    e.qos.id = next_id++;
    e.qos.name = name;
    if (!has_desc) e.qos.description = name;
    plan.changed.push_back(name);
    plan.defined.push_back(std::move(e));
  }
  return plan;
}

Result<Associations::Plan> Associations::Modify(const proto::AssocUpdateRequest& req) const {
  const AssocTree& t = p_.state.assoc();
  const std::string& cluster = p_.config.cluster_name;
  // A user's associations with these accounts alone.
  HERD_ASSIGN_OR_RETURN(const std::set<std::string> only_accounts, OnlyAccounts(req));
  if (req.keys.empty()) return InvalidArgument(" Nothing to modify: no 'set' values given");
  Plan plan;
  for (const std::string& raw : req.names) {
    HERD_ASSIGN_OR_RETURN(const std::string name, CheckName(req.kind, raw));
    AssocDefined e;
    e.kind = req.kind;
    if (req.kind == AssocKind::kAccount) {
      const proto::AccountRecord* now = t.FindAccount(name);
      if (now == nullptr) continue;
      e.account = *now;
      for (size_t i = 0; i < req.keys.size(); ++i) {
        if (IsKey(req.keys[i], {"cluster", "clusters"})) continue;
        HERD_RETURN_IF_ERROR(
            UnknownOption(ApplyAccountKey(&e.account, req.keys[i], req.values[i])));
      }
      e.account.parent = name == "root" ? "" : ToLower(e.account.parent);
      if (e.account == *now) continue;
      if (t.FindAccount(e.account.parent) == nullptr && name != "root")
        return NoAccount(e.account.parent);
      if (Status s = t.CheckAccount(e.account); !s.ok())
        return InvalidArgument(" Can't modify account " + name + ": " + s.message());
      plan.changed.push_back(AccountLine(cluster, name, e.account.parent));
    } else if (req.kind == AssocKind::kUser) {
      const proto::UserRecord* now = t.FindUser(name);
      if (now == nullptr) continue;
      e.user = *now;
      bool assoc_keys = false;
      for (size_t i = 0; i < req.keys.size(); ++i) {
        const std::string& k = req.keys[i];
        const std::string& v = req.values[i];
        if (IsKey(k, {"defaultaccount", "defaccount"})) {
          e.user.default_account = ToLower(Trim(v));
          if (e.user.accounts.count(e.user.default_account) == 0) {
            return FailedPrecondition(
                " Can't modify because these users aren't associated with new default "
                "account '" +
                e.user.default_account + "'...\n  U = " + name + " C = " + cluster);
          }
        } else if (IsKey(k, {"adminlevel"})) {
          HERD_ASSIGN_OR_RETURN(e.user.admin_level, AdminLevel(v));
        } else if (!IsKey(k, {"cluster", "clusters"})) {
          assoc_keys = true;
          for (auto& [account, assoc] : e.user.accounts) {
            if (!only_accounts.empty() && only_accounts.count(account) == 0) continue;
            HERD_RETURN_IF_ERROR(UnknownOption(ApplyUserAssocKey(&assoc, k, v)));
          }
        }
      }
      if (e.user == *now) continue;
      if (!assoc_keys) plan.changed.push_back(name);
      for (const auto& [account, assoc] : e.user.accounts) {
        if (assoc_keys && !(assoc == now->accounts.at(account)))
          plan.changed.push_back(AssocLine(cluster, account, name));
      }
    } else {
      const proto::QosRecord* now = t.FindQos(name);
      if (now == nullptr) continue;
      e.qos = *now;
      for (size_t i = 0; i < req.keys.size(); ++i) {
        HERD_RETURN_IF_ERROR(UnknownOption(ApplyQosKey(&e.qos, req.keys[i], req.values[i])));
      }
      if (e.qos == *now) continue;
      plan.changed.push_back(name);
    }
    plan.defined.push_back(std::move(e));
  }
  return plan;
}

Result<Associations::Plan> Associations::Delete(const proto::AssocUpdateRequest& req) const {
  const AssocTree& t = p_.state.assoc();
  HERD_ASSIGN_OR_RETURN(const std::set<std::string> only_accounts, OnlyAccounts(req));
  std::set<std::string> names;
  for (const std::string& raw : req.names) {
    HERD_ASSIGN_OR_RETURN(const std::string name, CheckName(req.kind, raw));
    names.insert(name);
  }
  Plan plan;
  std::vector<std::string> accounts;  // to delete, deepest first
  for (const std::string& name : names) {
    if (req.kind == AssocKind::kAccount) {
      if (t.FindAccount(name) == nullptr) continue;
      if (name == "root") return FailedPrecondition(" The root account cannot be deleted");
      for (const std::string& child : t.Children(name)) {
        if (names.count(child) == 0) {
          return FailedPrecondition(" Can't delete account " + name +
                                    ": it is the parent of account " + child);
        }
      }
      accounts.push_back(name);
    } else if (req.kind == AssocKind::kUser) {
      const proto::UserRecord* now = t.FindUser(name);
      if (now == nullptr) continue;
      AssocDefined e;
      e.kind = AssocKind::kUser;
      e.user = *now;
      for (const std::string& a : only_accounts) e.user.accounts.erase(a);
      if (only_accounts.empty() || e.user.accounts.empty()) {
        plan.deleted.push_back({AssocKind::kUser, name});
        plan.changed.push_back(name);
        continue;
      }
      if (e.user.accounts.size() == now->accounts.size()) continue;
      if (e.user.accounts.count(e.user.default_account) == 0)
        e.user.default_account = e.user.accounts.begin()->first;
      for (const auto& [account, assoc] : now->accounts) {
        if (e.user.accounts.count(account) == 0)
          plan.changed.push_back(AssocLine(p_.config.cluster_name, account, name));
      }
      plan.defined.push_back(std::move(e));
    } else {
      if (t.FindQos(name) == nullptr) continue;
      plan.deleted.push_back({AssocKind::kQos, name});
      plan.changed.push_back(name);
    }
  }
  std::stable_sort(
      accounts.begin(), accounts.end(),
      [&t](const std::string& a, const std::string& b) { return t.Depth(a) > t.Depth(b); });
  for (const std::string& a : accounts) {
    plan.deleted.push_back({AssocKind::kAccount, a});
    plan.changed.push_back(a);
  }
  return plan;
}

Frame Associations::Update(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("Access/permission denied"));
  auto req = proto::DecodeBody<proto::AssocUpdateRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  auto plan = Build(*req);
  if (!plan.ok()) return ErrorReply(plan.error());
  const char* action = req->op == AssocOp::kAdd      ? "add"
                       : req->op == AssocOp::kModify ? "modify"
                                                     : "delete";
  for (const AssocDefined& e : plan->defined) {
    if (Status s = p_.journal.Emit(e); !s.ok()) return ErrorReply(s);
  }
  for (const AssocDeleted& e : plan->deleted) {
    if (Status s = p_.journal.Emit(e); !s.ok()) return ErrorReply(s);
  }
  const std::string entity = std::string(KindName(req->kind)) + "=" + Join(req->names, ",");
  for (const std::string& line : plan->changed) (void)core_.Audit(who, entity, action, "", line);
  if (!plan->changed.empty()) {
    HERD_LOG(Info) << KindName(req->kind) << " " << action << " by uid " << who.uid << ": "
                   << Join(plan->changed, "; ");
    core_.RequestSchedule();
  }
  proto::AssocUpdateReply rep;
  rep.changed = std::move(plan->changed);
  return proto::MakeFrame(rep, 0);
}

Frame Associations::Query() const {
  const AssocTree& t = p_.state.assoc();
  proto::QueryAssocReply rep;
  rep.cluster = p_.config.cluster_name;
  for (const auto& [name, a] : t.accounts()) rep.accounts.push_back(a);
  for (const auto& [name, u] : t.users()) rep.users.push_back(u);
  for (const auto& [name, q] : t.qos()) rep.qos.push_back(q);
  std::sort(rep.qos.begin(), rep.qos.end(),
            [](const proto::QosRecord& a, const proto::QosRecord& b) { return a.id < b.id; });
  return proto::MakeFrame(rep, 0);
}

}  // namespace herd::ctld
