// herd — the priority keys of herd.conf: PriorityType and Slurm's Priority* keys, with
// Slurm's names, units and defaults (doc/scheduling.md "Priority").
#include <string>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

struct WeightKey {
  const char* name;
  uint32_t PriorityConfig::*field;
};
const WeightKey kWeights[] = {
    {"PriorityWeightAge", &PriorityConfig::weight_age},
    {"PriorityWeightFairshare", &PriorityConfig::weight_fairshare},
    {"PriorityWeightJobSize", &PriorityConfig::weight_job_size},
    {"PriorityWeightPartition", &PriorityConfig::weight_partition},
    {"PriorityWeightQOS", &PriorityConfig::weight_qos},
};

struct TimeKey {
  const char* name;
  int64_t PriorityConfig::*field;
};
// Slurm's time format ("7-0", "14-12:00", minutes when bare); 0 or INFINITE where allowed.
const TimeKey kTimes[] = {
    {"PriorityMaxAge", &PriorityConfig::max_age_s},
    {"PriorityDecayHalfLife", &PriorityConfig::decay_half_life_s},
};

// slurm.conf(5)'s PriorityFlags.
const char* const kFlags[] = {"ACCRUE_ALWAYS",
                              "CALCULATE_RUNNING",
                              "DEPTH_OBLIVIOUS",
                              "FAIR_TREE",
                              "INCR_ONLY",
                              "MAX_TRES",
                              "NO_FAIR_TREE",
                              "NO_NORMAL_ALL",
                              "NO_NORMAL_ASSOC",
                              "NO_NORMAL_PART",
                              "NO_NORMAL_QOS",
                              "NO_NORMAL_TRES",
                              "SMALL_RELATIVE_TO_TIME"};

const char* const kResetPeriods[] = {"NONE",    "NOW",       "DAILY", "WEEKLY",
                                     "MONTHLY", "QUARTERLY", "YEARLY"};

Status ApplyFlags(PriorityConfig* p, const std::string& value) {
  PriorityConfig out = *p;
  out.flags.clear();
  out.fair_tree = true;
  out.small_relative_to_time = false;
  for (const std::string& raw : Split(value, ',')) {
    const std::string f = ToUpper(Trim(raw));
    if (f.empty()) continue;
    bool known = false;
    for (const char* k : kFlags) known = known || f == k;
    if (!known) return InvalidArgument("unknown flag '" + f + "'");
    if (f == "NO_FAIR_TREE") out.fair_tree = false;
    if (f == "SMALL_RELATIVE_TO_TIME") out.small_relative_to_time = true;
    out.flags.push_back(f);
  }
  *p = std::move(out);
  return Status::Ok();
}

}  // namespace

Status ApplyPriorityKey(ClusterConfig* config, const std::string& key, const std::string& value,
                        std::string* canonical) {
  PriorityConfig& p = config->priority;
  const std::string v = Trim(value);
  if (EqualsIgnoreCase(key, "PriorityType")) {
    *canonical = "PriorityType";
    const std::string lower = ToLower(v);
    if (lower != "priority/basic" && lower != "priority/multifactor") {
      return InvalidArgument("must be priority/basic or priority/multifactor, got '" + v + "'");
    }
    p.multifactor = lower == "priority/multifactor";
    return Status::Ok();
  }
  for (const WeightKey& w : kWeights) {
    if (!EqualsIgnoreCase(key, w.name)) continue;
    *canonical = w.name;
    auto n = ParseUint(v, UINT32_MAX);
    if (!n.ok()) return InvalidArgument("must be a number from 0 to 4294967295, got '" + v + "'");
    p.*w.field = static_cast<uint32_t>(*n);
    return Status::Ok();
  }
  for (const TimeKey& t : kTimes) {
    if (!EqualsIgnoreCase(key, t.name)) continue;
    *canonical = t.name;
    auto s = ParseTimeLimit(v);
    if (!s.ok()) return s.error();
    // INFINITE: the age factor never reaches 1, usage never decays; both as 0 here.
    p.*t.field = *s < 0 ? 0 : *s;
    if (t.field == &PriorityConfig::max_age_s && p.max_age_s == 0) {
      return InvalidArgument("must be a positive time, got '" + v + "'");
    }
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "PriorityCalcPeriod")) {
    *canonical = "PriorityCalcPeriod";
    auto s = ParseTimeLimit(v);
    if (!s.ok() || *s <= 0) return InvalidArgument("must be a positive time, got '" + v + "'");
    p.calc_period_s = static_cast<uint32_t>(std::min<int64_t>(*s, UINT32_MAX));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "PriorityFavorSmall")) {
    *canonical = "PriorityFavorSmall";
    HERD_ASSIGN_OR_RETURN(p.favor_small, ParseYesNo(v));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "PriorityUsageResetPeriod")) {
    *canonical = "PriorityUsageResetPeriod";
    const std::string upper = ToUpper(v);
    for (const char* r : kResetPeriods) {
      if (upper != r) continue;
      p.usage_reset_period = upper;
      return Status::Ok();
    }
    return InvalidArgument("must be NONE, NOW, DAILY, WEEKLY, MONTHLY, QUARTERLY or YEARLY");
  }
  if (EqualsIgnoreCase(key, "PriorityFlags")) {
    *canonical = "PriorityFlags";
    return ApplyFlags(&p, v);
  }
  return NotFound("unknown key '" + key + "'");
}

}  // namespace herd
