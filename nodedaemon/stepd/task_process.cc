// herd — one task's process.
#include "nodedaemon/stepd/task_process.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/log.h"
#include "common/base/strings.h"
#include "nodedaemon/step_launcher.h"
#include "nodedaemon/stepd/task_hooks.h"

namespace herd::noded {
namespace {

// What failed in the child, reported with its errno.
enum Stage : int32_t {
  kAffinity = 1,
  kGroups,
  kSetgid,
  kSetuid,
  kPrivileges,
  kStdin,
  kStdout,
  kStderr,
  kExec,
};

struct Report {
  int32_t stage = 0;
  int32_t err = 0;
};

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    data += w;
    n -= static_cast<size_t>(w);
  }
}

[[noreturn]] void Fail(int fd, Stage stage, int err) {
  Report r{stage, err};
  WriteAll(fd, reinterpret_cast<const char*>(&r), sizeof r);
  int code = 1;
  if (stage == kExec) code = (err == ENOENT || err == ENOTDIR) ? 127 : 126;
  ::_exit(code);
}

// Puts `s` on descriptor `target` (0, 1 or 2).
bool Attach(const TaskStream& s, int target, int flags) {
  int fd = s.fd;
  if (fd < 0) {
    fd = s.path.empty() ? ::open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY)
                        : ::open(s.path.c_str(), flags | (s.truncate ? O_TRUNC : 0), 0666);
    if (fd < 0) return false;
  }
  if (fd == target) return true;
  if (::dup2(fd, target) < 0) return false;
  if (s.fd < 0) ::close(fd);
  return true;
}

// Child side: system calls only (see the header).
// `sh_argv` is {"/bin/sh", <slot for the script>, argv[1], ..., nullptr}.
[[noreturn]] void RunChild(const TaskPlan& plan, char* const* argv, char* const* envp,
                           const char** sh_argv, const std::vector<const char*>& paths, int go_fd,
                           int err_fd) {
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
    if (::sched_setaffinity(0, sizeof set, &set) != 0) Fail(err_fd, kAffinity, errno);
  }
  // Drop privileges for good (a non-root herdstepd can only run tasks as itself).
  if (::geteuid() == 0) {
    if (::setgroups(plan.groups.size(), plan.groups.data()) != 0) Fail(err_fd, kGroups, errno);
    if (::setgid(plan.gid) != 0) Fail(err_fd, kSetgid, errno);
    if (::setuid(plan.uid) != 0) Fail(err_fd, kSetuid, errno);
  }
  if (::getuid() != plan.uid || ::geteuid() != plan.uid || (plan.uid != 0 && ::setuid(0) == 0)) {
    Fail(err_fd, kPrivileges, EPERM);
  }
  bool in_tmp = false;
  if (::chdir(plan.work_dir.c_str()) != 0) {
    in_tmp = ::chdir("/tmp") == 0;
  }
  if (!Attach(plan.in, 0, O_RDONLY)) Fail(err_fd, kStdin, errno);
  if (!Attach(plan.out, 1, O_WRONLY | O_CREAT | O_APPEND)) Fail(err_fd, kStdout, errno);
  if (plan.err_to_out ? ::dup2(1, 2) < 0 : !Attach(plan.err, 2, O_WRONLY | O_CREAT | O_APPEND)) {
    Fail(err_fd, kStderr, errno);
  }
  if (in_tmp) {
    static const char kMsg[] = "herdstepd: warning: cannot enter the work directory; using /tmp\n";
    WriteAll(2, kMsg, sizeof kMsg - 1);
  }
  if (!plan.bind_line.empty()) WriteAll(2, plan.bind_line.data(), plan.bind_line.size());

  // As execvp: EACCES from one candidate is remembered, ENOENT tries the next.
  int err = ENOENT;
  for (const char* path : paths) {
    ::execve(path, argv, envp);
    if (errno == ENOEXEC) {
      // No "#!" line: the POSIX shell runs it, as a shell would.
      sh_argv[1] = path;
      ::execve("/bin/sh", const_cast<char* const*>(sh_argv), envp);
    }
    if (errno != ENOENT && errno != ENOTDIR) err = errno;
    if (errno != ENOENT && errno != ENOTDIR && errno != EACCES) break;
  }
  Fail(err_fd, kExec, err);
}

std::string Describe(const TaskPlan& plan, const Report& r) {
  std::string what;
  switch (r.stage) {
    case kAffinity:
      what = "cannot bind to its cpus";
      break;
    case kGroups:
    case kSetgid:
    case kSetuid:
    case kPrivileges:
      what = "cannot run as uid " + std::to_string(plan.uid);
      break;
    case kStdin:
      what = "cannot open stdin " + (plan.in.path.empty() ? "/dev/null" : plan.in.path);
      break;
    case kStdout:
      what = "cannot open output file " + plan.out.path;
      break;
    case kStderr:
      what = "cannot open error file " + plan.err.path;
      break;
    case kExec:
      what = "cannot execute " + (plan.argv.empty() ? std::string("?") : plan.argv[0]);
      break;
    default:
      what = "failed";
  }
  return what + ": " + std::strerror(r.err);
}

}  // namespace

std::vector<std::string> ExecCandidates(const std::string& program, const std::string& path) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  for (const std::string& dir : Split(path, ':', /*keep_empty=*/true)) {
    if (dir.empty()) {
      out.push_back(program);  // relative to the work directory
    } else {
      out.push_back(dir.back() == '/' ? dir + program : dir + "/" + program);
    }
  }
  return out;
}

Result<TaskStart> StartTask(const TaskPlan& plan, const JobCgroup& cgroup) {
  // Every allocation happens here, before fork.
  std::vector<std::string> args = plan.argv;
  std::vector<std::string> exec_paths = plan.exec_paths;
  if (!plan.task_prolog.empty()) {
    args = TaskPrologArgv(plan.task_prolog_wrapper, {plan.task_prolog, plan.exec_paths, plan.argv});
    exec_paths = {plan.task_prolog_wrapper};
  }
  std::vector<std::string> env = plan.env;
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  std::vector<const char*> paths;
  for (const std::string& p : exec_paths) paths.push_back(p.c_str());
  std::vector<const char*> sh_argv = {"/bin/sh", nullptr};
  for (size_t i = 1; i < args.size(); ++i) sh_argv.push_back(args[i].c_str());
  sh_argv.push_back(nullptr);

  auto child = SpawnInCgroup(cgroup, [&](int go_fd, int report_fd) {
    RunChild(plan, argv.data(), envp.data(), sh_argv.data(), paths, go_fd, report_fd);
  });
  if (!child.ok()) return child.error();
  TaskStart start;
  start.pid = child->pid;
  start.in_cgroup = child->in_cgroup;
  if (cgroup.valid() && !child->in_cgroup) {
    HERD_LOG(Warning) << "task " << plan.rank
                      << " runs outside the step's cgroup: " << child->cgroup_error;
  }
  const int report_fd = child->report_fd;
  Report report;
  size_t got = 0;
  while (got < sizeof report) {
    ssize_t n = ::read(report_fd, reinterpret_cast<char*>(&report) + got, sizeof report - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: exec succeeded (or the child died before reporting)
    got += static_cast<size_t>(n);
  }
  ::close(report_fd);
  if (got == sizeof report) start.failure = Describe(plan, report);
  return start;
}

}  // namespace herd::noded
