// herd — the job_submit filter in Lua: the interpreter, its limits and the calls.
//
// Every call of the script (its top-level chunk when loaded, slurm_job_submit,
// slurm_job_modify) runs in a fresh coroutine under a count hook: past the deadline the
// hook yields, which no pcall inside the script can catch, and the coroutine is dropped.
// Everything that allocates in the interpreter (building job_desc, reading it back) runs
// under lua_pcall, so a script that exhausts the memory ceiling gets an error, never the
// interpreter's panic.
#include "controller/job_submit/lua_filter.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <lua.hpp>

#include "common/base/log.h"
#include "common/base/strings.h"
#include "controller/job_submit/lua_fields.h"

namespace herd::ctld {
namespace {

constexpr int kHookEvery = 1000;  // instructions between looks at the clock

LuaFilter* Self(lua_State* L) { return *static_cast<LuaFilter**>(lua_getextraspace(L)); }

void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  return static_cast<LuaFilter*>(ud)->Allocate(ptr, osize, nsize);
}

void Hook(lua_State* L, lua_Debug*) {
  if (Self(L)->PastDeadline()) lua_yield(L, 0);
}

int LogFn(lua_State* L) {
  const lua_Integer level = luaL_checkinteger(L, 1);
  const char* text = luaL_checkstring(L, 2);
  const Severity s = level >= 3   ? Severity::kError
                     : level == 2 ? Severity::kWarning
                     : level == 1 ? Severity::kInfo
                                  : Severity::kDebug;
  if (LogEnabled(s)) LogLine(s, std::string("job_submit.lua: ") + text);
  return 0;
}

int UserFn(lua_State* L) {
  Self(L)->AddUserMessage(luaL_checkstring(L, 1));
  return 0;
}

// slurm.log_* format their arguments as string.format does, as Slurm's.
constexpr char kPrelude[] = R"(
local log, user = ...
local fmt = string.format
local function at(level) return function(...) log(level, fmt(...)) end end
slurm.log_error = at(3)
slurm.error = slurm.log_error
slurm.log_info = at(1)
slurm.log_verbose = at(0)
slurm.log_debug = at(0)
slurm.log_debug2 = at(0)
slurm.log_debug3 = at(0)
slurm.log_debug4 = at(0)
slurm.log_debug5 = at(0)
slurm.log_user = function(...) user(fmt(...)) end
os.exit = function() error("os.exit would stop the controller: not available here", 2) end
)";

int SetUp(lua_State* L) {
  luaL_openlibs(L);
  lua_createtable(L, 0, 40);
  lua::SetConstants(L);
  lua_setglobal(L, "slurm");
  if (luaL_loadbuffer(L, kPrelude, sizeof kPrelude - 1, "=herd") != LUA_OK) return lua_error(L);
  lua_pushcfunction(L, LogFn);
  lua_pushcfunction(L, UserFn);
  lua_call(L, 2, 0);
  return 0;
}

// What one protected step of a call works on (passed as a light userdata).
struct CallContext {
  proto::JobSpec* spec = nullptr;
  uint32_t uid = 0;
  uint32_t gid = 0;
  const std::vector<LuaPartition>* parts = nullptr;
  const LuaJobRecord* rec = nullptr;  // slurm_job_modify only
  const char* function = nullptr;
  uint32_t caller = 0;  // submit_uid / modify_uid
  Status taken;
  std::vector<std::string> ignored;
};

// Pushes orig, desc, then the function and its arguments (moved to the coroutine later).
int Prepare(lua_State* L) {
  auto* c = static_cast<CallContext*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  lua::PushJobDesc(L, *c->spec, c->uid, c->gid, false);
  lua::PushJobDesc(L, *c->spec, c->uid, c->gid, c->rec == nullptr);
  lua_getglobal(L, c->function);
  lua_pushvalue(L, 2);
  if (c->rec != nullptr) lua::PushJobRec(L, *c->rec);
  lua::PushPartList(L, *c->parts);
  lua_pushinteger(L, c->caller);
  return lua_gettop(L);
}

// With orig and desc at 2 and 3 (1: the context).
int Take(lua_State* L) {
  auto* c = static_cast<CallContext*>(lua_touserdata(L, 1));
  c->taken = lua::TakeJobDesc(L, 3, 2, c->spec);
  c->ignored = lua::IgnoredFields(L, 3);
  return 0;
}

std::string Describe(lua_State* L, int idx) {
  const char* m = lua_tostring(L, idx);
  return m != nullptr ? m : std::string("(error object is a ") + luaL_typename(L, idx) + ")";
}

}  // namespace

std::string LuaErrorText(int64_t code) {
  switch (code) {
    case -1:
      return "Unspecified error";
    case 2000:
      return "Invalid partition name specified";
    case 2001:
      return "No partition specified or system default partition";
    case 2002:
      return "Access/permission denied";
    case 2048:
      return "Invalid license specification";
    case 2050:
      return "Job violates accounting/QOS policy (job submit limit, user's size and/or time "
             "limits)";
    case 2051:
      return "Requested time limit is invalid (missing or exceeds some limit)";
    default:
      break;
  }
  if (code > 0 && code < 200) return std::strerror(static_cast<int>(code));
  return "Unknown error " + std::to_string(code);
}

LuaFilter::LuaFilter(std::string path, Options options)
    : path_(std::move(path)), options_(options) {}

LuaFilter::~LuaFilter() {
  if (L_ != nullptr) lua_close(L_);
}

void* LuaFilter::Allocate(void* ptr, size_t old_size, size_t new_size) {
  const size_t old = ptr != nullptr ? old_size : 0;  // else a type tag
  if (new_size == 0) {
    std::free(ptr);
    used_ -= old;
    return nullptr;
  }
  if (new_size > old && used_ - old + new_size > options_.memory_limit) return nullptr;
  void* p = std::realloc(ptr, new_size);
  if (p != nullptr) used_ = used_ - old + new_size;
  return p;
}

bool LuaFilter::PastDeadline() const { return std::chrono::steady_clock::now() > deadline_; }

void LuaFilter::AddUserMessage(const std::string& text) {
  if (user_lines_.size() < 32) user_lines_.push_back(text.substr(0, 1024));
}

Result<lua_State*> LuaFilter::Load() {
  lua_State* L = lua_newstate(Alloc, this);
  if (L == nullptr) return ResourceExhausted("cannot make a Lua interpreter");
  *static_cast<LuaFilter**>(lua_getextraspace(L)) = this;
  lua_sethook(L, Hook, LUA_MASKCOUNT, kHookEvery);
  std::string err;
  lua_pushcfunction(L, SetUp);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    err = "cannot set up the interpreter: " + Describe(L, -1);
  } else if (luaL_loadfilex(L, path_.c_str(), "t") != LUA_OK) {
    err = Describe(L, -1);
  } else {
    lua_State* T = lua_newthread(L);
    lua_rotate(L, -2, 1);  // the chunk above its thread
    lua_xmove(L, T, 1);
    int nres = 0;
    deadline_ = std::chrono::steady_clock::now() + options_.deadline;
    const int st = lua_resume(T, L, 0, &nres);
    if (st == LUA_YIELD) {
      err = path_ + ": its main chunk ran longer than " +
            std::to_string(options_.deadline.count()) + " ms";
    } else if (st != LUA_OK) {
      err = Describe(T, -1);
    }
    lua_settop(L, 0);
  }
  if (err.empty()) {
    for (const char* f : {"slurm_job_submit", "slurm_job_modify"}) {
      if (lua_getglobal(L, f) != LUA_TFUNCTION) {
        err += (err.empty() ? path_ + ": " : std::string("; ")) + f + " is not defined";
      }
      lua_pop(L, 1);
    }
  }
  if (!err.empty()) {
    lua_close(L);
    return InvalidArgument(err);  // Lua's messages name the file and line
  }
  return L;
}

Status LuaFilter::Refresh() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    const int e = errno;
    if (L_ != nullptr) return Status::Ok();  // gone meanwhile: the loaded script stays
    return load_error_ = FailedPrecondition("cannot read " + path_ + ": " + std::strerror(e));
  }
  FileId id{st.st_dev, st.st_ino, st.st_size,
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (L_ != nullptr && id == loaded_) return Status::Ok();
  if (id == failed_) return L_ != nullptr ? Status::Ok() : load_error_;
  auto L = Load();
  if (!L.ok()) {
    failed_ = id;
    HERD_LOG(Error) << "job_submit.lua: " << L.error().message()
                    << (L_ != nullptr ? " (the script loaded before stays in force)"
                                      : " (submissions are refused until it loads)");
    if (L_ == nullptr) load_error_ = L.error();
    return L_ != nullptr ? Status::Ok() : load_error_;
  }
  if (L_ != nullptr) lua_close(L_);
  L_ = *L;
  loaded_ = id;
  failed_ = {};
  load_error_ = Status::Ok();
  HERD_LOG(Info) << "job_submit.lua: loaded " << path_;
  return Status::Ok();
}

LuaVerdict LuaFilter::Submit(proto::JobSpec* spec, uint32_t uid, uint32_t gid,
                             const std::vector<LuaPartition>& parts) {
  CallContext c;
  c.spec = spec;
  c.uid = uid;
  c.gid = gid;
  c.parts = &parts;
  c.function = "slurm_job_submit";
  c.caller = uid;
  return Run(&c);
}

LuaVerdict LuaFilter::Modify(proto::JobSpec* change, const LuaJobRecord& rec, uint32_t uid,
                             const std::vector<LuaPartition>& parts) {
  CallContext c;
  c.spec = change;
  c.uid = rec.uid;
  c.gid = rec.gid;
  c.parts = &parts;
  c.rec = &rec;
  c.function = "slurm_job_modify";
  c.caller = uid;
  return Run(&c);
}

LuaVerdict LuaFilter::Run(void* ctx) {
  auto* c = static_cast<CallContext*>(ctx);
  LuaVerdict v;
  if (Status r = Refresh(); !r.ok()) {
    v.status = FailedPrecondition("the site's job_submit.lua is not in force (" + r.message() +
                                  "): submissions are refused until it loads");
    return v;
  }
  user_lines_.clear();
  lua_State* L = L_;
  lua_settop(L, 0);
  deadline_ = std::chrono::steady_clock::now() + options_.deadline;
  lua_pushcfunction(L, Prepare);
  lua_pushlightuserdata(L, c);
  if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK) {
    v.status =
        ResourceExhausted("the site's job_submit.lua: cannot build job_desc: " + Describe(L, -1));
    lua_settop(L, 0);
    return v;
  }
  // orig, desc, the function, its arguments.
  const int nargs = lua_gettop(L) - 3;
  std::string fn = c->function;
  int64_t rc = 0;
  if (lua_type(L, 3) != LUA_TFUNCTION) {
    v.status = FailedPrecondition("the site's job_submit.lua no longer defines " + fn);
  } else {
    lua_State* T = lua_newthread(L);
    lua_rotate(L, 3, 1);  // the thread below the function and its arguments
    lua_xmove(L, T, nargs + 1);
    int nres = 0;
    deadline_ = std::chrono::steady_clock::now() + options_.deadline;
    const int st = lua_resume(T, L, nargs, &nres);
    if (st == LUA_YIELD) {
      v.status = DeadlineExceeded("the site's job_submit.lua did not finish " + fn + " within " +
                                  std::to_string(options_.deadline.count()) +
                                  " ms: refused (an administrator must fix the script)");
      HERD_LOG(Error) << "job_submit.lua: " << fn << " ran longer than "
                      << options_.deadline.count() << " ms and was stopped";
    } else if (st != LUA_OK) {
      const std::string why = Describe(T, -1);
      v.status = FailedPrecondition("the site's job_submit.lua failed in " + fn + ": " + why +
                                    ": refused");
      HERD_LOG(Error) << "job_submit.lua: " << fn << ": " << why;
    } else if (nres > 0) {
      const int r = lua_gettop(T) - nres + 1;
      int isnum = 0;
      const lua_Integer n = lua_tointegerx(T, r, &isnum);
      rc = isnum ? n : lua_isnil(T, r) ? 0 : -1;
    }
    lua_settop(L, 2);  // the coroutine is dropped, finished or not
  }
  if (v.status.ok() && rc == 0) {
    lua_pushcfunction(L, Take);
    lua_pushlightuserdata(L, c);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
      v.status = ResourceExhausted("the site's job_submit.lua: cannot read job_desc back: " +
                                   Describe(L, -1));
    } else if (!c->taken.ok()) {
      v.status = c->taken;
    }
    for (const std::string& f : c->ignored) {
      if (warned_.insert(f).second) {
        HERD_LOG(Warning) << "job_submit.lua sets job_desc." << f
                          << ", which herd does not hold: the value is ignored";
      }
    }
  }
  lua_settop(L, 0);
  v.user_message = Join(user_lines_, "\n");
  if (v.status.ok() && rc != 0) {
    v.status = PermissionDenied(v.user_message.empty() ? LuaErrorText(rc) : v.user_message);
  }
  return v;
}
}  // namespace herd::ctld
