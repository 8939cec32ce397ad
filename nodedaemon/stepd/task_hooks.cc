// herd — TaskProlog and TaskEpilog.
#include "nodedaemon/stepd/task_hooks.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "nodedaemon/step_launcher.h"
#include "nodedaemon/stepd/job_env.h"

namespace herd::noded {
namespace {

bool IsEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

void UnsetEnv(std::vector<std::string>* env, const std::string& name) {
  const std::string prefix = name + "=";
  std::vector<std::string> kept;
  kept.reserve(env->size());
  for (std::string& e : *env) {
    if (!StartsWith(e, prefix)) kept.push_back(std::move(e));
  }
  *env = std::move(kept);
}

std::string ApplyTaskPrologOutput(std::string_view output, std::vector<std::string>* env) {
  std::string printed;
  while (!output.empty()) {
    const size_t nl = output.find('\n');
    std::string_view line = output.substr(0, nl);
    output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
    if (StartsWith(line, "export ")) {
      std::string_view rest = line.substr(7);
      const size_t eq = rest.find('=');
      if (eq == std::string_view::npos || !IsEnvName(rest.substr(0, eq))) continue;
      SetEnv(env, std::string(rest.substr(0, eq)), std::string(rest.substr(eq + 1)));
    } else if (StartsWith(line, "unset ")) {
      std::string_view name = line.substr(6);
      while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) {
        name.remove_suffix(1);
      }
      if (IsEnvName(name)) UnsetEnv(env, std::string(name));
    } else if (StartsWith(line, "print ")) {
      printed.append(line.substr(6));
      printed.push_back('\n');
    }
  }
  return printed;
}

std::vector<std::string> TaskPrologArgv(const std::string& wrapper, const TaskPrologCall& call) {
  std::vector<std::string> out = {wrapper, call.prolog};
  for (const std::string& p : call.exec_paths) {
    out.push_back("--exec");
    out.push_back(p);
  }
  out.push_back("--");
  out.insert(out.end(), call.argv.begin(), call.argv.end());
  return out;
}

Result<TaskPrologCall> ParseTaskPrologArgv(const std::vector<std::string>& args) {
  // args[0] is the wrapper itself.
  if (args.size() < 2 || args[1].empty() || args[1][0] != '/') {
    return InvalidArgument(
        "usage: herd-task-prolog /path/to/TaskProlog [--exec PATH]... -- ARGV...");
  }
  TaskPrologCall call;
  call.prolog = args[1];
  size_t i = 2;
  for (; i < args.size() && args[i] != "--"; i += 2) {
    if (args[i] != "--exec" || i + 1 >= args.size()) {
      return InvalidArgument("herd-task-prolog: unexpected argument '" + args[i] + "'");
    }
    call.exec_paths.push_back(args[i + 1]);
  }
  if (i >= args.size() || i + 1 >= args.size()) {
    return InvalidArgument("herd-task-prolog: no program after --");
  }
  call.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (call.exec_paths.empty()) return InvalidArgument("herd-task-prolog: no --exec path");
  return call;
}

std::string TaskPrologWrapperPath() { return DefaultStepdPath(kTaskPrologWrapper); }

std::vector<std::string> TaskEpilogEnv(std::vector<std::string> task_env) {
  SetEnv(&task_env, "SLURM_SCRIPT_CONTEXT", "epilog_task");
  SetEnv(&task_env, "HERD_SCRIPT_CONTEXT", "epilog_task");
  return task_env;
}

Result<HookRun> RunTaskEpilog(const std::string& program, std::vector<std::string> env,
                              const TaskUser& user, uint32_t timeout_s) {
  // Everything is allocated before fork: the caller may run threads.
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string prog = program;
  char* argv[] = {prog.data(), nullptr};
  const std::string work_dir = user.work_dir.empty() ? "/" : user.work_dir;
  pid_t pid = ::fork();
  if (pid < 0) return ResourceExhausted(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ResetChildProcessState();
    ::setsid();
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(null_fd, 1) < 0 || ::dup2(null_fd, 2) < 0) {
      ::_exit(126);
    }
    if (null_fd > 2) ::close(null_fd);
    if (::geteuid() == 0) {
      if (::setgroups(user.groups.size(), user.groups.data()) != 0 || ::setgid(user.gid) != 0 ||
          ::setuid(user.uid) != 0) {
        ::_exit(126);
      }
    }
    if (::getuid() != user.uid || (user.uid != 0 && ::setuid(0) == 0)) ::_exit(126);
    if (::chdir(work_dir.c_str()) != 0 && ::chdir("/") != 0) ::_exit(126);
    ::execve(prog.c_str(), argv, envp.data());
    ::_exit(127);
  }
  return WaitHook(pid, timeout_s);
}

}  // namespace herd::noded
