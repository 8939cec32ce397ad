// herd — the herd.conf keys of what nodes enforce: the cgroup keys (Slurm's cgroup.conf)
// and the programs a site runs on its nodes (Prolog, Epilog, HealthCheckProgram) and on
// the controller (PrologSlurmctld, EpilogSlurmctld).
#include <cerrno>
#include <cstdlib>
#include <utility>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

// A percentage as Slurm's Allowed*Space take it: a decimal number, here 0 to `max`.
Result<double> ParsePercent(const std::string& v, double max) {
  if (v.empty()) return InvalidArgument("must be a number");
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (errno != 0 || end == v.c_str() || *end != '\0' || !(d >= 0) || d > max) {
    return InvalidArgument("must be a percentage from 0 to " + std::to_string(int(max)) +
                           ", got '" + v + "'");
  }
  return d;
}

struct BoolKey {
  const char* name;
  bool CgroupConfig::*field;
};
const BoolKey kBoolKeys[] = {
    {"ConstrainCores", &CgroupConfig::constrain_cores},
    {"ConstrainRAMSpace", &CgroupConfig::constrain_ram},
    {"ConstrainSwapSpace", &CgroupConfig::constrain_swap},
    {"ConstrainDevices", &CgroupConfig::constrain_devices},
};
struct PercentKey {
  const char* name;
  double CgroupConfig::*field;
  double max;
};
const PercentKey kPercentKeys[] = {
    {"AllowedRAMSpace", &CgroupConfig::allowed_ram_percent, 1000},
    {"AllowedSwapSpace", &CgroupConfig::allowed_swap_percent, 1000},
};

}  // namespace

Result<bool> ParseYesNo(const std::string& v) {
  if (EqualsIgnoreCase(v, "YES")) return true;
  if (EqualsIgnoreCase(v, "NO")) return false;
  return InvalidArgument("must be YES or NO, got '" + v + "'");
}

Status ApplyEnforceKey(ClusterConfig* config, const std::string& key, const std::string& value,
                       std::string* canonical) {
  CgroupConfig& c = config->cgroup;
  for (const BoolKey& b : kBoolKeys) {
    if (!EqualsIgnoreCase(key, b.name)) continue;
    *canonical = b.name;
    HERD_ASSIGN_OR_RETURN(c.*b.field, ParseYesNo(value));
    return Status::Ok();
  }
  for (const PercentKey& p : kPercentKeys) {
    if (!EqualsIgnoreCase(key, p.name)) continue;
    *canonical = p.name;
    HERD_ASSIGN_OR_RETURN(c.*p.field, ParsePercent(value, p.max));
    return Status::Ok();
  }
  HookConfig& h = config->hooks;
  for (auto [name, field] :
       {std::pair{"Prolog", &HookConfig::prolog}, std::pair{"Epilog", &HookConfig::epilog},
        std::pair{"TaskProlog", &HookConfig::task_prolog},
        std::pair{"TaskEpilog", &HookConfig::task_epilog},
        std::pair{"HealthCheckProgram", &HookConfig::health_check_program},
        std::pair{"PrologSlurmctld", &HookConfig::prolog_slurmctld},
        std::pair{"EpilogSlurmctld", &HookConfig::epilog_slurmctld},
        std::pair{"JobSubmitScript", &HookConfig::job_submit_script}}) {
    if (!EqualsIgnoreCase(key, name)) continue;
    *canonical = name;
    if (!value.empty() && value[0] != '/') {
      return InvalidArgument("must be an absolute path, got '" + value + "'");
    }
    // Prolog and Epilog may name a pattern of programs, run in turn (nodedaemon/hooks.h).
    const bool pattern = value.find_first_of("*?[") != std::string::npos;
    if (pattern && field != &HookConfig::prolog && field != &HookConfig::epilog) {
      return InvalidArgument("only Prolog and Epilog take a pattern of programs, got '" + value +
                             "'");
    }
    h.*field = value;
    return Status::Ok();
  }
  for (auto [name, field] :
       {std::pair{"PrologEpilogTimeout", &HookConfig::prolog_epilog_timeout_s},
        std::pair{"HealthCheckInterval", &HookConfig::health_check_interval_s}}) {
    if (!EqualsIgnoreCase(key, name)) continue;
    *canonical = name;
    HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(value, UINT32_MAX));
    h.*field = static_cast<uint32_t>(n);
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "HealthCheckNodeState")) {
    *canonical = "HealthCheckNodeState";
    h.health_check_idle_only = h.health_check_busy_only = false;
    for (const std::string& one : Split(ToUpper(value), ',')) {
      if (one == "IDLE") {
        h.health_check_idle_only = true;
      } else if (one == "ALLOC" || one == "MIXED") {
        h.health_check_busy_only = true;
      } else if (one != "ANY") {
        return InvalidArgument("must be ANY, IDLE, ALLOC or MIXED (comma-separated), got '" +
                               value + "'");
      }
    }
    if (h.health_check_idle_only && h.health_check_busy_only) {
      h.health_check_idle_only = h.health_check_busy_only = false;  // IDLE,ALLOC: any state
    }
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "JobSubmitPlugins")) {
    *canonical = "JobSubmitPlugins";
    h.job_submit_lua = false;
    for (const std::string& one : Split(ToLower(value), ',')) {
      if (one != "lua" && one != "job_submit/lua") {
        return InvalidArgument("herd has one job_submit plugin, lua; got '" + one + "'");
      }
      h.job_submit_lua = true;
    }
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "CgroupPlugin")) {
    *canonical = "CgroupPlugin";
    const std::string lower = ToLower(value);
    if (lower != "autodetect" && lower != "cgroup/v1" && lower != "cgroup/v2") {
      return InvalidArgument("must be autodetect, cgroup/v1 or cgroup/v2, got '" + value + "'");
    }
    c.plugin = lower;
    return Status::Ok();
  }
  canonical->clear();
  return NotFound("unknown key '" + key + "'");
}

std::string JobSubmitScriptPath(const ClusterConfig& config) {
  if (!config.hooks.job_submit_script.empty()) return config.hooks.job_submit_script;
  const size_t slash = config.source_path.rfind('/');
  return (slash == std::string::npos ? std::string(".") : config.source_path.substr(0, slash)) +
         "/job_submit.lua";
}

}  // namespace herd
