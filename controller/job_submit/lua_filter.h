// herd — the job_submit filter in Lua (Slurm's JobSubmitPlugins=lua): an administrator's
// job_submit.lua defines
//   slurm_job_submit(job_desc, part_list, submit_uid)
//   slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
// which read and change a request under Slurm's field names (job_desc.time_limit in
// minutes, partition, min_nodes, num_tasks, pn_min_memory, nice with NICE_OFFSET, ...) and
// return slurm.SUCCESS, slurm.ERROR or an error number; slurm.log_user() text goes to the
// user, slurm.log_info() and friends to the controller's log.
//
// This class is the interpreter alone: no thread, no socket. It runs the script under an
// instruction-count hook that ends a call past its deadline, and a memory ceiling; it
// loads the file again when it changed (a file that no longer loads leaves the previous
// script in force, as Slurm does). JobSubmitWorker (job_submit_worker.h) runs it off the
// controller's loop. Not thread-safe: one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"

struct lua_State;

namespace herd::ctld {

// A partition as part_list shows it to the script.
struct LuaPartition {
  std::string name;
  std::string nodes;  // hostlist
  int64_t max_time_s = -1;
  int64_t default_time_s = -1;
  uint32_t max_nodes = 0;  // 0 = unlimited
  uint32_t total_nodes = 0;
  uint32_t total_cpus = 0;
  bool is_default = false;
  bool up = true;
};

// A job as job_rec shows it to slurm_job_modify (read only).
struct LuaJobRecord {
  uint64_t job_id = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string partition;
  std::string state;  // "PENDING", ...
  int64_t time_limit_s = -1;
  uint32_t priority = 0;
  proto::JobSpec spec;  // without script and environment
};

struct LuaVerdict {
  Status status;  // OK: accepted, with the request as the script left it
  // slurm.log_user() text, lines joined by '\n': the refusal's message, or shown to the
  // user beside an accepted request.
  std::string user_message;
};

class LuaFilter {
 public:
  struct Options {
    std::chrono::milliseconds deadline{2000};  // one call (and loading the file)
    size_t memory_limit = 64u << 20;           // bytes the interpreter may hold
  };
  explicit LuaFilter(std::string path) : LuaFilter(std::move(path), Options{}) {}
  LuaFilter(std::string path, Options options);
  ~LuaFilter();
  LuaFilter(const LuaFilter&) = delete;
  LuaFilter& operator=(const LuaFilter&) = delete;

  // Loads the file when it is not loaded yet or changed since (inode, size, mtime). A
  // file that cannot be loaded is logged; the previous script stays in force. The result:
  // whether a script is in force (its load error when none is).
  Status Refresh();
  const std::string& path() const { return path_; }

  // slurm_job_submit: `spec` is changed in place as the script changed job_desc.
  LuaVerdict Submit(proto::JobSpec* spec, uint32_t uid, uint32_t gid,
                    const std::vector<LuaPartition>& parts);
  // slurm_job_modify: `change` holds the requested new values (Slurm's job_desc of an
  // update), `rec` the job as it is.
  LuaVerdict Modify(proto::JobSpec* change, const LuaJobRecord& rec, uint32_t uid,
                    const std::vector<LuaPartition>& parts);

  // Called by the interpreter (lua_filter.cc's C functions).
  void AddUserMessage(const std::string& text);
  bool PastDeadline() const;
  void* Allocate(void* ptr, size_t old_size, size_t new_size);

 private:
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    bool operator==(const FileId& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns;
    }
  };
  Result<lua_State*> Load();
  // One call of slurm_job_submit or slurm_job_modify (`ctx`: lua_filter.cc's CallContext).
  LuaVerdict Run(void* ctx);

  std::string path_;
  Options options_;
  lua_State* L_ = nullptr;
  FileId loaded_;
  FileId failed_;  // the version that failed to load (logged once)
  Status load_error_ = FailedPrecondition("not loaded");
  std::chrono::steady_clock::time_point deadline_{};
  size_t used_ = 0;
  std::vector<std::string> user_lines_;
  std::set<std::string> warned_;  // fields set by the script that herd ignores (logged once)
};

// The message of an error number a script returned (Slurm's words for the ones a script
// uses; strerror for system ones).
std::string LuaErrorText(int64_t code);

}  // namespace herd::ctld
