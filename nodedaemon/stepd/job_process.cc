// herd — the batch script's process.
#include "nodedaemon/stepd/job_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "nodedaemon/step_launcher.h"
#include "nodedaemon/stepd/task_hooks.h"

namespace herd::noded {
namespace {

// Child side: report and leave. Only async-signal-safe calls from here on would be
// needed in a threaded parent; herdstepd is single-threaded when it forks.
[[noreturn]] void ChildFail(int fd, const std::string& what, int err) {
  std::string line = what;
  if (err != 0) line += std::string(": ") + std::strerror(err);
  ssize_t ignored = ::write(fd, line.data(), line.size());
  (void)ignored;
  ::_exit(1);
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void RunChild(const JobLaunchPlan& plan, int go_fd, int err_fd) {
  ResetChildProcessState();
  char go = 0;
  ssize_t n;
  do {
    n = ::read(go_fd, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(1);  // the parent is gone
  ::close(go_fd);
  ::setsid();
  ::umask(plan.umask & 0777);

  if (!plan.cpus.empty()) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (unsigned c : plan.cpus) {
      if (c < CPU_SETSIZE) CPU_SET(c, &set);
    }
    if (::sched_setaffinity(0, sizeof set, &set) != 0) {
      ChildFail(err_fd, "cannot bind the job to its cpus", errno);
    }
  }

  // Drop privileges for good: supplementary groups, gid, then uid.
  if (::setgroups(plan.groups.size(), plan.groups.data()) != 0) {
    ChildFail(err_fd, "setgroups for " + plan.user, errno);
  }
  if (::setgid(plan.gid) != 0) ChildFail(err_fd, "setgid " + std::to_string(plan.gid), errno);
  if (::setuid(plan.uid) != 0) ChildFail(err_fd, "setuid " + std::to_string(plan.uid), errno);
  if (::getuid() != plan.uid || ::geteuid() != plan.uid || (plan.uid != 0 && ::setuid(0) == 0)) {
    ChildFail(err_fd, "refusing to run the job: privileges were not dropped", 0);
  }

  if (::chdir(plan.work_dir.c_str()) != 0) {
    ChildFail(err_fd, "cannot enter the work directory " + plan.work_dir, errno);
  }
  int in = ::open("/dev/null", O_RDONLY);
  if (in < 0 || ::dup2(in, 0) < 0) ChildFail(err_fd, "cannot open /dev/null", errno);
  // 0666 less the submitter's umask, as a shell redirection would create it.
  int out = ::open(plan.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (out < 0) ChildFail(err_fd, "cannot open output file " + plan.stdout_path, errno);
  if (::dup2(out, 1) < 0) ChildFail(err_fd, "dup2", errno);
  if (plan.stderr_path == plan.stdout_path) {
    if (::dup2(out, 2) < 0) ChildFail(err_fd, "dup2", errno);
  } else {
    int err = ::open(plan.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (err < 0) ChildFail(err_fd, "cannot open error file " + plan.stderr_path, errno);
    if (::dup2(err, 2) < 0) ChildFail(err_fd, "dup2", errno);
    if (err > 2) ::close(err);
  }
  if (out > 2) ::close(out);
  if (in > 2) ::close(in);

  std::vector<std::string> args = {plan.script_path};
  args.insert(args.end(), plan.args.begin(), plan.args.end());
  std::vector<std::string> env = plan.env;
  std::vector<char*> envp = CStrings(env);
  if (!plan.task_prolog.empty()) {
    std::vector<std::string> wrapped =
        TaskPrologArgv(plan.task_prolog_wrapper, {plan.task_prolog, {plan.script_path}, args});
    std::vector<char*> wrapped_argv = CStrings(wrapped);
    ::execve(plan.task_prolog_wrapper.c_str(), wrapped_argv.data(), envp.data());
    ChildFail(err_fd, "cannot execute " + plan.task_prolog_wrapper, errno);
  }
  std::vector<char*> argv = CStrings(args);
  ::execve(plan.script_path.c_str(), argv.data(), envp.data());
  if (errno == ENOEXEC) {
    // No "#!" line: run it with the POSIX shell, as a shell would.
    args.insert(args.begin(), "/bin/sh");
    argv = CStrings(args);
    ::execve("/bin/sh", argv.data(), envp.data());
  }
  ChildFail(err_fd, "cannot execute the batch script", errno);
}

}  // namespace

Status AppendAsUser(const JobLaunchPlan& plan, const std::string& path, const std::string& text) {
  pid_t pid = ::fork();
  if (pid < 0) return ResourceExhausted(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ResetChildProcessState();
    if (::setgroups(plan.groups.size(), plan.groups.data()) != 0 || ::setgid(plan.gid) != 0 ||
        ::setuid(plan.uid) != 0) {
      ::_exit(2);
    }
    ::umask(plan.umask & 0777);
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) ::_exit(3);
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::_exit(ok ? 0 : 4);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Internal("cannot append to " + path + " as " + plan.user);
}

Status WriteScript(const std::string& path, const std::string& text, uid_t uid, gid_t gid) {
  HERD_RETURN_IF_ERROR(WriteFileAtomic(path, text, /*durable=*/false));
  if (::chown(path.c_str(), uid, gid) != 0 || ::chmod(path.c_str(), 0700) != 0) {
    return Internal("cannot hand " + path + " to uid " + std::to_string(uid) + ": " +
                    std::strerror(errno));
  }
  return Status::Ok();
}

Result<JobStart> StartJobProcess(const JobLaunchPlan& plan, const JobCgroup& cgroup) {
  auto child = SpawnInCgroup(
      cgroup, [&plan](int go_fd, int report_fd) { RunChild(plan, go_fd, report_fd); });
  if (!child.ok()) return child.error();
  JobStart start;
  start.pid = child->pid;
  start.in_cgroup = child->in_cgroup;
  if (cgroup.valid() && !child->in_cgroup) {
    HERD_LOG(Warning) << "cgroup tracking unavailable (" << child->cgroup_error
                      << "); using the process tree instead";
  }
  const int report_fd = child->report_fd;
  char buf[1024];
  while (true) {
    ssize_t n = ::read(report_fd, buf, sizeof buf);
    if (n > 0) {
      start.failure.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF: exec succeeded or the child exited
  }
  ::close(report_fd);
  return start;
}

}  // namespace herd::noded
