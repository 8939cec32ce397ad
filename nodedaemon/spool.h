// herd — the node's spool directory (doc/processes.md): one directory per batch step,
// job<ID>.<RUNSEQ>/ holding launch.bin, pid, script, status and kill_wait. This file owns
// the names, the small files' formats and the scan a (re)starting herdd does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::noded {

inline constexpr char kLaunchFile[] = "launch.bin";
inline constexpr char kPidFile[] = "pid";
inline constexpr char kScriptFile[] = "script";
inline constexpr char kStatusFile[] = "status";
inline constexpr char kKillWaitFile[] = "kill_wait";

// SpoolDir with %n replaced by the node name.
std::string NodeSpoolDir(const std::string& pattern, const std::string& node);
std::string StepDirName(uint64_t job_id, uint32_t run_seq);  // "job12.0"
bool ParseStepDirName(const std::string& name, uint64_t* job_id, uint32_t* run_seq);

struct PidFile {
  pid_t pid = 0;
  uint64_t starttime = 0;
};

// "<pid> <starttime>" of `pid` (read from /proc), written atomically.
Status WritePidFile(const std::string& step_dir, pid_t pid);
Result<PidFile> ReadPidFile(const std::string& step_dir);
Status WriteStatusFile(const std::string& step_dir, int32_t wait_status);
Result<int32_t> ReadStatusFile(const std::string& step_dir);
Status WriteKillWait(const std::string& step_dir, uint32_t seconds);
// The file's value, or `fallback` when absent or unreadable.
uint32_t ReadKillWait(const std::string& step_dir, uint32_t fallback);

struct SpoolStep {
  std::string dir;  // full path
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  bool has_launch = false;
  bool has_pid = false;
  PidFile pid;
  bool live = false;  // the pid file names a running herdstepd (same start time)
  bool has_status = false;
  int32_t wait_status = 0;
  int64_t mtime = 0;  // of the directory
  int64_t status_mtime = 0;
};

// Every step directory under `spool_dir`, sorted by job and run. Other entries are ignored.
Result<std::vector<SpoolStep>> ScanSpool(const std::string& spool_dir);
// One step directory (kNotFound if it does not exist).
Result<SpoolStep> InspectStep(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq);

}  // namespace herd::noded
