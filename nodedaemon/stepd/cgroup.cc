// herd — job cgroup (v2 tracking tree).
#include "nodedaemon/stepd/cgroup.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
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

std::string JobCgroupPath(const std::string& node, const std::string& step_dir) {
  static const std::string root = FindCgroup2Root();
  if (root.empty()) return "";
  return root + "/herd/" + NodeInstance(node, step_dir) + "/" +
         step_dir.substr(step_dir.find_last_of('/') + 1);
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

Status JobCgroup::Remove() const {
  if (!valid() || !PathExists(path_)) return Status::Ok();
  for (int i = 0; i < 50; ++i) {
    if (::rmdir(path_.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    if (errno != EBUSY) break;
    usleep(20000);
  }
  return Internal("cannot remove cgroup " + path_ + ": " + std::strerror(errno));
}

}  // namespace herd::noded
