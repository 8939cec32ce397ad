// herd — sacctmgr's settings of accounts, users and QOS (assoc_keys.h).
#include "controller/state/assoc_keys.h"

#include <cstdlib>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::ctld {

namespace {

// A count: a non-negative number, or -1 for no limit.
Result<int64_t> ParseCount(const std::string& key, const std::string& value) {
  if (value == "-1") return proto::kNoLimit;
  auto n = ParseUint(value, INT32_MAX);
  if (!n.ok()) return InvalidArgument("Invalid value for " + key + ": " + value);
  return static_cast<int64_t>(*n);
}

Result<int64_t> ParseWall(const std::string& key, const std::string& value) {
  if (value == "-1") return proto::kNoLimit;
  auto s = ParseTimeLimit(value);
  if (!s.ok()) return InvalidArgument("Invalid value for " + key + ": " + value);
  return *s;
}

bool IsOneOf(const std::string& k, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (k == n) return true;
  }
  return false;
}

}  // namespace

Result<proto::TresMap> ParseTres(const std::string& text, proto::TresMap base) {
  if (Trim(text).empty()) return InvalidArgument("empty TRES list");
  for (const std::string& item : Split(text, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return InvalidArgument("Invalid TRES: " + item);
    std::string name = ToLower(Trim(item.substr(0, eq)));
    const std::string value = Trim(item.substr(eq + 1));
    if (name == "nodes") name = "node";
    if (name == "gres/gpu" || StartsWith(name, "gres/gpu:")) name = "gres/gpu";
    if (name != "cpu" && name != "mem" && name != "node" && name != "gres/gpu") {
      return InvalidArgument("Invalid TRES: " + item + " (herd knows cpu, mem, node, gres/gpu)");
    }
    if (value == "-1") {
      base.erase(name);
      continue;
    }
    if (name == "mem") {
      auto mb = ParseMemoryMb(value);
      if (!mb.ok() || *mb > uint64_t{INT64_MAX}) return InvalidArgument("Invalid TRES: " + item);
      base[name] = static_cast<int64_t>(*mb);
    } else {
      auto n = ParseUint(value, INT64_MAX);
      if (!n.ok()) return InvalidArgument("Invalid TRES: " + item);
      base[name] = static_cast<int64_t>(*n);
    }
  }
  return base;
}

Status ApplyLimitKey(proto::AssocLimits* l, const std::string& key, const std::string& value,
                     bool qos) {
  const std::string k = ToLower(key);
  if (k == "grpjobs") {
    HERD_ASSIGN_OR_RETURN(l->grp_jobs, ParseCount(key, value));
  } else if (IsOneOf(k, {"grpsubmitjobs", "grpsubmit"})) {
    HERD_ASSIGN_OR_RETURN(l->grp_submit, ParseCount(key, value));
  } else if (qos ? IsOneOf(k, {"maxjobsperuser", "maxjobspu"}) : k == "maxjobs") {
    HERD_ASSIGN_OR_RETURN(l->max_jobs, ParseCount(key, value));
  } else if (qos ? IsOneOf(k, {"maxsubmitjobsperuser", "maxsubmitpu"})
                 : IsOneOf(k, {"maxsubmitjobs", "maxsubmit"})) {
    HERD_ASSIGN_OR_RETURN(l->max_submit, ParseCount(key, value));
  } else if (IsOneOf(k, {"maxwall", "maxwalldurationperjob"})) {
    HERD_ASSIGN_OR_RETURN(l->max_wall_s, ParseWall(key, value));
  } else if (IsOneOf(k, {"maxtres", "maxtresperjob", "maxtrespj"})) {
    HERD_ASSIGN_OR_RETURN(l->max_tres_per_job, ParseTres(value, l->max_tres_per_job));
  } else if (k == "grptres") {
    HERD_ASSIGN_OR_RETURN(l->grp_tres, ParseTres(value, l->grp_tres));
  } else {
    return NotFound("Unknown option: " + key + "=" + value);
  }
  return Status::Ok();
}

Status ApplyAccountKey(proto::AccountRecord* a, const std::string& key, const std::string& value) {
  const std::string k = ToLower(key);
  if (k == "parent") {
    a->parent = value;
  } else if (IsOneOf(k, {"fairshare", "shares"})) {
    auto n = ParseUint(value, INT32_MAX);
    if (!n.ok()) return InvalidArgument("Invalid value for " + key + ": " + value);
    a->fairshare = static_cast<uint32_t>(*n);
  } else if (k == "description") {
    a->description = value;
  } else if (IsOneOf(k, {"organization", "org"})) {
    a->organization = value;
  } else {
    return ApplyLimitKey(&a->limits, key, value, /*qos=*/false);
  }
  return Status::Ok();
}

Status ApplyUserAssocKey(proto::UserAssoc* u, const std::string& key, const std::string& value) {
  const std::string k = ToLower(key);
  if (IsOneOf(k, {"fairshare", "shares"})) {
    auto n = ParseUint(value, INT32_MAX);
    if (!n.ok()) return InvalidArgument("Invalid value for " + key + ": " + value);
    u->fairshare = static_cast<uint32_t>(*n);
    return Status::Ok();
  }
  return ApplyLimitKey(&u->limits, key, value, /*qos=*/false);
}

Status ApplyQosKey(proto::QosRecord* q, const std::string& key, const std::string& value) {
  const std::string k = ToLower(key);
  if (k == "priority") {
    auto n = ParseUint(value, INT32_MAX);
    if (!n.ok()) return InvalidArgument("Invalid value for " + key + ": " + value);
    q->priority = static_cast<uint32_t>(*n);
  } else if (k == "description") {
    q->description = value;
  } else if (k == "flags") {
    q->flags = value == "-1" ? "" : value;
  } else if (k == "usagefactor") {
    char* end = nullptr;
    const double f = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || f < 0)
      return InvalidArgument("Invalid value for " + key + ": " + value);
    q->usage_factor = f;
  } else {
    return ApplyLimitKey(&q->limits, key, value, /*qos=*/true);
  }
  return Status::Ok();
}

}  // namespace herd::ctld
