// herd — cgroup limits: the logic against a fake v2 tree (a plain directory), and the real
// thing in the host's cgroup v1 memory and cpuset hierarchies (as root, when mounted): a
// process over its memory limit is killed and counted, a process that widens its affinity
// stays in its cpuset, and nothing is left after Remove().
#include "nodedaemon/stepd/cgroup_limits.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {
namespace {

std::string Read(const std::string& path) {
  auto t = ReadFile(path);
  return t.ok() ? Trim(*t) : "<missing " + path + ">";
}

TEST(CgroupLimits, ParsesV1MountsIncludingComounted) {
  auto m = ParseV1Mounts(
      "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n"
      "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,cpu,cpuacct 0 0\n"
      "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
      "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,name=systemd 0 0\n"
      "tmpfs /sys/fs/cgroup tmpfs rw,memory 0 0\n");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m["memory"], "/sys/fs/cgroup/memory");
  EXPECT_EQ(m["cpu"], "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(m["cpuacct"], "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(m.count("cpuset"), 0u);
}

TEST(CgroupLimits, LimitsFromTheAllocation) {
  CgroupConfig c;
  EXPECT_EQ(LimitsFor(c, {0, 1}, {1}, 100, 0, 4000).job_mem, 0u);  // nothing constrained
  c.constrain_cores = c.constrain_ram = true;
  CgroupLimits l = LimitsFor(c, {0, 1}, {}, 64, 0, 4000);
  EXPECT_EQ(l.job_cpus, (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(l.step_cpus, l.job_cpus);  // a batch step has the job's
  EXPECT_EQ(l.job_mem, 64u << 20);
  EXPECT_EQ(l.step_mem, 64u << 20);
  EXPECT_EQ(l.job_memsw, 0u);
  // No memory asked: the node's RealMemory; a step asks at most the job's.
  l = LimitsFor(c, {0}, {0}, 0, 8000, 4000);
  EXPECT_EQ(l.job_mem, 4000ull << 20);
  EXPECT_EQ(l.step_mem, 4000ull << 20);
  c.allowed_ram_percent = 50;
  c.constrain_swap = true;
  c.allowed_swap_percent = 25;
  l = LimitsFor(c, {0}, {0}, 100, 20, 4000);
  EXPECT_EQ(l.job_mem, 50ull << 20);
  EXPECT_EQ(l.step_mem, 10ull << 20);
  EXPECT_EQ(l.job_memsw, 75ull << 20);
  EXPECT_EQ(l.step_memsw, 15ull << 20);
}

// On a host whose memory controller is bound to cgroup v1 (this project's machine), asking
// for cgroup/v2 is refused with what the v2 tree lacks; nothing is silently unconfined.
TEST(CgroupLimits, V2WithoutItsControllersIsRefused) {
  const std::string root = FindCgroup2Root();
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount";
  if (Read(root + "/cgroup.controllers").find("memory") != std::string::npos) {
    GTEST_SKIP() << "this host's cgroup2 tree has the memory controller";
  }
  CgroupConfig c;
  c.plugin = "cgroup/v2";
  c.constrain_ram = true;
  auto host = DetectCgroupHost(c, /*mount_missing=*/true);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.error().message().find("needs the 'memory' controller"), std::string::npos)
      << host.error().message();
  EXPECT_EQ(DetectCgroupHost(CgroupConfig(), true)->version, 0) << "nothing asked, nothing used";
}

class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-cgroup-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(root_); }
  std::string root_;
};

// What is written where in a v2 tree: controllers enabled on the way down, the job's and
// the step's limits on their groups; the kernel's counters read back.
TEST_F(FakeTree, V2WritesLimitsAndReadsCounters) {
  CgroupHost host;
  host.version = 2;
  host.v2_root = root_;
  const std::string rel = "herd/n1.0000abcd/job7.0/step_batch";
  StepLimits limits(host, rel);
  CgroupLimits want;
  want.job_cpus = {2, 3};
  want.step_cpus = {3};
  want.job_mem = 64u << 20;
  want.step_mem = 32u << 20;
  want.job_memsw = want.step_memsw = 0;
  ASSERT_TRUE(limits.Apply(want).ok());
  EXPECT_EQ(Read(root_ + "/cgroup.subtree_control"), "+cpuset +memory");
  EXPECT_EQ(Read(root_ + "/herd/n1.0000abcd/job7.0/cgroup.subtree_control"), "+cpuset +memory");
  EXPECT_EQ(Read(root_ + "/herd/n1.0000abcd/job7.0/memory.max"), std::to_string(64 << 20));
  EXPECT_EQ(Read(root_ + "/herd/n1.0000abcd/job7.0/cpuset.cpus"), "2,3");
  EXPECT_EQ(Read(root_ + "/" + rel + "/memory.max"), std::to_string(32 << 20));
  EXPECT_EQ(Read(root_ + "/" + rel + "/cpuset.cpus"), "3");
  EXPECT_FALSE(PathExists(root_ + "/" + rel + "/memory.swap.max"));
  EXPECT_TRUE(limits.ConfineDirs().empty());  // v2: the tracking group is this one

  ASSERT_TRUE(WriteFileAtomic(root_ + "/" + rel + "/memory.events",
                              "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n", false)
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(root_ + "/" + rel + "/memory.peak", "67100000\n", false).ok());
  proto::StepUsage u = limits.Usage();
  EXPECT_EQ(u.oom_kills, 2u);
  EXPECT_EQ(u.mem_peak_bytes, 67100000u);
}

// A memory hog and an affinity widener in real v1 groups.
class RealV1 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create cgroups";
    CgroupConfig c;
    c.plugin = "cgroup/v1";
    c.constrain_cores = c.constrain_ram = true;
    auto host = DetectCgroupHost(c, /*mount_missing=*/false);
    if (!host.ok()) GTEST_SKIP() << host.error().message();
    host_ = *host;
    rel_ = "herd/unit." + std::to_string(getpid()) + "/job1.0/step_batch";
  }
  // Runs `body` in a child confined to the groups; returns its wait status.
  int RunConfined(const StepLimits& limits, int (*body)()) {
    JobCgroup none;
    none.Confine(limits.ConfineDirs());
    auto child = SpawnInCgroup(none, [body](int go_fd, int report_fd) {
      char b;
      if (read(go_fd, &b, 1) != 1) _exit(99);
      close(report_fd);
      _exit(body());
    });
    EXPECT_TRUE(child.ok());
    if (!child.ok()) return -1;
    close(child->report_fd);
    int status = 0;
    waitpid(child->pid, &status, 0);
    return status;
  }
  CgroupHost host_;
  std::string rel_;
};

int Hog() {
  const size_t n = 256u << 20;
  volatile char* p = static_cast<volatile char*>(malloc(n));
  if (p == nullptr) return 3;
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;  // touch every page
  return p[n - 4096] == 1 ? 0 : 4;
}

int Widen() {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (int i = 0; i < CPU_SETSIZE; ++i) CPU_SET(i, &all);
  (void)sched_setaffinity(0, sizeof all, &all);  // the kernel keeps it within the cpuset
  cpu_set_t got;
  if (sched_getaffinity(0, sizeof got, &got) != 0) return 5;
  return CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got) ? 0 : 6;
}

TEST_F(RealV1, OomKillIsCountedAndAffinityStaysInTheCpuset) {
  StepLimits limits(host_, rel_);
  CgroupLimits want;
  want.job_cpus = want.step_cpus = {0};
  want.job_mem = want.step_mem = 64u << 20;
  ASSERT_TRUE(limits.Apply(want).ok());
  const std::string mem = host_.v1.at("memory") + "/" + rel_;
  EXPECT_EQ(Read(mem + "/memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(Read(host_.v1.at("cpuset") + "/" + rel_ + "/cpuset.cpus"), "0");

  int status = RunConfined(limits, Hog);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;
  proto::StepUsage u = limits.Usage();
  EXPECT_EQ(u.oom_kills, 1u);
  EXPECT_GE(u.mem_peak_bytes, 60u << 20);
  EXPECT_LE(u.mem_peak_bytes, 64u << 20);

  status = RunConfined(limits, Widen);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;

  ASSERT_TRUE(limits.Remove().ok());
  for (const auto& [c, mount] : host_.v1) {
    if (c != "memory" && c != "cpuset") continue;
    EXPECT_FALSE(PathExists(mount + "/" + rel_));
    EXPECT_FALSE(PathExists(DirName(mount + "/" + rel_)));  // the job's group went with it
    (void)::rmdir(DirName(DirName(mount + "/" + rel_)).c_str());
  }
}

}  // namespace
}  // namespace herd::noded
