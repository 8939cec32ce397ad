// herd halloc — the allocation and the command in it.
#include "commands/halloc/halloc_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>

#include "commands/halloc/halloc_env.h"
#include "commands/lib/allocation.h"
#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"

namespace herd::halloc {
namespace {

using Clock = std::chrono::steady_clock;

// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }
constexpr int kWaitMs = 500;
constexpr std::chrono::seconds kCheckInterval{5};

std::vector<char*> CStrings(std::vector<std::string>* strings) {
  std::vector<char*> out;
  for (std::string& s : *strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string HostName() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

// Forks and execs the command; the child never returns.
Result<pid_t> StartCommand(std::vector<std::string> argv, std::vector<std::string> env,
                           const std::string& dir, const cli::SignalWatch& signals) {
  std::vector<char*> cargv = CStrings(&argv);
  std::vector<char*> cenv = CStrings(&env);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    cli::ResetSignalsForExec(signals);
    if (!dir.empty() && chdir(dir.c_str()) != 0) {
      std::fprintf(stderr, "%s: error: chdir(%s): %s\n", Cmd(), dir.c_str(), std::strerror(errno));
      _exit(1);
    }
    execvpe(cargv[0], cargv.data(), cenv.data());
    const int err = errno;
    std::fprintf(stderr, "%s: error: %s: %s\n", Cmd(), cargv[0], std::strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  return pid;
}

// Waits for the command, passing signals on and watching the job; its wait status.
int WaitCommand(pid_t pid, uint64_t job_id, cli::Client* client, cli::SignalWatch* signals,
                bool* revoked) {
  Clock::time_point next_check = Clock::now() + kCheckInterval;
  std::optional<Clock::time_point> kill_at;
  const auto kill_wait = std::chrono::seconds(client->config().kill_wait_s);
  while (true) {
    for (int sig : signals->Wait(kWaitMs)) {
      if (sig == SIGTERM || sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2) kill(pid, sig);
      // SIGINT, SIGQUIT: the terminal gave them to the command as well; SIGCHLD: below.
    }
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return 1 << 8;
    const Clock::time_point now = Clock::now();
    if (kill_at && now >= *kill_at) {
      kill(pid, SIGKILL);
      kill_at.reset();
    }
    if (*revoked || now < next_check) continue;
    next_check = now + kCheckInterval;
    auto job = cli::QueryJob(client, job_id);
    const bool gone =
        job.ok() ? job->state != proto::JobState::kRunning : job.error().code() == Code::kNotFound;
    if (!gone) continue;
    std::fprintf(stderr, "%s: Job allocation %llu has been revoked.\n", Cmd(),
                 static_cast<unsigned long long>(job_id));
    *revoked = true;
    kill(pid, SIGHUP);
    kill_at = now + kill_wait;
  }
}

}  // namespace

std::vector<int> WatchedSignals() {
  std::vector<int> sigs = cli::ForwardedSignals();
  sigs.push_back(SIGCHLD);
  return sigs;
}

int ExitCodeOfStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 1;
}

int RunHalloc(const HallocOptions& o, const std::vector<std::string>& env, const std::string& cwd,
              cli::Client* client, cli::SignalWatch* signals) {
  const std::vector<std::string> command = CommandToRun(o, env);
  const std::string work_dir = o.chdir ? cli::AbsolutePath(*o.chdir, cwd) : cwd;
  const proto::JobSpec spec =
      cli::BuildAllocationSpec(o.alloc, cli::BaseName(command[0]), command, env, cwd, work_dir);
  cli::AllocationRequest how;
  how.cmd = Cmd();
  how.style = cli::AllocStyle::kHalloc;
  how.quiet = o.quiet;
  cli::Allocation alloc;
  cli::AllocFailure failure;
  if (!cli::Allocate(client, signals, spec, how, &alloc, &failure)) {
    if (failure.interrupted) return 1;
    return cli::ReportError(Cmd(), failure.status.message());
  }
  if (o.verbose > 0) {
    std::fprintf(stderr, "%s: nodes %s, %u tasks\n", Cmd(), alloc.info.nodelist.c_str(),
                 alloc.info.num_tasks);
  }

  AllocEnvContext ctx;
  ctx.cluster_name = client->config().cluster_name;
  ctx.conf_path = cli::AbsolutePath(client->config().source_path, cwd);
  ctx.submit_host = HostName();
  ctx.submit_dir = cwd;
  std::vector<std::string> job_env = BuildAllocationEnv(env, alloc.info, ctx);

  int code = 1;
  bool revoked = false;
  auto pid = StartCommand(command, std::move(job_env), o.chdir ? work_dir : "", *signals);
  if (!pid.ok()) {
    cli::ReportError(Cmd(), pid.error().message());
  } else {
    code = ExitCodeOfStatus(WaitCommand(*pid, alloc.job_id, client, signals, &revoked));
  }
  if (!revoked) {
    if (!o.quiet) {
      std::fprintf(stderr, "%s: Relinquishing job allocation %llu\n", Cmd(),
                   static_cast<unsigned long long>(alloc.job_id));
    }
    cli::ReleaseAllocation(client, Cmd(), alloc.job_id, code);
  }
  return code;
}

}  // namespace herd::halloc
