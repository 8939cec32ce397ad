// herd — the batch script's process.
#include "nodedaemon/stepd/job_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "nodedaemon/step_launcher.h"

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
  ::umask(022);

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
  if (::initgroups(plan.user.c_str(), plan.gid) != 0) {
    ChildFail(err_fd, "initgroups(" + plan.user + ")", errno);
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
  int out = ::open(plan.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) ChildFail(err_fd, "cannot open output file " + plan.stdout_path, errno);
  if (::dup2(out, 1) < 0) ChildFail(err_fd, "dup2", errno);
  if (plan.stderr_path == plan.stdout_path) {
    if (::dup2(out, 2) < 0) ChildFail(err_fd, "dup2", errno);
  } else {
    int err = ::open(plan.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err < 0) ChildFail(err_fd, "cannot open error file " + plan.stderr_path, errno);
    if (::dup2(err, 2) < 0) ChildFail(err_fd, "dup2", errno);
    if (err > 2) ::close(err);
  }
  if (out > 2) ::close(out);
  if (in > 2) ::close(in);

  std::vector<std::string> args = {plan.script_path};
  args.insert(args.end(), plan.args.begin(), plan.args.end());
  std::vector<std::string> env = plan.env;
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
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

Status WriteScript(const std::string& path, const std::string& text, uid_t uid, gid_t gid) {
  HERD_RETURN_IF_ERROR(WriteFileAtomic(path, text, /*durable=*/false));
  if (::chown(path.c_str(), uid, gid) != 0 || ::chmod(path.c_str(), 0700) != 0) {
    return Internal("cannot hand " + path + " to uid " + std::to_string(uid) + ": " +
                    std::strerror(errno));
  }
  return Status::Ok();
}

Result<JobStart> StartJobProcess(const JobLaunchPlan& plan, const JobCgroup& cgroup) {
  int go[2];
  int err[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(go[0]);
    ::close(go[1]);
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  bool placed = false;
  pid_t pid = cgroup.ForkInto(&placed);
  if (pid < 0) {
    int e = errno;
    for (int fd : {go[0], go[1], err[0], err[1]}) ::close(fd);
    return ResourceExhausted(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    ::close(go[1]);
    ::close(err[0]);
    RunChild(plan, go[0], err[1]);
  }
  ::close(go[0]);
  ::close(err[1]);

  JobStart start;
  start.pid = pid;
  if (placed) {
    start.in_cgroup = true;
  } else if (cgroup.valid()) {
    Status st = cgroup.AddProcess(pid);
    if (st.ok()) {
      start.in_cgroup = true;
    } else {
      HERD_LOG(Warning) << "cgroup tracking unavailable (" << st.message()
                        << "); using the process tree instead";
    }
  }
  char byte = 1;
  ssize_t w = ::write(go[1], &byte, 1);
  (void)w;  // a child that died already reports through its exit status
  ::close(go[1]);

  char buf[1024];
  while (true) {
    ssize_t n = ::read(err[0], buf, sizeof buf);
    if (n > 0) {
      start.failure.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF: exec succeeded or the child exited
  }
  ::close(err[0]);
  return start;
}

}  // namespace herd::noded
