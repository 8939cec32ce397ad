// herd — a real fork test of the process-tree killer: a shell that leaves a background
// child, a child in its own session and an orphan behind is killed completely by a
// subreaper, which also reaps everything.
#include "nodedaemon/stepd/proctree.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nodedaemon/proc.h"

namespace herd::noded {
namespace {

constexpr int kMaxPids = 16;

// Runs in a forked child (the subreaper). Exit code 0 = the tree was killed and reaped.
[[noreturn]] void SubreaperMain(int report_fd) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) _exit(10);
  pid_t sh = fork();
  if (sh == 0) {
    execl("/bin/sh", "sh", "-c", "sleep 100 & setsid sleep 100 & (sleep 100 &); wait",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for sh and its three sleeps.
  std::vector<pid_t> tree;
  for (int i = 0; i < 500; ++i) {
    tree = ListDescendants(getpid());
    if (tree.size() >= 4) break;
    usleep(10000);
  }
  if (tree.size() < 4) _exit(11);
  pid_t pids[kMaxPids] = {0};
  for (size_t i = 0; i < tree.size() && i < kMaxPids; ++i) pids[i] = tree[i];
  if (write(report_fd, pids, sizeof pids) != static_cast<ssize_t>(sizeof pids)) _exit(12);

  bool sh_reaped = false;
  JobProcesses job{getpid(), JobCgroup()};
  if (!KillJob(
          job, [&](pid_t pid, int) { sh_reaped |= pid == sh; }, 5000))
    _exit(13);
  if (!sh_reaped) _exit(14);
  if (!ListDescendants(getpid(), /*include_zombies=*/true).empty()) _exit(15);
  if (waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD) _exit(16);
  _exit(0);
}

TEST(ProcTreeTest, KillsTheWholeTreeAndReapsIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    SubreaperMain(fds[1]);
  }
  close(fds[1]);
  pid_t pids[kMaxPids] = {0};
  ssize_t n = read(fds[0], pids, sizeof pids);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof pids));
  int count = 0;
  for (pid_t p : pids) {
    if (p == 0) continue;
    ++count;
    errno = 0;
    EXPECT_EQ(kill(p, 0), -1) << "process " << p << " survived";
    EXPECT_EQ(errno, ESRCH);
  }
  EXPECT_GE(count, 4);
}

TEST(ProcTreeTest, SignalJobReachesDescendantsOnly) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", "exec sleep 100", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && ListDescendants(getpid()).empty(); ++i) usleep(10000);
  JobProcesses job{getpid(), JobCgroup()};
  EXPECT_GE(SignalJob(job, SIGTERM), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

// scancel -b: the batch shell gets the signal (and may trap it), what it started does not.
TEST(ProcTreeTest, SignalChildrenSparesGrandchildren) {
  char dir[] = "/tmp/herd-proctree.XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string pidfile = std::string(dir) + "/sleep.pid";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string script = "trap 'exit 7' USR1; sleep 100 & echo $! >" + pidfile + ".tmp; mv " +
                               pidfile + ".tmp " + pidfile + "; wait";
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_t sleeper = 0;
  for (int i = 0; i < 500 && sleeper == 0; ++i) {
    if (FILE* f = fopen(pidfile.c_str(), "r")) {
      if (fscanf(f, "%d", &sleeper) != 1) sleeper = 0;
      fclose(f);
    }
    if (sleeper == 0) usleep(10000);
  }
  ASSERT_GT(sleeper, 0);
  EXPECT_EQ(SignalChildren(getpid(), SIGUSR1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << status;
  EXPECT_EQ(kill(sleeper, 0), 0) << "the shell's child was signalled too";
  kill(sleeper, SIGKILL);
  unlink(pidfile.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace herd::noded
