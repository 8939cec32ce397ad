// herd — job cgroup (v2 tracking tree).
#include "nodedaemon/stepd/cgroup.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "nodedaemon/spool.h"

namespace herd::noded {
namespace {

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC

bool IsCgroup2(const std::string& path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return false;
  return static_cast<long>(fs.f_type) == kCgroup2Magic;
}

Status WriteControl(const std::string& file, const std::string& value) {
  FILE* f = std::fopen(file.c_str(), "we");
  if (f == nullptr) return Internal("cannot open " + file + ": " + std::strerror(errno));
  bool ok = std::fputs(value.c_str(), f) >= 0;
  // Errors of cgroup writes show up at flush time.
  if (std::fclose(f) != 0) ok = false;
  if (!ok) return Internal("cannot write '" + value + "' to " + file + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

std::string FindCgroup2Root() {
  if (IsCgroup2("/sys/fs/cgroup/unified")) return "/sys/fs/cgroup/unified";
  if (IsCgroup2("/sys/fs/cgroup")) return "/sys/fs/cgroup";
  return "";
}

std::string StepCgroupRelPath(const std::string& node, const std::string& step_dir) {
  uint64_t job = 0;
  uint32_t run = 0;
  uint32_t step = 0;
  if (!ParseStepDirName(step_dir.substr(step_dir.find_last_of('/') + 1), &job, &run, &step)) {
    return "";
  }
  return "herd/" + NodeInstance(node, step_dir) + "/" + StepDirName(job, run) + "/step_" +
         (step == proto::kBatchStep ? std::string("batch") : std::to_string(step));
}

std::string JobCgroupPath(const std::string& node, const std::string& step_dir) {
  static const std::string root = FindCgroup2Root();
  const std::string rel = StepCgroupRelPath(node, step_dir);
  if (root.empty() || rel.empty()) return "";
  return root + "/" + rel;
}

Result<JobCgroup> JobCgroup::Create(const std::string& path) {
  if (path.empty()) return Unavailable("no cgroup2 hierarchy is mounted");
  HERD_RETURN_IF_ERROR(MakeDirs(path, 0755));
  if (!PathExists(path + "/cgroup.procs")) {
    return Unavailable(path + " is not a cgroup directory");
  }
  return JobCgroup(path);
}

bool JobCgroup::Exists() const { return valid() && PathExists(path_ + "/cgroup.procs"); }

namespace {

// Threads of this process (field 20 of /proc/self/stat).
long ThreadCount() {
  auto stat = ReadFile("/proc/self/stat");
  if (!stat.ok()) return -1;
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> f = Split(stat->substr(close + 2), ' ');
  return f.size() > 17 ? std::atol(f[17].c_str()) : -1;
}

}  // namespace

pid_t JobCgroup::ForkInto(bool* placed) const {
  *placed = false;
  // The raw clone3 system call skips glibc's fork bookkeeping (its internal locks are not
  // reset in the child), so it is used only while this process has a single thread.
  if (valid() && ThreadCount() == 1) {
    int dir = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      struct clone_args args;
      std::memset(&args, 0, sizeof args);
      args.flags = CLONE_INTO_CGROUP;
      args.exit_signal = SIGCHLD;
      args.cgroup = static_cast<uint64_t>(dir);
      long pid = ::syscall(SYS_clone3, &args, sizeof args);
      int e = errno;
      if (pid != 0) ::close(dir);  // the child closes it with exec (O_CLOEXEC)
      if (pid >= 0) {
        *placed = true;
        return static_cast<pid_t>(pid);
      }
      if (e != ENOSYS && e != EINVAL && e != E2BIG && e != EOPNOTSUPP && e != EPERM && e != EBUSY &&
          e != EACCES) {
        errno = e;
        return -1;
      }
    }
  }
  return ::fork();
}

Status JobCgroup::AddProcess(pid_t pid) const {
  return WriteControl(path_ + "/cgroup.procs", std::to_string(pid));
}

std::vector<pid_t> JobCgroup::Procs() const {
  std::vector<pid_t> out;
  if (!valid()) return out;
  auto text = ReadFile(path_ + "/cgroup.procs");
  if (!text.ok()) return out;
  for (const std::string& line : Split(*text, '\n')) {
    auto pid = ParseUint(Trim(line), INT32_MAX);
    if (pid.ok() && *pid > 0) out.push_back(static_cast<pid_t>(*pid));
  }
  return out;
}

int JobCgroup::Signal(int sig) const {
  int n = 0;
  for (pid_t pid : Procs()) {
    if (::kill(pid, sig) == 0) ++n;
  }
  return n;
}

Status JobCgroup::KillAll() const {
  if (!Exists()) return Status::Ok();
  if (PathExists(path_ + "/cgroup.kill")) {
    Status st = WriteControl(path_ + "/cgroup.kill", "1");
    if (st.ok()) return st;
  }
  Signal(SIGKILL);
  return Status::Ok();
}

Status RemoveStepGroup(const std::string& path) {
  if (path.empty()) return Status::Ok();
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = ::rmdir(path.c_str()) == 0 || errno == ENOENT;
    if (!gone && errno != EBUSY) break;
    if (!gone) usleep(20000);
  }
  if (!gone) return Internal("cannot remove cgroup " + path + ": " + std::strerror(errno));
  // The job's group goes with its last step; while another step has its group in it, the
  // kernel refuses (EBUSY) and that step removes it later.
  const std::string job = path.substr(0, path.find_last_of('/'));
  if (job.find("/job") != std::string::npos) (void)::rmdir(job.c_str());
  return Status::Ok();
}

Status JobCgroup::Remove() const { return RemoveStepGroup(path_); }

Result<SpawnedChild> SpawnInCgroup(const JobCgroup& cgroup,
                                   const std::function<void(int go_fd, int report_fd)>& child) {
  int go[2];
  int err[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(go[0]);
    ::close(go[1]);
    return Internal(std::string("pipe: ") + std::strerror(errno));
  }
  SpawnedChild out;
  out.pid = cgroup.ForkInto(&out.in_cgroup);
  if (out.pid < 0) {
    int e = errno;
    for (int fd : {go[0], go[1], err[0], err[1]}) ::close(fd);
    return ResourceExhausted(std::string("fork: ") + std::strerror(e));
  }
  if (out.pid == 0) {
    ::close(go[1]);
    ::close(err[0]);
    child(go[0], err[1]);
    ::_exit(127);  // `child` must not return
  }
  ::close(go[0]);
  ::close(err[1]);
  if (!out.in_cgroup && cgroup.valid()) {
    Status st = cgroup.AddProcess(out.pid);
    out.in_cgroup = st.ok();
    if (!st.ok()) out.cgroup_error = st.message();
  }
  for (const std::string& dir : cgroup.confine()) {
    Status st = WriteControl(dir + "/cgroup.procs", std::to_string(out.pid));
    if (st.ok()) continue;
    // Not confined: it must not run. Closing the go pipe unwritten makes it exit.
    ::kill(out.pid, SIGKILL);
    for (int fd : {go[1], err[0]}) ::close(fd);
    return Internal("cannot confine the job to its cgroup: " + st.message());
  }
  char byte = 1;
  ssize_t w = ::write(go[1], &byte, 1);
  (void)w;  // a child that died already reports through its exit status
  ::close(go[1]);
  out.report_fd = err[0];
  return out;
}

}  // namespace herd::noded
