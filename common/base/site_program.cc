// herd — running a site's program (a node's Prolog, Epilog and HealthCheckProgram, the
// controller's PrologSlurmctld and EpilogSlurmctld).
#include "common/base/site_program.h"

#include <fcntl.h>
#include <glob.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd {

void ResetChildProcessState() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
    // Older kernel: mark each open descriptor by hand.
    for (int fd = 3; fd < 4096; ++fd) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
}

bool IsHookPattern(const std::string& program) {
  return program.find_first_of("*?[") != std::string::npos;
}

std::vector<std::string> HookPrograms(const std::string& program) {
  if (!IsHookPattern(program)) return {program};
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(program.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  return out;  // glob sorts them
}

namespace {

// In the hook's session: runs each program in turn, as a child, and ends as the first that
// fails (an exit code, or 128 + its signal). Only async-signal-safe calls (after fork).
[[noreturn]] void RunInTurn(const std::vector<std::string>& programs, char* const* envp) {
  for (const std::string& p : programs) {
    // The output file holds the last program's output: a failure's reason is its own.
    (void)::lseek(1, 0, SEEK_SET);
    (void)::ftruncate(1, 0);
    char* argv[] = {const_cast<char*>(p.c_str()), nullptr};
    const pid_t child = ::fork();
    if (child < 0) ::_exit(126);
    if (child == 0) {
      ::execve(p.c_str(), argv, envp);
      static const char kWhy[] = "cannot execute a program of the pattern\n";
      ssize_t w = ::write(2, kWhy, sizeof kWhy - 1);
      (void)w;
      ::_exit(127);
    }
    int st = 0;
    while (::waitpid(child, &st, 0) < 0) {
      if (errno != EINTR) ::_exit(126);
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0) ::_exit(WEXITSTATUS(st));
    if (WIFSIGNALED(st)) ::_exit(128 + WTERMSIG(st));
  }
  ::_exit(0);
}

}  // namespace

Result<pid_t> StartHook(const std::string& program, const std::vector<std::string>& env,
                        const std::string& output_file) {
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (std::string& e : env_copy) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string prog = program;
  char* argv[] = {prog.data(), nullptr};
  const bool pattern = IsHookPattern(program);
  const std::vector<std::string> programs =
      pattern ? HookPrograms(program) : std::vector<std::string>{};
  pid_t pid = ::fork();
  if (pid < 0) return ResourceExhausted(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ResetChildProcessState();
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
      ::_exit(126);
    }
    if (in > 2) ::close(in);
    if (out > 2) ::close(out);
    if (pattern) RunInTurn(programs, envp.data());
    ::execve(program.c_str(), argv, envp.data());
    const std::string why = "cannot execute " + program + ": " + std::strerror(errno) + "\n";
    ssize_t w = ::write(2, why.data(), why.size());
    (void)w;
    ::_exit(127);
  }
  return pid;
}

std::string HookFirstLine(const std::string& output_file) {
  auto text = ReadFile(output_file);
  if (!text.ok()) return "";
  std::string line = Trim(text->substr(0, text->find('\n')));
  std::string out;
  for (char c : line.substr(0, 200)) {
    if (!std::iscntrl(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

HookRun WaitHook(pid_t pid, uint32_t timeout_s) {
  HookRun run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  auto wait = std::chrono::milliseconds(1);
  while (true) {
    pid_t got = ::waitpid(pid, &run.wait_status, WNOHANG);
    if (got == pid || (got < 0 && errno != EINTR)) break;
    if (timeout_s != 0 && !run.timed_out && std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(50));
  }
  return run;
}

Result<HookRun> RunHook(const std::string& program, const std::vector<std::string>& env,
                        const std::string& output_file, uint32_t timeout_s) {
  HERD_ASSIGN_OR_RETURN(pid_t pid, StartHook(program, env, output_file));
  HookRun run = WaitHook(pid, timeout_s);
  run.first_line = HookFirstLine(output_file);
  (void)::unlink(output_file.c_str());
  return run;
}

std::string HookFailure(const std::string& name, const HookRun& run, uint32_t timeout_s) {
  std::string why;
  if (run.timed_out) {
    why = "timed out after " + std::to_string(timeout_s) + " s";
  } else if (WIFEXITED(run.wait_status)) {
    why = "exited " + std::to_string(WEXITSTATUS(run.wait_status));
  } else if (WIFSIGNALED(run.wait_status)) {
    why = "killed by signal " + std::to_string(WTERMSIG(run.wait_status));
  }
  if (!run.first_line.empty()) why += ": " + run.first_line;
  return name + " error: " + why;
}

std::vector<std::string> ExitCodeEnv(int32_t ws) {
  const int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
  const int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
  const std::string code2 = std::to_string(code) + ":" + std::to_string(sig);
  return {"SLURM_JOB_EXIT_CODE=" + std::to_string(ws), "HERD_JOB_EXIT_CODE=" + std::to_string(ws),
          "SLURM_JOB_EXIT_CODE2=" + code2, "HERD_JOB_EXIT_CODE2=" + code2};
}

}  // namespace herd
