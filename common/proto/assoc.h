// herd — associations as the controller keeps them and hacctmgr shows them: the account
// tree, users with the accounts they may use, and QOS, each with Slurm's limits
// (doc/associations.md). Shared by the controller's state (journaled, replicated) and
// the wire (AssocUpdateRequest, QueryAssocReply).
#pragma once

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace herd::proto {

inline constexpr int64_t kNoLimit = -1;

// TRES amounts by name: "cpu", "mem" (MB), "node", "gres/gpu"; absent = no limit.
using TresMap = std::map<std::string, int64_t>;

// As sacctmgr prints TRES: cpu, mem, node, then the rest by name; mem with M, G or T.
std::string FormatTres(const TresMap& tres);

// The limits an association (account or user association) and a QOS may carry. For a
// QOS, max_jobs / max_submit are per user (MaxJobsPerUser, MaxSubmitJobsPerUser).
struct AssocLimits {
  int64_t grp_jobs = kNoLimit;
  int64_t grp_submit = kNoLimit;
  int64_t max_jobs = kNoLimit;
  int64_t max_submit = kNoLimit;
  int64_t max_wall_s = kNoLimit;
  TresMap max_tres_per_job;
  TresMap grp_tres;
  bool operator==(const AssocLimits& o) const {
    return grp_jobs == o.grp_jobs && grp_submit == o.grp_submit && max_jobs == o.max_jobs &&
           max_submit == o.max_submit && max_wall_s == o.max_wall_s &&
           max_tres_per_job == o.max_tres_per_job && grp_tres == o.grp_tres;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& grp_jobs& grp_submit& max_jobs& max_submit& max_wall_s& max_tres_per_job& grp_tres;
  }
};

struct AccountRecord {
  std::string name;
  std::string parent;  // "" for root only
  std::string description;
  std::string organization;
  uint32_t fairshare = 1;
  AssocLimits limits;
  bool operator==(const AccountRecord& o) const {
    return name == o.name && parent == o.parent && description == o.description &&
           organization == o.organization && fairshare == o.fairshare && limits == o.limits;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& parent& description& organization& fairshare& limits;
  }
};

// One user's association with one account.
struct UserAssoc {
  uint32_t fairshare = 1;
  AssocLimits limits;
  bool operator==(const UserAssoc& o) const {
    return fairshare == o.fairshare && limits == o.limits;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& fairshare& limits;
  }
};

struct UserRecord {
  std::string name;
  std::string default_account;
  std::map<std::string, UserAssoc> accounts;  // the accounts the user may use
  std::string admin_level = "None";           // None, Operator, Administrator
  bool operator==(const UserRecord& o) const {
    return name == o.name && default_account == o.default_account && accounts == o.accounts &&
           admin_level == o.admin_level;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& default_account& accounts& admin_level;
  }
};

struct QosRecord {
  uint32_t id = 0;  // in order of creation: sacctmgr lists QOS so
  std::string name;
  std::string description;
  uint32_t priority = 0;
  AssocLimits limits;
  std::string flags;  // kept and shown; not acted on yet
  double usage_factor = 1.0;
  bool operator==(const QosRecord& o) const {
    return id == o.id && name == o.name && description == o.description && priority == o.priority &&
           limits == o.limits && flags == o.flags && usage_factor == o.usage_factor;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& id& name& description& priority& limits& flags& usage_factor;
  }
};

enum class AssocKind : uint8_t { kAccount = 0, kUser = 1, kQos = 2 };
enum class AssocOp : uint8_t { kAdd = 0, kModify = 1, kDelete = 2 };

}  // namespace herd::proto
