// herd — job and step limits in cgroup v1 (memory, cpuset) and cgroup v2.
#include "nodedaemon/stepd/cgroup_limits.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {
namespace {

constexpr char kV1Base[] = "/sys/fs/cgroup";

Status Write(const std::string& file, const std::string& value) {
  FILE* f = std::fopen(file.c_str(), "we");
  if (f == nullptr) return Internal("cannot open " + file + ": " + std::strerror(errno));
  bool ok = std::fputs(value.c_str(), f) >= 0;
  if (std::fclose(f) != 0) ok = false;  // cgroup writes fail at flush time
  if (!ok) return Internal("cannot write '" + value + "' to " + file + ": " + std::strerror(errno));
  return Status::Ok();
}

std::string ReadTrimmed(const std::string& file) {
  auto text = ReadFile(file);
  return text.ok() ? Trim(*text) : "";
}

// "name N" lines (memory.oom_control, memory.events): N of `name`, 0 when absent.
uint64_t Field(const std::string& text, const std::string& name) {
  for (const std::string& line : Split(text, '\n')) {
    std::vector<std::string> f = Split(Trim(line), ' ');
    if (f.size() == 2 && f[0] == name) {
      auto n = ParseUint(f[1]);
      if (n.ok()) return *n;
    }
  }
  return 0;
}

uint64_t Number(const std::string& file) {
  auto n = ParseUint(ReadTrimmed(file));
  return n.ok() ? *n : 0;
}

std::string CpuList(const std::vector<unsigned>& cpus) {
  std::string out;
  for (unsigned c : cpus) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out;
}

Status MakeGroup(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
  return Internal("cannot create cgroup " + dir + ": " + std::strerror(errno));
}

// The levels of `rel` below `root`: root/herd, root/herd/<inst>, the job's, the step's.
std::vector<std::string> Levels(const std::string& root, const std::string& rel) {
  std::vector<std::string> out;
  std::string path = root;
  for (const std::string& part : Split(rel, '/')) {
    path += "/" + part;
    out.push_back(path);
  }
  return out;
}

bool IsCgroup2(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == 0x63677270;
}

Status MountV1(const std::string& controller, std::map<std::string, std::string>* mounts) {
  const std::string at = std::string(kV1Base) + "/" + controller;
  if (IsCgroup2(kV1Base)) {
    return Unavailable("the host has a pure cgroup v2 tree at " + std::string(kV1Base) +
                       " (use CgroupPlugin=cgroup/v2 or autodetect)");
  }
  if (::mkdir(at.c_str(), 0755) != 0 && errno != EEXIST) {
    return Unavailable("cannot create " + at + ": " + std::strerror(errno));
  }
  if (::mount("cgroup", at.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              controller.c_str()) != 0) {
    return Unavailable("cannot mount it at " + at + ": " + std::strerror(errno));
  }
  HERD_LOG(Info) << "mounted the cgroup v1 " << controller << " controller at " << at;
  (*mounts)[controller] = at;
  return Status::Ok();
}

std::vector<std::string> Needed(const CgroupConfig& c) {
  std::vector<std::string> out;
  if (c.constrain_cores) out.push_back("cpuset");
  if (c.constrain_ram || c.constrain_swap) out.push_back("memory");
  return out;
}

std::string KeyOf(const std::string& controller) {
  return controller == "cpuset" ? "ConstrainCores=yes" : "ConstrainRAMSpace/ConstrainSwapSpace=yes";
}

}  // namespace

std::map<std::string, std::string> ParseV1Mounts(const std::string& mounts) {
  std::map<std::string, std::string> out;
  for (const std::string& line : Split(mounts, '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    if (f.size() < 4 || f[2] != "cgroup") continue;
    for (const std::string& opt : Split(f[3], ',')) {
      if (opt == "cpuset" || opt == "memory" || opt == "cpu" || opt == "cpuacct" ||
          opt == "devices" || opt == "freezer" || opt == "pids") {
        out.emplace(opt, f[1]);
      }
    }
  }
  return out;
}

Result<CgroupHost> DetectCgroupHost(const CgroupConfig& config, bool mount_missing) {
  CgroupHost host;
  const std::vector<std::string> needed = Needed(config);
  if (needed.empty()) return host;
  if (config.plugin == "cgroup/v1") {
    host.version = 1;
  } else if (config.plugin == "cgroup/v2") {
    host.version = 2;
  } else {
    host.version = IsCgroup2(kV1Base) ? 2 : 1;  // autodetect, as Slurm's
  }
  if (host.version == 2) {
    host.v2_root = FindCgroup2Root();
    if (host.v2_root.empty()) return Unavailable("CgroupPlugin=cgroup/v2: no cgroup2 mount");
    const std::string have = ReadTrimmed(host.v2_root + "/cgroup.controllers");
    std::vector<std::string> offered = Split(have, ' ');
    for (const std::string& c : needed) {
      if (std::find(offered.begin(), offered.end(), c) == offered.end()) {
        return Unavailable(KeyOf(c) + " needs the '" + c + "' controller, which the cgroup2 " +
                           "hierarchy at " + host.v2_root +
                           " does not offer (it has: " + (have.empty() ? "none" : have) +
                           "); where it is bound to cgroup v1, use CgroupPlugin=cgroup/v1");
      }
    }
    return host;
  }
  auto mounts = ReadFile("/proc/self/mounts");
  if (!mounts.ok()) return mounts.error();
  host.v1 = ParseV1Mounts(*mounts);
  for (const std::string& c : needed) {
    if (host.v1.count(c) != 0) continue;
    Status st = mount_missing ? MountV1(c, &host.v1) : NotFound("it is not mounted");
    if (!st.ok()) {
      return Unavailable(KeyOf(c) + " needs the cgroup v1 '" + c + "' controller: " + st.message());
    }
  }
  host.v1_controllers = needed;
  return host;
}

CgroupLimits LimitsFor(const CgroupConfig& config, const std::vector<unsigned>& job_cpus,
                       const std::vector<unsigned>& step_cpus, uint64_t job_mem_mb,
                       uint64_t step_mem_mb, uint64_t node_mem_mb) {
  CgroupLimits out;
  if (config.constrain_cores) {
    out.job_cpus = job_cpus;
    out.step_cpus = step_cpus.empty() ? job_cpus : step_cpus;
  }
  auto bytes = [](uint64_t mb, double percent) {
    return static_cast<uint64_t>(std::ceil(static_cast<double>(mb) * percent / 100.0)) << 20;
  };
  const uint64_t job_mb = job_mem_mb != 0 ? job_mem_mb : node_mem_mb;
  const uint64_t step_mb = step_mem_mb != 0 ? std::min(step_mem_mb, job_mb) : job_mb;
  if (config.constrain_ram || config.constrain_swap) {
    out.job_mem = bytes(job_mb, config.allowed_ram_percent);
    out.step_mem = bytes(step_mb, config.allowed_ram_percent);
  }
  if (config.constrain_swap) {
    const double both = config.allowed_ram_percent + config.allowed_swap_percent;
    out.job_memsw = bytes(job_mb, both);
    out.step_memsw = bytes(step_mb, both);
  }
  return out;
}

StepLimits::StepLimits(CgroupHost host, std::string rel)
    : host_(std::move(host)), rel_(std::move(rel)) {}

std::string StepLimits::Dir(const std::string& controller) const {
  auto it = host_.v1.find(controller);
  return it == host_.v1.end() ? "" : it->second + "/" + rel_;
}

Status StepLimits::Apply(const CgroupLimits& limits) {
  if (!active()) return Status::Ok();
  // Another step of the job may remove the job's group (its last step ending) between our
  // creating it and the step's group in it: start over then.
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    st = host_.version == 1 ? ApplyV1(limits) : ApplyV2(limits);
    if (st.ok()) return st;
  }
  return st;
}

Status StepLimits::ApplyV1(const CgroupLimits& limits) {
  for (const std::string& c : host_.v1_controllers) {
    const std::string mount = host_.v1.at(c);
    const std::vector<std::string> levels = Levels(mount, rel_);
    std::string parent = mount;
    for (size_t i = 0; i < levels.size(); ++i) {
      const std::string& dir = levels[i];
      HERD_RETURN_IF_ERROR(MakeGroup(dir));
      const bool job = i + 2 == levels.size();
      const bool step = i + 1 == levels.size();
      if (c == "cpuset") {
        // A v1 cpuset starts empty: the levels above the job take their parent's.
        const std::vector<unsigned>& cpus = step ? limits.step_cpus : limits.job_cpus;
        std::string want = (job || step) ? CpuList(cpus) : ReadTrimmed(parent + "/cpuset.cpus");
        if (want.empty()) want = ReadTrimmed(parent + "/cpuset.cpus");
        if (ReadTrimmed(dir + "/cpuset.cpus") != want) {
          HERD_RETURN_IF_ERROR(Write(dir + "/cpuset.cpus", want));
        }
        if (ReadTrimmed(dir + "/cpuset.mems").empty()) {
          HERD_RETURN_IF_ERROR(Write(dir + "/cpuset.mems", ReadTrimmed(parent + "/cpuset.mems")));
        }
      } else if (c == "memory" && (job || step)) {
        const uint64_t mem = step ? limits.step_mem : limits.job_mem;
        const uint64_t memsw = step ? limits.step_memsw : limits.job_memsw;
        if (mem != 0)
          HERD_RETURN_IF_ERROR(Write(dir + "/memory.limit_in_bytes", std::to_string(mem)));
        if (memsw != 0) {
          if (PathExists(dir + "/memory.memsw.limit_in_bytes")) {
            HERD_RETURN_IF_ERROR(
                Write(dir + "/memory.memsw.limit_in_bytes", std::to_string(memsw)));
          } else {
            HERD_LOG(Warning) << "ConstrainSwapSpace: the kernel does not account swap "
                              << "(no memory.memsw files; boot with swapaccount=1)";
          }
        }
      }
      parent = dir;
    }
  }
  return Status::Ok();
}

Status StepLimits::ApplyV2(const CgroupLimits& limits) {
  std::string enable;
  if (!limits.job_cpus.empty()) enable += "+cpuset ";
  if (limits.job_mem != 0) enable += "+memory ";
  const std::vector<std::string> levels = Levels(host_.v2_root, rel_);
  if (!enable.empty()) {
    enable.pop_back();
    HERD_RETURN_IF_ERROR(Write(host_.v2_root + "/cgroup.subtree_control", enable));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string& dir = levels[i];
    HERD_RETURN_IF_ERROR(MakeGroup(dir));
    const bool step = i + 1 == levels.size();
    if (!step && !enable.empty()) {
      HERD_RETURN_IF_ERROR(Write(dir + "/cgroup.subtree_control", enable));
    }
    if (i + 2 < levels.size()) continue;  // above the job: no limits
    const std::vector<unsigned>& cpus = step ? limits.step_cpus : limits.job_cpus;
    const uint64_t mem = step ? limits.step_mem : limits.job_mem;
    const uint64_t memsw = step ? limits.step_memsw : limits.job_memsw;
    if (!cpus.empty()) HERD_RETURN_IF_ERROR(Write(dir + "/cpuset.cpus", CpuList(cpus)));
    if (mem != 0) HERD_RETURN_IF_ERROR(Write(dir + "/memory.max", std::to_string(mem)));
    if (memsw != 0) {
      HERD_RETURN_IF_ERROR(Write(dir + "/memory.swap.max", std::to_string(memsw - mem)));
    }
  }
  return Status::Ok();
}

std::vector<std::string> StepLimits::ConfineDirs() const {
  std::vector<std::string> out;
  if (!active() || host_.version != 1) return out;
  for (const std::string& c : host_.v1_controllers) out.push_back(Dir(c));
  return out;
}

proto::StepUsage StepLimits::Usage() const {
  proto::StepUsage u;
  if (!active()) return u;
  if (host_.version == 1) {
    const auto& used = host_.v1_controllers;
    if (std::find(used.begin(), used.end(), "memory") == used.end()) return u;
    const std::string mem = Dir("memory");
    auto oom = ReadFile(mem + "/memory.oom_control");
    if (oom.ok()) u.oom_kills = static_cast<uint32_t>(Field(*oom, "oom_kill"));
    u.mem_peak_bytes = Number(mem + "/memory.max_usage_in_bytes");
  } else {
    const std::string dir = host_.v2_root + "/" + rel_;
    auto events = ReadFile(dir + "/memory.events");
    if (events.ok()) u.oom_kills = static_cast<uint32_t>(Field(*events, "oom_kill"));
    u.mem_peak_bytes = Number(dir + "/memory.peak");
  }
  return u;
}

Status StepLimits::Remove() const {
  if (!active()) return Status::Ok();
  if (host_.version == 2) return RemoveStepGroup(host_.v2_root + "/" + rel_);
  Status out;
  for (const std::string& dir : ConfineDirs()) {
    Status st = RemoveStepGroup(dir);
    if (!st.ok()) out = st;
  }
  return out;
}

}  // namespace herd::noded
