// herd — spool directory layout and scan.
#include "nodedaemon/spool.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "nodedaemon/proc.h"

namespace herd::noded {
namespace {

int64_t MtimeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtime);
}

}  // namespace

std::string NodeSpoolDir(const std::string& pattern, const std::string& node) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size() && pattern[i + 1] == 'n') {
      out += node;
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string StepDirName(uint64_t job_id, uint32_t run_seq, uint32_t step_id) {
  std::string name = "job" + std::to_string(job_id) + "." + std::to_string(run_seq);
  if (step_id != proto::kBatchStep) name += "." + std::to_string(step_id);
  return name;
}

bool ParseStepDirName(const std::string& name, uint64_t* job_id, uint32_t* run_seq,
                      uint32_t* step_id) {
  if (!StartsWith(name, "job")) return false;
  std::vector<std::string> parts = Split(name.substr(3), '.', /*keep_empty=*/true);
  if (parts.size() != 2 && parts.size() != 3) return false;
  auto job = ParseUint(parts[0]);
  auto run = ParseUint(parts[1], UINT32_MAX);
  if (!job.ok() || !run.ok() || *job == 0) return false;
  uint32_t step = proto::kBatchStep;
  if (parts.size() == 3) {
    // The batch step has the two-part name only.
    auto s = ParseUint(parts[2], proto::kBatchStep - 1);
    if (!s.ok()) return false;
    step = static_cast<uint32_t>(*s);
  }
  *job_id = *job;
  *run_seq = static_cast<uint32_t>(*run);
  if (step_id != nullptr) *step_id = step;
  return true;
}

std::string SpoolTag(const std::string& spool_dir) {
  std::string path = spool_dir;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  uint32_t hash = 2166136261u;  // 32-bit FNV-1a: stable across builds and hosts
  for (unsigned char c : path) {
    hash ^= c;
    hash *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", hash);
  return buf;
}

std::string NodeInstance(const std::string& node, const std::string& step_dir) {
  return node + "." + SpoolTag(DirName(step_dir));
}

std::string StepTmpDir(const std::string& node, const std::string& step_dir) {
  if (!PathExists("/dev/shm")) return step_dir + "/tmp";
  return "/dev/shm/herd." + NodeInstance(node, step_dir) + "." +
         step_dir.substr(step_dir.find_last_of('/') + 1);
}

Status WritePidFile(const std::string& step_dir, pid_t pid) {
  HERD_ASSIGN_OR_RETURN(ProcStat st, ReadProcStat(pid));
  return WriteFileAtomic(step_dir + "/" + kPidFile,
                         std::to_string(pid) + " " + std::to_string(st.starttime) + "\n",
                         kSpoolDurable);
}

Result<PidFile> ReadPidFile(const std::string& step_dir) {
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(step_dir + "/" + kPidFile));
  std::vector<std::string> f = Split(Trim(text), ' ');
  if (f.size() != 2) return DataLoss("malformed pid file in " + step_dir);
  auto pid = ParseUint(f[0], INT32_MAX);
  auto start = ParseUint(f[1]);
  if (!pid.ok() || !start.ok() || *pid == 0) return DataLoss("malformed pid file in " + step_dir);
  return PidFile{static_cast<pid_t>(*pid), *start};
}

Status WriteStatusFile(const std::string& step_dir, int32_t wait_status,
                       const std::string& message) {
  std::string one_line = message;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  return WriteFileAtomic(step_dir + "/" + kStatusFile,
                         std::to_string(wait_status) + "\n" + one_line + "\n", kSpoolDurable);
}

Result<StepStatus> ReadStatusFile(const std::string& step_dir) {
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(step_dir + "/" + kStatusFile));
  const size_t eol = text.find('\n');
  auto v = ParseInt(Trim(text.substr(0, eol)));
  if (!v.ok() || *v < INT32_MIN || *v > INT32_MAX) {
    return DataLoss("malformed status file in " + step_dir);
  }
  StepStatus st;
  st.wait_status = static_cast<int32_t>(*v);
  if (eol != std::string::npos) st.message = Trim(text.substr(eol + 1));
  return st;
}

Status WriteUsageFile(const std::string& step_dir, const proto::StepUsage& usage) {
  if (!usage.measured) return Status::Ok();
  return WriteFileAtomic(
      step_dir + "/" + kUsageFile,
      std::to_string(usage.cpu_user_us) + " " + std::to_string(usage.cpu_system_us) + " " +
          std::to_string(usage.mem_peak_bytes) + " " + std::to_string(usage.oom_kills) + "\n",
      kSpoolDurable);
}

proto::StepUsage ReadUsageFile(const std::string& step_dir) {
  proto::StepUsage u;
  auto text = ReadFile(step_dir + "/" + kUsageFile);
  if (!text.ok()) return u;
  std::vector<std::string> f = Split(Trim(*text), ' ');
  if (f.size() != 4) return u;
  std::vector<uint64_t> v;
  for (const std::string& one : f) {
    auto n = ParseUint(one);
    if (!n.ok()) return u;
    v.push_back(*n);
  }
  u.measured = true;
  u.cpu_user_us = v[0];
  u.cpu_system_us = v[1];
  u.mem_peak_bytes = v[2];
  u.oom_kills = static_cast<uint32_t>(std::min<uint64_t>(v[3], UINT32_MAX));
  return u;
}

Status WriteKillWait(const std::string& step_dir, uint32_t seconds) {
  return WriteFileAtomic(step_dir + "/" + kKillWaitFile, std::to_string(seconds) + "\n",
                         kSpoolDurable);
}

uint32_t ReadKillWait(const std::string& step_dir, uint32_t fallback) {
  auto text = ReadFile(step_dir + "/" + kKillWaitFile);
  if (!text.ok()) return fallback;
  auto v = ParseUint(Trim(*text), UINT32_MAX);
  return v.ok() ? static_cast<uint32_t>(*v) : fallback;
}

Result<SpoolStep> InspectStep(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                              uint32_t step_id) {
  SpoolStep s;
  s.dir = spool_dir + "/" + StepDirName(job_id, run_seq, step_id);
  s.job_id = job_id;
  s.run_seq = run_seq;
  s.step_id = step_id;
  struct stat st;
  if (::stat(s.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NotFound("no step directory " + s.dir);
  }
  s.mtime = static_cast<int64_t>(st.st_mtime);
  s.has_launch =
      PathExists(s.dir + "/" + (step_id == proto::kBatchStep ? kLaunchFile : kLaunchStepFile));
  auto pid = ReadPidFile(s.dir);
  if (pid.ok()) {
    s.has_pid = true;
    s.pid = *pid;
    s.live = ProcessAlive(pid->pid, pid->starttime);
  }
  auto status = ReadStatusFile(s.dir);
  if (status.ok()) {
    s.has_status = true;
    s.wait_status = status->wait_status;
    s.status_message = status->message;
    s.usage = ReadUsageFile(s.dir);
    if (auto drain = ReadFile(s.dir + "/" + kDrainFile); drain.ok()) s.drain_reason = Trim(*drain);
    s.status_mtime = MtimeOf(s.dir + "/" + kStatusFile);
    s.lease_stopped = PathExists(s.dir + "/" + kLeaseStoppedFile);
  }
  return s;
}

Result<std::vector<SpoolStep>> ScanSpool(const std::string& spool_dir) {
  DIR* d = opendir(spool_dir.c_str());
  if (d == nullptr) return NotFound("cannot read spool directory " + spool_dir);
  std::vector<std::tuple<uint64_t, uint32_t, uint32_t>> ids;
  while (struct dirent* e = readdir(d)) {
    uint64_t job = 0;
    uint32_t run = 0;
    uint32_t step = 0;
    if (ParseStepDirName(e->d_name, &job, &run, &step)) ids.emplace_back(job, run, step);
  }
  closedir(d);
  std::sort(ids.begin(), ids.end());
  std::vector<SpoolStep> out;
  for (const auto& [job, run, step] : ids) {
    auto s = InspectStep(spool_dir, job, run, step);
    if (s.ok()) out.push_back(std::move(*s));  // vanished meanwhile: skip
  }
  return out;
}

std::vector<SpoolStep> JobRunSteps(const std::string& spool_dir, uint64_t job_id,
                                   uint32_t run_seq) {
  std::vector<SpoolStep> out;
  auto scan = ScanSpool(spool_dir);
  if (!scan.ok()) return out;
  for (SpoolStep& s : *scan) {
    if (s.job_id == job_id && s.run_seq == run_seq) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace herd::noded
