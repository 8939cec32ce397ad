// herd hacctmgr — add, modify and delete of accounts, users and QOS (hacctmgr_assoc.h).
#include "commands/hacctmgr/hacctmgr_assoc.h"

#include <cstdio>
#include <set>

#include "commands/lib/cli.h"
#include "common/base/strings.h"

namespace herd::hacctmgr {

using proto::AssocKind;
using proto::AssocOp;

Entity ParseEntity(const std::string& word) {
  const std::string w = ToLower(word);
  if (w == "account" || w == "accounts" || w == "acct" || w == "accts") return Entity::kAccount;
  if (w == "user" || w == "users") return Entity::kUser;
  if (w == "qos") return Entity::kQos;
  if (w == "assoc" || w == "association" || w == "associations") return Entity::kAssoc;
  return Entity::kNone;
}

namespace {

// The condition keys that name the entities themselves.
bool IsNameKey(Entity e, const std::string& key) {
  if (key == "name" || key == "names") return true;
  if (e == Entity::kAccount) return key == "account" || key == "accounts";
  if (e == Entity::kUser) return key == "user" || key == "users";
  if (e == Entity::kQos) return key == "qos";
  return false;
}

void AddNames(const std::string& list, std::vector<std::string>* names) {
  for (const std::string& n : cli::SplitList(list)) names->push_back(n);
}

// A key as sacctmgr prints it in its settings ("fairshare" -> "Fairshare").
std::string Canonical(const std::string& key) {
  static const char* const kNames[] = {"Fairshare",
                                       "Priority",
                                       "GrpJobs",
                                       "GrpSubmitJobs",
                                       "GrpTRES",
                                       "MaxJobs",
                                       "MaxSubmitJobs",
                                       "MaxWall",
                                       "MaxTRESPerJob",
                                       "MaxJobsPerUser",
                                       "MaxSubmitJobsPerUser",
                                       "Flags",
                                       "UsageFactor",
                                       "DefaultAccount",
                                       "AdminLevel",
                                       "Description"};
  for (const char* n : kNames) {
    if (EqualsIgnoreCase(key, n)) return n;
  }
  return key;
}

std::string Setting(int width, const std::string& key, const std::string& value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-*s= ", width, Canonical(key).c_str());
  return buf + value + "\n";
}

std::string ValueOf(const proto::AssocUpdateRequest& req, std::initializer_list<const char*> keys) {
  for (size_t i = 0; i < req.keys.size(); ++i) {
    for (const char* k : keys) {
      if (EqualsIgnoreCase(req.keys[i], k)) return req.values[i];
    }
  }
  return "";
}

std::string AddedAccounts(const proto::AssocUpdateRequest& req,
                          const std::vector<std::string>& changed, const std::string& cluster) {
  std::string out = " Adding Account(s)\n";
  for (const std::string& n : changed) out += "  " + n + "\n";
  const std::string desc = ValueOf(req, {"description"});
  const std::string org = ValueOf(req, {"organization", "org"});
  out += " Settings\n";
  out += Setting(16, "Description", desc.empty() ? "Account Name" : desc);
  out += Setting(16, "Organization", org.empty() ? "Parent/Account Name" : org);
  out += " Associations\n";
  for (const std::string& n : changed) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "  A = %-10s C = %-10s\n", n.c_str(), cluster.c_str());
    out += buf;
  }
  out += " Settings\n";
  std::string parent = "root";
  for (size_t i = 0; i < req.keys.size(); ++i) {
    const std::string k = ToLower(req.keys[i]);
    if (k == "parent") {
      parent = req.values[i];
    } else if (k != "description" && k != "organization" && k != "org" && k != "cluster" &&
               k != "clusters") {
      out += Setting(14, req.keys[i], req.values[i]);
    }
  }
  return out + Setting(14, "Parent", ToLower(parent));
}

std::string AddedQos(const proto::AssocUpdateRequest& req,
                     const std::vector<std::string>& changed) {
  std::string out = " Adding QOS(s)\n";
  for (const std::string& n : changed) out += "  " + n + "\n";
  out += " Settings\n";
  const std::string desc = ValueOf(req, {"description"});
  out += Setting(15, "Description",
                 !desc.empty()         ? desc
                 : changed.size() == 1 ? changed.front()
                                       : "QOS Name");
  for (size_t i = 0; i < req.keys.size(); ++i) {
    if (!EqualsIgnoreCase(req.keys[i], "description"))
      out += Setting(25, req.keys[i], req.values[i]);
  }
  return out;
}

std::string AddedUsers(const proto::AssocUpdateRequest& req,
                       const std::vector<std::string>& changed) {
  std::string out = " Adding User(s)\n";
  std::set<std::string> shown;
  for (const std::string& line : changed) {
    // "U = bob       A = ...": the user's name is the fifth field's start.
    std::string name = Trim(line.substr(4, line.find(" A = ") - 4));
    if (shown.insert(name).second) out += "  " + name + "\n";
  }
  out += " Associations =\n";
  for (const std::string& line : changed) out += "  " + line + "\n";
  out += " Non Default Settings\n";
  for (size_t i = 0; i < req.keys.size(); ++i) {
    const std::string k = ToLower(req.keys[i]);
    if (k != "account" && k != "accounts" && k != "cluster" && k != "clusters")
      out += Setting(14, req.keys[i], req.values[i]);
  }
  return out;
}

}  // namespace

Result<proto::AssocUpdateRequest> ParseUpdate(AssocOp op, Entity entity,
                                              const std::vector<std::string>& words) {
  if (entity == Entity::kNone || entity == Entity::kAssoc) {
    return InvalidArgument(" No valid entity in command\n Use account, user or qos");
  }
  proto::AssocUpdateRequest req;
  req.op = op;
  req.kind = entity == Entity::kAccount ? AssocKind::kAccount
             : entity == Entity::kUser  ? AssocKind::kUser
                                        : AssocKind::kQos;
  enum { kNames, kWhere, kSet } part = kNames;
  for (const std::string& w : words) {
    const std::string lw = ToLower(w);
    if (lw == "where") {
      part = kWhere;
      continue;
    }
    if (lw == "set") {
      if (op != AssocOp::kModify) return InvalidArgument(" Unknown option: " + w);
      part = kSet;
      continue;
    }
    const size_t eq = w.find('=');
    if (eq == std::string::npos) {
      if (part != kNames) return InvalidArgument(" Unknown condition: " + w);
      AddNames(w, &req.names);
      continue;
    }
    if (eq == 0) return InvalidArgument(" Unknown option: " + w);
    std::string key = w.substr(0, eq);
    const std::string value = w.substr(eq + 1);
    if (key.back() == '+' || key.back() == '-') {
      return InvalidArgument(" herd does not take " + key.substr(key.size() - 1) +
                             "= (give the whole value): " + w);
    }
    const bool setting = op == AssocOp::kAdd ? part != kWhere : part == kSet;
    if (!setting && IsNameKey(entity, ToLower(key))) {
      AddNames(value, &req.names);
    } else if (op == AssocOp::kAdd && IsNameKey(entity, ToLower(key)) &&
               (ToLower(key) == "name" || ToLower(key) == "names")) {
      AddNames(value, &req.names);
    } else if (setting) {
      req.keys.push_back(key);
      req.values.push_back(value);
    } else {
      req.where_keys.push_back(key);
      req.where_values.push_back(value);
    }
  }
  if (req.names.empty()) {
    if (op == AssocOp::kAdd) return InvalidArgument(" Need name of entity to add.");
    return InvalidArgument(" No conditions given: name the entities (where name=...)");
  }
  return req;
}

Outcome DescribeUpdate(const proto::AssocUpdateRequest& req,
                       const std::vector<std::string>& changed, const std::string& cluster) {
  Outcome o;
  if (changed.empty()) {
    o.rc = 1;
    o.text = req.op == AssocOp::kAdd      ? " Nothing new added.\n"
             : req.op == AssocOp::kModify ? " Nothing modified\n"
                                          : " Nothing deleted\n";
    return o;
  }
  const bool assoc_lines = StartsWith(changed.front(), "C = ");
  if (req.op == AssocOp::kAdd) {
    o.text = req.kind == AssocKind::kAccount ? AddedAccounts(req, changed, cluster)
             : req.kind == AssocKind::kUser  ? AddedUsers(req, changed)
                                             : AddedQos(req, changed);
    return o;
  }
  if (req.op == AssocOp::kModify) {
    o.text = req.kind == AssocKind::kAccount ? " Modified account associations...\n"
             : req.kind == AssocKind::kQos   ? " Modified qos...\n"
             : assoc_lines                   ? " Modified user associations...\n"
                                             : " Modified users...\n";
  } else {
    o.text = req.kind == AssocKind::kAccount ? " Deleting accounts...\n"
             : req.kind == AssocKind::kQos   ? " Deleting QOS(s)...\n"
             : assoc_lines                   ? " Deleting user associations...\n"
                                             : " Deleting users...\n";
  }
  for (const std::string& line : changed) o.text += "  " + line + "\n";
  return o;
}

}  // namespace herd::hacctmgr
