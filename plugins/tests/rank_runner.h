// herd — test support for the MPI plugin tests: starting a step's local ranks under an
// MpiServer the way herdstepd does (fork, execve with the environment plus TaskEnv), and
// small fd helpers (length-prefixed frames, temp directories, reading files).
//
// Threads: every function runs on its caller's thread; RunLocalRanks calls `pump` and
// `kill_now` on that thread too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "plugins/api/mpi.h"

namespace herd::plugin::testing {

struct RankExit {
  uint32_t rank = 0;
  int code = -1;  // exit code, or 128 + signal
};

// Forks and execs `prog args...` for every local rank of `info`, with this process's
// environment overridden by server->TaskEnv(rank); the rank's stdout and stderr go to
// outdir/rank.<R>.out and .err. Then loops: pump() (which should block briefly, e.g. in
// poll), reap exited ranks, and SIGKILL every rank left once kill_now() says so or
// `deadline` has passed. Returns when every rank is reaped.
Result<std::vector<RankExit>> RunLocalRanks(MpiServer* server, const MpiStepInfo& info,
                                            const std::string& prog,
                                            const std::vector<std::string>& args,
                                            const std::string& outdir,
                                            const std::function<void()>& pump,
                                            const std::function<bool()>& kill_now,
                                            std::chrono::milliseconds deadline);

// A fresh directory /tmp/<prefix>.XXXXXX.
Result<std::string> MakeTempDir(const std::string& prefix);

// A MakeTempDir removed with everything in it when the object goes away; path() is ""
// if it could not be made.
class ScopedTempDir {
 public:
  explicit ScopedTempDir(const std::string& prefix);
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
// Whole file, or "" when it cannot be read.
std::string Slurp(const std::string& path);
// Names of the entries of `dir` (not . and ..).
std::vector<std::string> ListDir(const std::string& dir);

// Frames: a 4-byte host-order length, then the bytes. Blocking; EINTR is retried.
Status WriteFrame(int fd, const std::string& payload);
// kNotFound on a clean end of stream before a frame starts.
Status ReadFrame(int fd, std::string* payload);

// The exit code of a wait status: the code, or 128 + signal.
int ExitCodeOf(int wait_status);
// Waits for `pid` up to `timeout`, then SIGKILLs and reaps it. Returns its ExitCodeOf.
int WaitOrKill(pid_t pid, std::chrono::milliseconds timeout);

}  // namespace herd::plugin::testing
