// herd — starting herdstepd.
#include "nodedaemon/step_launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "nodedaemon/spool.h"

namespace herd::noded {

std::string DefaultStepdPath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "herdstepd";
  buf[n] = '\0';
  return DirName(buf) + "/herdstepd";
}

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

Result<pid_t> StartStepDaemon(const StepLaunch& launch) {
  HERD_RETURN_IF_ERROR(MakeDirs(launch.step_dir, 0755));
  if (::chmod(launch.step_dir.c_str(), 0755) != 0) {
    return Internal("cannot chmod " + launch.step_dir + ": " + std::strerror(errno));
  }
  HERD_RETURN_IF_ERROR(WriteFileAtomic(launch.step_dir + "/" + launch.launch_file,
                                       launch.launch_body, kSpoolDurable));
  if (::access(launch.stepd_path.c_str(), X_OK) != 0) {
    return FailedPrecondition("cannot execute " + launch.stepd_path + ": " + std::strerror(errno));
  }

  // Everything the child needs is prepared before fork.
  std::vector<std::string> args = {launch.stepd_path, "--conf", launch.conf_path, "--node",
                                   launch.node,       "--dir",  launch.step_dir};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipefd[2];  // reports a failed exec; closed by a successful one
  if (::pipe2(pipefd, O_CLOEXEC) != 0) {
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    return ResourceExhausted(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(pipefd[0]);
    ResetChildProcessState();
    ::setsid();  // its own session: a signal to herdd's group does not reach it
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      if (devnull > 0) ::close(devnull);
    }
    if (::chdir("/") != 0) {
      // Not fatal: herdstepd uses absolute paths only.
    }
    ::execv(argv[0], argv.data());
    int err = errno;
    ssize_t ignored = ::write(pipefd[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::close(pipefd[1]);
  int err = 0;
  ssize_t n;
  do {
    n = ::read(pipefd[0], &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  ::close(pipefd[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    ::waitpid(pid, nullptr, 0);
    return Internal("cannot exec " + launch.stepd_path + ": " + std::strerror(err));
  }
  return pid;
}

}  // namespace herd::noded
