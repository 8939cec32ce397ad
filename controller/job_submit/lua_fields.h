// herd — the tables a job_submit.lua sees: job_desc (a request under Slurm's field names
// and sentinels), part_list and job_rec, and the way back from job_desc to a JobSpec.
// Internal to the Lua filter (lua_filter.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"
#include "controller/job_submit/lua_filter.h"

struct lua_State;

namespace herd::ctld::lua {

// Slurm's sentinels, as its job_submit/lua shows them.
constexpr uint64_t kNoVal = 0xfffffffe;
constexpr uint64_t kNoVal16 = 0xfffe;
constexpr uint64_t kNoVal8 = 0xfe;
constexpr uint64_t kInfinite = 0xffffffff;
constexpr uint64_t kInfinite16 = 0xffff;
constexpr uint64_t kNiceOffset = 0x80000000;

// The `slurm` table's constants (SUCCESS, ERROR, NO_VAL, ..., ESLURM_*), into the table
// on top of the stack.
void SetConstants(lua_State* L);

// Pushes job_desc for `spec`. `bulk`: also the script, its arguments and environment
// (read only; left out of the copy the changes are compared with).
void PushJobDesc(lua_State* L, const proto::JobSpec& spec, uint32_t uid, uint32_t gid, bool bulk);
// Copies to `spec` each field whose value in the table at `desc` differs from the one in
// `orig` (both absolute indices). A value of the wrong kind is an error naming the field.
Status TakeJobDesc(lua_State* L, int desc, int orig, proto::JobSpec* spec);
// Names of fields the script set that herd does not hold (non-nil keys of `desc` that
// PushJobDesc did not write), to be logged.
std::vector<std::string> IgnoredFields(lua_State* L, int desc);

void PushPartList(lua_State* L, const std::vector<LuaPartition>& parts);
void PushJobRec(lua_State* L, const LuaJobRecord& rec);

}  // namespace herd::ctld::lua
