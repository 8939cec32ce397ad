// herd — job_desc, part_list and job_rec for job_submit.lua, under Slurm's names.
#include "controller/job_submit/lua_fields.h"

#include <cmath>
#include <lua.hpp>
#include <optional>
#include <set>

#include "common/base/strings.h"
#include "common/proto/feature_expr.h"

namespace herd::ctld::lua {
namespace {

// Slurm's job_submit/lua shows these 64-bit sentinels as floating-point numbers.
constexpr double kNoVal64 = 18446744073709551614.0;
constexpr double kInfinite64 = 18446744073709551615.0;
constexpr double kMemPerCpu = 9223372036854775808.0;

// Every field PushJobDesc may write (some are nil when not given).
const std::set<std::string>& KnownFields() {
  static const std::set<std::string> known = {"name",
                                              "partition",
                                              "time_limit",
                                              "min_nodes",
                                              "max_nodes",
                                              "num_tasks",
                                              "cpus_per_task",
                                              "ntasks_per_node",
                                              "pn_min_memory",
                                              "min_mem_per_node",
                                              "min_mem_per_cpu",
                                              "nice",
                                              "work_dir",
                                              "std_out",
                                              "std_err",
                                              "features",
                                              "req_nodes",
                                              "exc_nodes",
                                              "requeue",
                                              "priority",
                                              "shared",
                                              "user_id",
                                              "group_id",
                                              "script",
                                              "argv",
                                              "argc",
                                              "environment",
                                              "env_size",
                                              "min_cpus",
                                              "export_env"};
  return known;
}

void SetInt(lua_State* L, const char* k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}
void SetNum(lua_State* L, const char* k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}
void SetStr(lua_State* L, const char* k, const std::string& v) {
  if (v.empty()) return;  // nil, as Slurm's unset strings
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, k);
}
lua_Integer OrNoVal(uint64_t v, uint64_t none) { return static_cast<lua_Integer>(v ? v : none); }

// The value at `idx` as a whole non-negative number; nullopt for nil.
Result<std::optional<double>> Number(lua_State* L, int idx, const char* field) {
  if (lua_isnil(L, idx)) return std::optional<double>();
  int isnum = 0;
  double d = lua_tonumberx(L, idx, &isnum);
  if (!isnum || !(d >= 0) || d != std::floor(d)) {
    return InvalidArgument(std::string("job_submit.lua set job_desc.") + field +
                           " to something that is not a whole number >= 0");
  }
  return std::optional<double>(d);
}
Result<std::string> String(lua_State* L, int idx, const char* field) {
  if (lua_isnil(L, idx)) return std::string();
  if (lua_type(L, idx) != LUA_TSTRING && lua_type(L, idx) != LUA_TNUMBER) {
    return InvalidArgument(std::string("job_submit.lua set job_desc.") + field +
                           " to something that is not a string");
  }
  size_t n = 0;
  const char* s = lua_tolstring(L, idx, &n);
  return std::string(s, n);
}
// A 32-bit count: nil or NO_VAL (or `none16`) = not given (0).
Result<uint32_t> Count(lua_State* L, int idx, const char* field, uint64_t none) {
  HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, field));
  if (!v || *v == static_cast<double>(none)) return 0u;
  if (*v > UINT32_MAX - 2) {
    return InvalidArgument(std::string("job_submit.lua set job_desc.") + field + " out of range");
  }
  return static_cast<uint32_t>(*v);
}

template <class T, class U>
Status Assign(Result<T> r, U* dst) {
  if (!r.ok()) return r.error();
  *dst = std::move(*r);
  return Status::Ok();
}

Status TakeMemory(lua_State* L, const char* field, int idx, proto::JobSpec* spec) {
  HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, field));
  const std::string f = field;
  uint64_t mb = v ? static_cast<uint64_t>(*v >= kMemPerCpu ? *v - kMemPerCpu : *v) : 0;
  bool per_cpu = f == "min_mem_per_cpu";
  if (f == "pn_min_memory") {
    if (!v || *v == kNoVal64) mb = 0;
    per_cpu = v && *v >= kMemPerCpu && *v != kNoVal64;
  }
  spec->mem_per_cpu_mb = per_cpu ? mb : 0;
  spec->mem_per_node_mb = per_cpu ? 0 : mb;
  return Status::Ok();
}

// The string fields, by their Slurm name.
struct StringField {
  const char* name;
  std::string proto::JobSpec::*member;
};
constexpr StringField kStringFields[] = {{"name", &proto::JobSpec::name},
                                         {"partition", &proto::JobSpec::partition},
                                         {"work_dir", &proto::JobSpec::work_dir},
                                         {"std_out", &proto::JobSpec::stdout_pattern},
                                         {"std_err", &proto::JobSpec::stderr_pattern},
                                         {"req_nodes", &proto::JobSpec::nodelist},
                                         {"exc_nodes", &proto::JobSpec::exclude}};

Status TakeField(lua_State* L, const char* f, int idx, proto::JobSpec* s) {
  const std::string k = f;
  for (const StringField& sf : kStringFields) {
    if (k == sf.name) return Assign(String(L, idx, f), &(s->*sf.member));
  }
  if (k == "features") {
    HERD_ASSIGN_OR_RETURN(std::string v, String(L, idx, f));
    s->constraints.clear();
    if (v.empty()) return Status::Ok();
    auto parsed = proto::ParseFeatures(v);
    if (!parsed.ok()) {
      return InvalidArgument("job_submit.lua set job_desc.features to '" + v +
                             "': " + parsed.error().message());
    }
    s->constraints = proto::IsFeatureExpression(v) ? std::vector<std::string>{v} : parsed->names;
    return Status::Ok();
  }
  if (k == "time_limit") {
    HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, f));
    if (!v || *v == kNoVal) {
      s->time_limit_s = -2;
    } else if (*v == kInfinite) {
      s->time_limit_s = -1;
    } else if (*v > kNoVal) {
      return InvalidArgument("job_submit.lua set job_desc.time_limit out of range");
    } else {
      s->time_limit_s = static_cast<int64_t>(*v) * 60;
    }
    return Status::Ok();
  }
  if (k == "min_nodes") return Assign(Count(L, idx, f, kNoVal), &s->min_nodes);
  if (k == "max_nodes") return Assign(Count(L, idx, f, kNoVal), &s->max_nodes);
  if (k == "num_tasks") return Assign(Count(L, idx, f, kNoVal), &s->num_tasks);
  if (k == "ntasks_per_node") {
    return Assign(Count(L, idx, f, kNoVal16), &s->ntasks_per_node);
  }
  if (k == "cpus_per_task") {
    HERD_ASSIGN_OR_RETURN(uint32_t v, Count(L, idx, f, kNoVal16));
    s->cpus_per_task = v ? v : 1;
    return Status::Ok();
  }
  if (k == "pn_min_memory" || k == "min_mem_per_node" || k == "min_mem_per_cpu") {
    return TakeMemory(L, f, idx, s);
  }
  if (k == "nice") {
    HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, f));
    if (!v || *v == kNoVal) {
      s->nice = 0;
    } else if (*v > kInfinite) {
      return InvalidArgument("job_submit.lua set job_desc.nice out of range");
    } else {
      // Range-checked with the rest of the request afterwards.
      s->nice = static_cast<int32_t>(static_cast<int64_t>(*v) - static_cast<int64_t>(kNiceOffset));
    }
    return Status::Ok();
  }
  if (k == "requeue") return Assign(Count(L, idx, f, kNoVal16), &s->requeue);
  if (k == "priority") {
    // 0 holds the job, as -H does; other priorities are the controller's to compute.
    HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, f));
    s->hold = v && *v == 0;
    return Status::Ok();
  }
  if (k == "shared") {
    HERD_ASSIGN_OR_RETURN(auto v, Number(L, idx, f));
    s->exclusive = v && *v == 0;
    return Status::Ok();
  }
  return Status::Ok();  // read-only fields
}

}  // namespace

void SetConstants(lua_State* L) {
  SetInt(L, "SUCCESS", 0);
  SetInt(L, "ERROR", -1);
  SetInt(L, "FAILURE", -1);
  SetInt(L, "NO_VAL", static_cast<lua_Integer>(kNoVal));
  SetInt(L, "NO_VAL16", static_cast<lua_Integer>(kNoVal16));
  SetInt(L, "NO_VAL8", static_cast<lua_Integer>(kNoVal8));
  SetNum(L, "NO_VAL64", kNoVal64);
  SetInt(L, "INFINITE", static_cast<lua_Integer>(kInfinite));
  SetInt(L, "INFINITE16", static_cast<lua_Integer>(kInfinite16));
  SetNum(L, "INFINITE64", kInfinite64);
  SetNum(L, "MEM_PER_CPU", kMemPerCpu);
  SetInt(L, "NICE_OFFSET", static_cast<lua_Integer>(kNiceOffset));
  SetInt(L, "SHARED_FORCE", 0xffff);
  // The error numbers whose meaning herd's refusal states (LuaErrorText).
  SetInt(L, "ESLURM_INVALID_PARTITION_NAME", 2000);
  SetInt(L, "ESLURM_DEFAULT_PARTITION_NOT_SET", 2001);
  SetInt(L, "ESLURM_ACCESS_DENIED", 2002);
  SetInt(L, "ESLURM_INVALID_LICENSES", 2048);
  SetInt(L, "ESLURM_ACCOUNTING_POLICY", 2050);
  SetInt(L, "ESLURM_INVALID_TIME_LIMIT", 2051);
}

void PushJobDesc(lua_State* L, const proto::JobSpec& s, uint32_t uid, uint32_t gid, bool bulk) {
  lua_createtable(L, 0, 32);
  SetStr(L, "name", s.name);
  SetStr(L, "partition", s.partition);
  if (s.time_limit_s == -2) {
    SetInt(L, "time_limit", static_cast<lua_Integer>(kNoVal));
  } else if (s.time_limit_s < 0) {
    SetInt(L, "time_limit", static_cast<lua_Integer>(kInfinite));
  } else {
    SetInt(L, "time_limit", (s.time_limit_s + 59) / 60);
  }
  SetInt(L, "min_nodes", OrNoVal(s.min_nodes, kNoVal));
  SetInt(L, "max_nodes", OrNoVal(s.max_nodes, kNoVal));
  SetInt(L, "num_tasks", OrNoVal(s.num_tasks, kNoVal));
  SetInt(L, "cpus_per_task", s.cpus_per_task);
  SetInt(L, "ntasks_per_node", OrNoVal(s.ntasks_per_node, kNoVal16));
  if (s.mem_per_cpu_mb > 0) {
    SetNum(L, "pn_min_memory", kMemPerCpu + static_cast<double>(s.mem_per_cpu_mb));
    SetInt(L, "min_mem_per_cpu", static_cast<lua_Integer>(s.mem_per_cpu_mb));
  } else if (s.mem_per_node_mb > 0) {
    SetInt(L, "pn_min_memory", static_cast<lua_Integer>(s.mem_per_node_mb));
    SetInt(L, "min_mem_per_node", static_cast<lua_Integer>(s.mem_per_node_mb));
  } else {
    SetNum(L, "pn_min_memory", kNoVal64);
  }
  SetInt(L, "nice",
         s.nice == 0 ? static_cast<lua_Integer>(kNoVal)
                     : static_cast<lua_Integer>(kNiceOffset) + s.nice);
  SetStr(L, "work_dir", s.work_dir);
  SetStr(L, "std_out", s.stdout_pattern);
  SetStr(L, "std_err", s.stderr_pattern);
  SetStr(L, "features", Join(s.constraints, "&"));
  SetStr(L, "req_nodes", s.nodelist);
  SetStr(L, "exc_nodes", s.exclude);
  SetInt(L, "requeue", s.requeue ? 1 : 0);
  SetInt(L, "priority", s.hold ? 0 : static_cast<lua_Integer>(kNoVal));
  SetInt(L, "shared", s.exclusive ? 0 : static_cast<lua_Integer>(kNoVal16));
  SetInt(L, "user_id", uid);
  SetInt(L, "group_id", gid);
  SetInt(L, "min_cpus",
         static_cast<lua_Integer>(std::max<uint32_t>(s.num_tasks, 1)) *
             static_cast<lua_Integer>(s.cpus_per_task));
  SetStr(L, "export_env", s.export_spec);
  if (!bulk) return;
  SetStr(L, "script", s.script);
  lua_createtable(L, static_cast<int>(s.argv.size()), 0);
  for (size_t i = 0; i < s.argv.size(); ++i) {
    lua_pushlstring(L, s.argv[i].data(), s.argv[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, -2, "argv");
  SetInt(L, "argc", static_cast<lua_Integer>(s.argv.size()));
  lua_createtable(L, 0, static_cast<int>(s.env.size()));
  for (const std::string& kv : s.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    lua_pushlstring(L, kv.data() + eq + 1, kv.size() - eq - 1);
    lua_setfield(L, -2, kv.substr(0, eq).c_str());
  }
  lua_setfield(L, -2, "environment");
  SetInt(L, "env_size", static_cast<lua_Integer>(s.env.size()));
}

Status TakeJobDesc(lua_State* L, int desc, int orig, proto::JobSpec* spec) {
  // Memory last: min_mem_per_* win over pn_min_memory when both were changed.
  static const char* const kWritable[] = {
      "name",          "partition",        "time_limit",     "min_nodes", "max_nodes", "num_tasks",
      "cpus_per_task", "ntasks_per_node",  "nice",           "work_dir",  "std_out",   "std_err",
      "features",      "req_nodes",        "exc_nodes",      "requeue",   "priority",  "shared",
      "pn_min_memory", "min_mem_per_node", "min_mem_per_cpu"};
  for (const char* f : kWritable) {
    // Raw: a metatable the script gave job_desc runs no code here.
    lua_pushstring(L, f);
    lua_rawget(L, desc);
    lua_pushstring(L, f);
    lua_rawget(L, orig);
    const bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 1);
    Status s = same ? Status::Ok() : TakeField(L, f, lua_gettop(L), spec);
    lua_pop(L, 1);
    HERD_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

std::vector<std::string> IgnoredFields(lua_State* L, int desc) {
  std::vector<std::string> out;
  lua_pushnil(L);
  while (lua_next(L, desc) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      std::string k = lua_tostring(L, -2);
      if (!KnownFields().count(k)) out.push_back(std::move(k));
    }
    lua_pop(L, 1);
  }
  return out;
}

void PushPartList(lua_State* L, const std::vector<LuaPartition>& parts) {
  lua_createtable(L, 0, static_cast<int>(parts.size()));
  for (const LuaPartition& p : parts) {
    lua_createtable(L, 0, 10);
    SetStr(L, "name", p.name);
    SetStr(L, "nodes", p.nodes);
    SetInt(L, "max_time",
           p.max_time_s < 0 ? static_cast<lua_Integer>(kInfinite) : (p.max_time_s + 59) / 60);
    SetInt(L, "default_time",
           p.default_time_s < 0 ? static_cast<lua_Integer>(kNoVal) : (p.default_time_s + 59) / 60);
    SetInt(L, "max_nodes", p.max_nodes ? p.max_nodes : static_cast<lua_Integer>(kInfinite));
    SetInt(L, "min_nodes", 1);
    SetInt(L, "total_nodes", p.total_nodes);
    SetInt(L, "total_cpus", p.total_cpus);
    SetInt(L, "flag_default", p.is_default ? 1 : 0);
    lua_pushboolean(L, p.up);
    lua_setfield(L, -2, "state_up");
    lua_setfield(L, -2, p.name.c_str());
  }
}

void PushJobRec(lua_State* L, const LuaJobRecord& r) {
  PushJobDesc(L, r.spec, r.uid, r.gid, false);
  SetInt(L, "job_id", static_cast<lua_Integer>(r.job_id));
  SetStr(L, "user_name", r.user);
  SetStr(L, "partition", r.partition);
  SetStr(L, "job_state", r.state);
  SetInt(L, "time_limit",
         r.time_limit_s < 0 ? static_cast<lua_Integer>(kInfinite) : (r.time_limit_s + 59) / 60);
  SetInt(L, "priority", r.priority);
}

}  // namespace herd::ctld::lua
