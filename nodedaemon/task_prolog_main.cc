// herd-task-prolog — runs the site's TaskProlog inside a task's own process (as the job's
// user, in the step's cgroup, bound to the task's cpus), applies what it printed, then
// executes the task's program in the same process (nodedaemon/stepd/task_hooks.h).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "nodedaemon/stepd/job_env.h"
#include "nodedaemon/stepd/task_hooks.h"

extern char** environ;

namespace herd::noded {
namespace {

constexpr size_t kMaxPrologOutput = 1 << 20;  // more than this is read and dropped

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += static_cast<size_t>(w);
  }
}

// Runs the TaskProlog with `env`; its stdout is returned, its stderr is the task's.
// false when it did not exit 0 (the reason is on stderr and in *exit_code).
bool RunProlog(const std::string& prolog, std::vector<std::string> env, std::string* output,
               int* exit_code) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    WriteAll(2, std::string("herdstepd: error: TaskProlog: pipe: ") + std::strerror(errno) + "\n");
    *exit_code = 1;
    return false;
  }
  std::vector<char*> envp = CStrings(env);
  std::string prog = prolog;
  char* argv[] = {prog.data(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, 0);
    ::dup2(fds[1], 1);
    ::execve(prog.c_str(), argv, envp.data());
    WriteAll(2, "herdstepd: error: cannot execute TaskProlog " + prolog + ": " +
                    std::strerror(errno) + "\n");
    ::_exit(127);
  }
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    WriteAll(2, std::string("herdstepd: error: TaskProlog: fork: ") + std::strerror(errno) + "\n");
    *exit_code = 1;
    return false;
  }
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output->size() < kMaxPrologOutput) output->append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (WIFEXITED(status)) {
    *exit_code = WEXITSTATUS(status);
    WriteAll(2, "herdstepd: error: TaskProlog failed status=" + std::to_string(*exit_code) + "\n");
  } else {
    *exit_code = 1;
    WriteAll(2, "herdstepd: error: TaskProlog killed by signal " +
                    std::to_string(WTERMSIG(status)) + "\n");
  }
  return false;
}

int Main(int argc, char** argv) {
  auto call = ParseTaskPrologArgv(std::vector<std::string>(argv, argv + argc));
  if (!call.ok()) {
    WriteAll(2, call.error().message() + "\n");
    return 2;
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);

  std::vector<std::string> prolog_env = env;
  const std::string pid = std::to_string(::getpid());
  SetEnv(&prolog_env, "SLURM_TASK_PID", pid);
  SetEnv(&prolog_env, "HERD_TASK_PID", pid);
  SetEnv(&prolog_env, "SLURM_SCRIPT_CONTEXT", "prolog_task");
  SetEnv(&prolog_env, "HERD_SCRIPT_CONTEXT", "prolog_task");
  std::string output;
  int exit_code = 0;
  if (!RunProlog(call->prolog, std::move(prolog_env), &output, &exit_code)) return exit_code;
  WriteAll(1, ApplyTaskPrologOutput(output, &env));

  std::vector<std::string> args = call->argv;
  std::vector<char*> cargv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  // As execvp: EACCES from one candidate is remembered, ENOENT tries the next.
  int err = ENOENT;
  for (const std::string& path : call->exec_paths) {
    ::execve(path.c_str(), cargv.data(), envp.data());
    if (errno == ENOEXEC) {
      // No "#!" line: the POSIX shell runs it, as a shell would.
      std::vector<std::string> sh = {"/bin/sh", path};
      sh.insert(sh.end(), args.begin() + 1, args.end());
      std::vector<char*> sh_argv = CStrings(sh);
      ::execve("/bin/sh", sh_argv.data(), envp.data());
    }
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
    if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) break;
  }
  WriteAll(2, "herdstepd: error: cannot execute " + args[0] + ": " + std::strerror(err) + "\n");
  return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

}  // namespace
}  // namespace herd::noded

int main(int argc, char** argv) { return herd::noded::Main(argc, argv); }
