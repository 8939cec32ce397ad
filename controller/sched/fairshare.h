// herd — fair-share (priority/multifactor's fair-share factor, and what hshare shows).
//
// The account tree and its shares come from a ShareSource: the controller's associations
// (sched/assoc_shares.h), or EqualShares, which gives every account seen on jobs one share
// under "root", and every user one share in each account it used. Usage comes from the
// controller's state (state/usage.h). Two algorithms, as Slurm's:
// - fair-tree (the default, PriorityFlags=FAIR_TREE): at each level siblings are ranked by
//   their level fair-share LF = S / U (S: shares over the siblings' shares, U: usage over
//   the siblings' usage); a depth-first walk in that order ranks the users, and a user's
//   factor is its rank over the number of users (the first gets 1);
// - classic (PriorityFlags=NO_FAIR_TREE): F = 2^(-U/S) with S the user's normalized shares
//   (its fraction of each level down from the root, multiplied) and U its usage over all.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace herd::ctld {

inline constexpr const char* kRootAccount = "root";

// Where the account tree and its shares come from.
class ShareSource {
 public:
  virtual ~ShareSource() = default;
  // The account a job naming `account` (maybe "") counts under.
  virtual std::string Account(const std::string& account, const std::string&) const {
    return account;
  }
  // The parent of `account` ("root" for a top-level account; never asked about "root").
  virtual std::string Parent(const std::string& account) const = 0;
  // Fairshare= of an account among its siblings, of a user within an account.
  virtual uint32_t AccountShares(const std::string& account) const = 0;
  virtual uint32_t UserShares(const std::string& account, const std::string& user) const = 0;
  // The (account, user) associations defined, whether or not they have jobs or usage.
  virtual std::vector<std::pair<std::string, std::string>> Associations() const = 0;
  // The accounts defined, whether or not they have users.
  virtual std::vector<std::string> Accounts() const { return {}; }
};

// One share each, every account directly under "root".
class EqualShares : public ShareSource {
 public:
  std::string Parent(const std::string&) const override { return kRootAccount; }
  uint32_t AccountShares(const std::string&) const override { return 1; }
  uint32_t UserShares(const std::string&, const std::string&) const override { return 1; }
  std::vector<std::pair<std::string, std::string>> Associations() const override { return {}; }
};

// A line of the tree, as sshare shows it (an account's line has user "").
struct ShareRow {
  std::string account;
  std::string user;
  uint32_t depth = 0;  // root 0
  uint32_t raw_shares = 0;
  double norm_shares = 0;
  double raw_usage = 0;  // CPU-seconds, decayed
  double effective_usage = 0;
  double fairshare = 0;  // users only
  double level_fs = 0;   // fair-tree: S / U (infinite when U is 0)
};

class FairShare {
 public:
  using Key = std::pair<std::string, std::string>;  // account, user
  // `usage`: every association with its usage (decayed to now, running jobs included),
  // by the account jobs named (ShareSource::Account gives the one it counts under);
  // associations with none are listed with 0.
  FairShare(const ShareSource& source, const std::map<Key, double>& usage, bool fair_tree);

  // The factor of (account, user), 0..1, the account as ShareSource::Account gives it;
  // 0 for one not in the tree.
  double Factor(const std::string& account, const std::string& user) const;
  // The tree depth-first: root, then under each account its users, then its child
  // accounts, each by name (sshare's order).
  const std::vector<ShareRow>& rows() const { return rows_; }

 private:
  struct Node {
    int parent = -1;
    std::string account, user;
    uint32_t shares = 0;
    double usage = 0;
    std::vector<int> children;  // users, then accounts, by name
    // Filled by Walk: its share of its siblings' shares, of their usage, S / U, and its
    // normalized shares (the product of S from the root down).
    double level_shares = 1, level_usage = 0, level_fs = 0, norm = 1;
    uint32_t depth = 0;
  };
  int AccountNode(const ShareSource& source, const std::string& account, int depth);
  void Walk(int node, uint32_t depth, std::vector<int>* order);
  void RankFairTree(int node, uint32_t* rank, uint32_t users);

  std::vector<Node> nodes_;
  std::map<std::string, int> accounts_;
  std::vector<ShareRow> rows_;
  std::map<Key, double> factor_;
};

}  // namespace herd::ctld
