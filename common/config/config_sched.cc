// herd — the scheduler's herd.conf keys: SchedulerType and SchedulerParameters, with
// Slurm's names, defaults and ranges for what herd's scheduler does (doc/scheduling.md),
// and AccountingStorageEnforce (doc/associations.md).
#include <string>
#include <utility>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

struct Param {
  const char* name;
  uint32_t SchedConfig::*field;
  uint32_t min, max;
};
// Ranges as slurm.conf(5) gives them.
const Param kParams[] = {
    {"default_queue_depth", &SchedConfig::default_queue_depth, 1, 1000000},
    {"bf_max_job_test", &SchedConfig::bf_max_job_test, 1, 1000000},
    {"bf_window", &SchedConfig::bf_window_min, 1, 43200},
    {"bf_resolution", &SchedConfig::bf_resolution_s, 1, 3600},
};

Status ApplyParam(SchedConfig* s, const std::string& item) {
  const size_t eq = item.find('=');
  const std::string name = ToLower(item.substr(0, eq));
  const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
  for (auto [flag, field] : {std::pair("bf_continue", &SchedConfig::bf_continue),
                             std::pair("bf_reserve_aged", &SchedConfig::bf_reserve_aged)}) {
    if (name != flag) continue;
    if (eq != std::string::npos) return InvalidArgument(std::string(flag) + " takes no value");
    s->*field = true;
    return Status::Ok();
  }
  for (const Param& p : kParams) {
    if (name != p.name) continue;
    auto n = ParseUint(value, UINT32_MAX);
    if (eq == std::string::npos || !n.ok() || *n < p.min || *n > p.max) {
      return InvalidArgument(std::string(p.name) + " must be a number from " +
                             std::to_string(p.min) + " to " + std::to_string(p.max) + ", got '" +
                             value + "'");
    }
    s->*p.field = static_cast<uint32_t>(*n);
    return Status::Ok();
  }
  s->ignored.push_back(item);  // Slurm's other options: herd warns and goes on, as Slurm does
  return Status::Ok();
}

// A comma list of Slurm's values; "none" (or nothing) for none. The implications are
// slurm.conf(5)'s: limits, qos and safe need associations, safe needs limits, nojobs
// implies nosteps, all is everything but nojobs and nosteps.
Result<AcctEnforce> ParseEnforce(const std::string& value) {
  AcctEnforce e;
  for (const std::string& raw : Split(value, ',')) {
    const std::string item = ToLower(raw);
    if (item.empty() || item == "none" || item == "0") continue;
    if (item == "associations" || item == "1") {
      e.associations = true;
    } else if (item == "limits") {
      e.associations = e.limits = true;
    } else if (item == "qos") {
      e.associations = e.qos = true;
    } else if (item == "safe") {
      e.associations = e.limits = e.safe = true;
    } else if (item == "wckeys") {
      e.associations = e.wckeys = true;
    } else if (item == "nojobs") {
      e.nojobs = e.nosteps = true;
    } else if (item == "nosteps") {
      e.nosteps = true;
    } else if (item == "all") {
      e.associations = e.limits = e.qos = e.safe = e.wckeys = true;
    } else {
      return InvalidArgument(
          "must be a comma list of associations, limits, qos, safe, wckeys, nojobs, nosteps, "
          "all or none, got '" +
          raw + "'");
    }
  }
  return e;
}

}  // namespace

Status ApplySchedKey(ClusterConfig* config, const std::string& key, const std::string& value,
                     std::string* canonical) {
  if (EqualsIgnoreCase(key, "SchedulerType")) {
    *canonical = "SchedulerType";
    const std::string lower = ToLower(value);
    if (value.empty()) return InvalidArgument("must not be empty");
    // sched/fifo: the name herd used before it had backfill.
    if (lower != "sched/backfill" && lower != "sched/builtin" && lower != "sched/fifo") {
      return InvalidArgument("must be sched/backfill or sched/builtin, got '" + value + "'");
    }
    config->scheduler_type = lower == "sched/fifo" ? "sched/builtin" : lower;
    config->sched.backfill = lower == "sched/backfill";
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "SchedulerParameters")) {
    *canonical = "SchedulerParameters";
    SchedConfig s;  // the last line wins whole, as Slurm reads it
    s.backfill = config->sched.backfill;
    for (const std::string& item : Split(value, ',')) {
      if (item.empty()) continue;
      HERD_RETURN_IF_ERROR(ApplyParam(&s, item));
    }
    config->sched = std::move(s);
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "AccountingStorageEnforce")) {
    *canonical = "AccountingStorageEnforce";
    HERD_ASSIGN_OR_RETURN(config->enforce, ParseEnforce(value));
    return Status::Ok();
  }
  return NotFound("unknown key '" + key + "'");
}

}  // namespace herd
