// herd — the fair-share tree and QOS factor from the associations.
#include "controller/sched/assoc_shares.h"

#include <algorithm>

#include "common/base/strings.h"

namespace herd::ctld {

std::string AssocShares::Account(const std::string& account, const std::string& user) const {
  if (account.empty()) {
    const std::string& def = tree_.DefaultAccount(user);
    return def.empty() ? kRootAccount : def;
  }
  // Accounts are kept in lower case (hacctmgr); a job's -A is kept as given.
  std::string lower = ToLower(account);
  return tree_.FindAccount(lower) != nullptr ? lower : account;
}

std::string AssocShares::Parent(const std::string& account) const {
  const std::string& p = tree_.Parent(account);
  return p.empty() ? kRootAccount : p;
}

uint32_t AssocShares::AccountShares(const std::string& account) const {
  return tree_.FindAccount(account) != nullptr ? tree_.Shares(account) : 1;
}

uint32_t AssocShares::UserShares(const std::string& account, const std::string& user) const {
  const proto::UserRecord* u = tree_.FindUser(user);
  if (u == nullptr) return 1;
  auto it = u->accounts.find(account);
  return it == u->accounts.end() ? 1 : it->second.fairshare;
}

std::vector<std::pair<std::string, std::string>> AssocShares::Associations() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, u] : tree_.users()) {
    for (const auto& [account, assoc] : u.accounts) out.emplace_back(account, name);
  }
  return out;
}

std::vector<std::string> AssocShares::Accounts() const {
  std::vector<std::string> out;
  for (const auto& [name, a] : tree_.accounts()) out.push_back(name);
  return out;
}

QosFactor::QosFactor(const AssocTree& tree) : tree_(tree) {
  for (const auto& [name, q] : tree.qos()) max_ = std::max<double>(max_, q.priority);
}

double QosFactor::Of(const std::string& qos) const {
  if (max_ <= 0) return 0;
  return tree_.QosPriority(qos.empty() ? "normal" : ToLower(qos)) / max_;
}

}  // namespace herd::ctld
