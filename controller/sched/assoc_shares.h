// herd — the fair-share tree of the controller's associations (state/assoc_tree.h): the
// accounts with their Fairshare= under their parents, each user association with its
// own. What the tree does not know counts as EqualShares does: an unknown account one
// share under root, an unknown user one share in the account its jobs name. A job
// without -A counts under its user's default account, or under root for a user the tree
// does not know (as when no association was ever defined).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "controller/sched/fairshare.h"
#include "controller/state/assoc_tree.h"

namespace herd::ctld {

class AssocShares : public ShareSource {
 public:
  explicit AssocShares(const AssocTree& tree) : tree_(tree) {}

  std::string Account(const std::string& account, const std::string& user) const override;
  std::string Parent(const std::string& account) const override;
  uint32_t AccountShares(const std::string& account) const override;
  uint32_t UserShares(const std::string& account, const std::string& user) const override;
  std::vector<std::pair<std::string, std::string>> Associations() const override;
  std::vector<std::string> Accounts() const override;

 private:
  const AssocTree& tree_;
};

// priority/multifactor's QOS factor: the QOS's Priority= over the highest one defined
// (0 when none has a priority); a job without -q has the QOS "normal", as an
// association's default in Slurm.
class QosFactor {
 public:
  explicit QosFactor(const AssocTree& tree);
  double Of(const std::string& qos) const;

 private:
  const AssocTree& tree_;
  double max_ = 0;
};

}  // namespace herd::ctld
