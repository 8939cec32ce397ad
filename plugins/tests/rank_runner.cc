// herd — test support: running local ranks under an MpiServer (see rank_runner.h).
#include "plugins/tests/rank_runner.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "common/base/fs.h"

extern char** environ;

namespace herd::plugin::testing {
namespace {

using Clock = std::chrono::steady_clock;

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

// This process's environment with `extra` ("K=V") replacing same-named entries.
std::vector<std::string> MergeEnv(const std::vector<std::string>& extra) {
  std::map<std::string, bool> overridden;
  for (const std::string& e : extra) overridden[e.substr(0, e.find('='))] = true;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    if (overridden.count(entry.substr(0, entry.find('='))) == 0) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Everything allocated before fork: the child only dup2s and execs.
Result<pid_t> Spawn(const std::string& prog, const std::vector<std::string>& args,
                    std::vector<std::string> env, const std::string& out_path,
                    const std::string& err_path) {
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return Errno("open " + out_path);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err < 0) {
    ::close(out);
    return Errno("open " + err_path);
  }
  std::vector<std::string> argv_strings{prog};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
    ::execve(prog.c_str(), argv.data(), envp.data());
    static const char kMsg[] = "rank_runner: execve failed\n";
    ssize_t ignored = ::write(2, kMsg, sizeof kMsg - 1);
    (void)ignored;
    ::_exit(127);
  }
  int saved = errno;
  ::close(out);
  ::close(err);
  if (pid < 0) {
    errno = saved;
    return Errno("fork");
  }
  return pid;
}

}  // namespace

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

int WaitOrKill(pid_t pid, std::chrono::milliseconds timeout) {
  Clock::time_point end = Clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitCodeOf(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() > end) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return ExitCodeOf(status);
}

Result<std::vector<RankExit>> RunLocalRanks(MpiServer* server, const MpiStepInfo& info,
                                            const std::string& prog,
                                            const std::vector<std::string>& args,
                                            const std::string& outdir,
                                            const std::function<void()>& pump,
                                            const std::function<bool()>& kill_now,
                                            std::chrono::milliseconds deadline) {
  std::map<pid_t, uint32_t> alive;
  std::vector<RankExit> exits;
  auto kill_all = [&] {
    for (const auto& [pid, rank] : alive) ::kill(pid, SIGKILL);
  };
  auto reap_all = [&] {
    for (const auto& [pid, rank] : alive) exits.push_back({rank, WaitOrKill(pid, deadline)});
    alive.clear();
  };
  for (uint32_t rank : info.nodes[info.node_index].ranks) {
    Result<std::vector<std::string>> env = server->TaskEnv(rank);
    std::string base = outdir + "/rank." + std::to_string(rank);
    Result<pid_t> pid = env.ok() ? Spawn(prog, args, MergeEnv(*env), base + ".out", base + ".err")
                                 : Result<pid_t>(env.error());
    if (!pid.ok()) {
      kill_all();
      reap_all();
      return pid.error();
    }
    alive[*pid] = rank;
  }

  Clock::time_point end = Clock::now() + deadline;
  bool killed = false;
  while (!alive.empty()) {
    pump();
    for (auto it = alive.begin(); it != alive.end();) {
      int status = 0;
      if (::waitpid(it->first, &status, WNOHANG) == it->first) {
        exits.push_back({it->second, ExitCodeOf(status)});
        it = alive.erase(it);
      } else {
        ++it;
      }
    }
    if (!killed && !alive.empty() && (kill_now() || Clock::now() > end)) {
      kill_all();
      killed = true;
    }
  }
  return exits;
}

Result<std::string> MakeTempDir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return Errno("mkdtemp " + templ);
  return templ;
}

ScopedTempDir::ScopedTempDir(const std::string& prefix) {
  Result<std::string> dir = MakeTempDir(prefix);
  if (dir.ok()) path_ = *dir;
}

ScopedTempDir::~ScopedTempDir() {
  if (path_.empty()) return;
  Status st = RemoveTree(path_);
  (void)st;  // best effort: a test's leftovers in /tmp
}

std::string Slurp(const std::string& path) {
  Result<std::string> data = ReadFile(path);
  return data.ok() ? *data : std::string();
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  return names;
}

Status WriteFrame(int fd, const std::string& payload) {
  uint32_t len = static_cast<uint32_t>(payload.size());
  std::string buf(reinterpret_cast<const char*>(&len), sizeof len);
  buf += payload;
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write frame");
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

namespace {

// 1: filled; 0: end of stream before the first byte; -1: error or a cut-off read.
int ReadFull(int fd, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::read(fd, buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return done == 0 ? 0 : -1;
    done += static_cast<size_t>(n);
  }
  return 1;
}

}  // namespace

Status ReadFrame(int fd, std::string* payload) {
  uint32_t len = 0;
  int r = ReadFull(fd, reinterpret_cast<char*>(&len), sizeof len);
  if (r == 0) return NotFound("end of stream");
  if (r < 0) return DataLoss("cut-off frame header");
  payload->assign(len, '\0');
  if (len > 0 && ReadFull(fd, payload->data(), len) != 1) return DataLoss("cut-off frame");
  return Status::Ok();
}

}  // namespace herd::plugin::testing
