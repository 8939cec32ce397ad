// herd — starting herdstepd.
#include "nodedaemon/step_launcher.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/user_entry.h"

namespace herd::noded {

std::string DefaultStepdPath(const char* name) {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return name;
  buf[n] = '\0';
  return DirName(buf) + "/" + name;
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

  std::vector<std::string> args = {launch.stepd_path, "--conf", launch.conf_path, "--node",
                                   launch.node,       "--dir",  launch.step_dir};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // herdd's environment, with the step's user and herdd's pid (none inherited).
  std::string user_var = std::string(kStepUserEnv) + "=" + launch.user;
  std::string herdd_var = std::string(kNodeDaemonPidEnv) + "=" + std::to_string(::getpid());
  auto ours = [](const char* e, const char* name) {
    size_t n = std::strlen(name);
    return std::strncmp(e, name, n) == 0 && e[n] == '=';
  };
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!ours(*e, kStepUserEnv) && !ours(*e, kNodeDaemonPidEnv)) envp.push_back(*e);
  }
  if (!launch.user.empty()) envp.push_back(user_var.data());
  envp.push_back(herdd_var.data());
  envp.push_back(nullptr);

  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&actions);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // Its own session: a signal to herdd's group does not reach it.
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  pid_t pid = 0;
  int err = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return Internal("cannot exec " + launch.stepd_path + ": " + std::strerror(err));
  return pid;
}

}  // namespace herd::noded
