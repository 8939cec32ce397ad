// herd — fair-share: the tree, its normalized shares and usage, classic and fair-tree.
#include "controller/sched/fairshare.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace herd::ctld {
namespace {
constexpr int kMaxDepth = 64;  // a cycle in a source's parents ends at the root
}

FairShare::FairShare(const ShareSource& source, const std::map<Key, double>& usage,
                     bool fair_tree) {
  Node root;
  root.account = kRootAccount;
  root.shares = 1;
  nodes_.push_back(root);
  accounts_[kRootAccount] = 0;
  std::map<Key, double> all;
  for (const auto& [key, used] : usage) {
    all[Key(source.Account(key.first, key.second), key.second)] += used;
  }
  for (const Key& a : source.Associations()) all.emplace(a, 0.0);
  for (const std::string& a : source.Accounts()) AccountNode(source, a, 0);
  for (const auto& [key, used] : all) {
    const int parent = AccountNode(source, key.first, 0);
    Node n;
    n.parent = parent;
    n.account = key.first;
    n.user = key.second;
    n.shares = source.UserShares(key.first, key.second);
    n.usage = std::max(0.0, used);
    nodes_.push_back(std::move(n));
    nodes_[static_cast<size_t>(parent)].children.push_back(static_cast<int>(nodes_.size() - 1));
  }
  // A parent is made before its children: sum the usage upwards.
  for (size_t i = nodes_.size() - 1; i > 0; --i) {
    nodes_[static_cast<size_t>(nodes_[i].parent)].usage += nodes_[i].usage;
  }
  for (Node& n : nodes_) {
    std::sort(n.children.begin(), n.children.end(), [this](int a, int b) {
      const Node& x = nodes_[static_cast<size_t>(a)];
      const Node& y = nodes_[static_cast<size_t>(b)];
      // Users first, then accounts, each by name (as sshare lists them).
      if (x.user.empty() != y.user.empty()) return !x.user.empty();
      return x.user.empty() ? x.account < y.account : x.user < y.user;
    });
  }
  std::vector<int> order;
  Walk(0, 0, &order);
  const double total = nodes_[0].usage;
  uint32_t users = 0;
  for (const Node& n : nodes_) users += n.user.empty() ? 0 : 1;
  if (fair_tree) {
    uint32_t rank = users;
    RankFairTree(0, &rank, users);
  } else {
    for (const Node& n : nodes_) {
      if (n.user.empty()) continue;
      const double u = total > 0 ? n.usage / total : 0;
      factor_[Key(n.account, n.user)] = n.norm > 0 ? std::exp2(-u / n.norm) : 0;
    }
  }
  for (int i : order) {
    const Node& n = nodes_[static_cast<size_t>(i)];
    ShareRow r;
    r.account = n.account;
    r.user = n.user;
    r.depth = n.depth;
    r.raw_shares = n.shares;
    r.norm_shares = fair_tree ? n.level_shares : n.norm;
    r.raw_usage = n.usage;
    r.effective_usage = fair_tree ? n.level_usage : (total > 0 ? n.usage / total : 0);
    r.level_fs = n.level_fs;
    if (!n.user.empty()) r.fairshare = Factor(n.account, n.user);
    rows_.push_back(std::move(r));
  }
}

int FairShare::AccountNode(const ShareSource& source, const std::string& account, int depth) {
  auto it = accounts_.find(account);
  if (it != accounts_.end()) return it->second;
  std::string parent_name = depth >= kMaxDepth ? kRootAccount : source.Parent(account);
  if (parent_name.empty() || parent_name == account) parent_name = kRootAccount;
  const int parent = AccountNode(source, parent_name, depth + 1);
  it = accounts_.find(account);  // made on the way up: the source's parents loop
  if (it != accounts_.end()) return it->second;
  Node n;
  n.parent = parent;
  n.account = account;
  n.shares = source.AccountShares(account);
  nodes_.push_back(std::move(n));
  const int id = static_cast<int>(nodes_.size() - 1);
  nodes_[static_cast<size_t>(parent)].children.push_back(id);
  accounts_[account] = id;
  return id;
}

void FairShare::Walk(int node, uint32_t depth, std::vector<int>* order) {
  order->push_back(node);
  Node& n = nodes_[static_cast<size_t>(node)];
  n.depth = depth;
  double shares = 0, usage = 0;
  for (int c : n.children) {
    shares += nodes_[static_cast<size_t>(c)].shares;
    usage += nodes_[static_cast<size_t>(c)].usage;
  }
  for (int c : n.children) {
    Node& child = nodes_[static_cast<size_t>(c)];
    child.level_shares = shares > 0 ? child.shares / shares : 0;
    child.level_usage = usage > 0 ? child.usage / usage : 0;
    child.level_fs = child.level_shares <= 0  ? 0
                     : child.level_usage <= 0 ? std::numeric_limits<double>::infinity()
                                              : child.level_shares / child.level_usage;
    child.norm = n.norm * child.level_shares;
    Walk(c, depth + 1, order);
  }
}

void FairShare::RankFairTree(int node, uint32_t* rank, uint32_t users) {
  std::vector<int> kids = nodes_[static_cast<size_t>(node)].children;
  std::stable_sort(kids.begin(), kids.end(), [this](int a, int b) {
    return nodes_[static_cast<size_t>(a)].level_fs > nodes_[static_cast<size_t>(b)].level_fs;
  });
  // Users of equal level fair-share, one after the other, share a rank.
  const Node* prev_user = nullptr;
  uint32_t prev_rank = 0;
  for (int c : kids) {
    const Node& k = nodes_[static_cast<size_t>(c)];
    if (k.user.empty()) {
      prev_user = nullptr;
      RankFairTree(c, rank, users);
      continue;
    }
    const uint32_t r =
        prev_user != nullptr && prev_user->level_fs == k.level_fs ? prev_rank : *rank;
    factor_[Key(k.account, k.user)] = users > 0 ? static_cast<double>(r) / users : 0;
    prev_user = &k;
    prev_rank = r;
    --*rank;
  }
}

double FairShare::Factor(const std::string& account, const std::string& user) const {
  auto it = factor_.find(Key(account, user));
  return it == factor_.end() ? 0 : it->second;
}

}  // namespace herd::ctld
