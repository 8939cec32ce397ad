// herd — the node's spool directory (doc/processes.md): one directory per step of a job
// run on this node: job<ID>.<RUNSEQ>/ for the batch step (launch.bin, script), and
// job<ID>.<RUNSEQ>.<STEP>/ for the steps hrun launches (launch_step.bin); both hold pid,
// status and kill_wait. This file owns the names, the small files' formats and the scan a
// (re)starting herdd does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::noded {

inline constexpr char kLaunchFile[] = "launch.bin";           // LaunchBatchRequest body
inline constexpr char kLaunchStepFile[] = "launch_step.bin";  // LaunchStepRequest body
inline constexpr char kPidFile[] = "pid";
inline constexpr char kScriptFile[] = "script";
inline constexpr char kStatusFile[] = "status";
inline constexpr char kKillWaitFile[] = "kill_wait";
// What the step used (proto::StepUsage), written before `status` when it was measured.
inline constexpr char kUsageFile[] = "usage";
// The reason the node asks to be drained with (its Prolog or Epilog failed), one line,
// written before `status`.
inline constexpr char kDrainFile[] = "drain";
// Written by herdd when it stops a step because its lease ran out (node_daemon.h).
inline constexpr char kLeaseStoppedFile[] = "lease_stopped";

// The files of a step directory are replaced atomically (rename) but not fsynced: they must
// outlive a crash of herdd or herdstepd, which the page cache does, not of the node's
// kernel, which ends every step on the node anyway (the controller then counts the node as
// failed). Four fsyncs per job were most of a node's disk work.
inline constexpr bool kSpoolDurable = false;

// Set by herdd for the herdstepd it starts: herdd's pid. A batch step daemon whose parent is
// still that herdd leaves the completion to it (herdd reaps it, reads the status file and
// reports on its own link to the controller); one that outlived its herdd reports itself.
inline constexpr char kNodeDaemonPidEnv[] = "HERD_NODE_DAEMON_PID";

// SpoolDir with %n replaced by the node name.
std::string NodeSpoolDir(const std::string& pattern, const std::string& node);
// "job12.0" for the batch step (proto::kBatchStep), "job12.0.3" for step 3.
std::string StepDirName(uint64_t job_id, uint32_t run_seq, uint32_t step_id = proto::kBatchStep);
// The inverse; `step_id` (optional) gets kBatchStep for a batch step directory.
bool ParseStepDirName(const std::string& name, uint64_t* job_id, uint32_t* run_seq,
                      uint32_t* step_id = nullptr);

// A short tag of one herdd instance: 8 hex digits of a hash of its spool directory's path
// (trailing slashes ignored). Names outside the spool that a step uses (its cgroup, its
// /dev/shm directory) carry it, so that two clusters on one host never share them.
std::string SpoolTag(const std::string& spool_dir);
// "<node>.<tag of the spool holding step_dir>": how names outside the spool tell the
// herdd instance that owns a step (step_dir: <spool>/<step dir name>).
std::string NodeInstance(const std::string& node, const std::string& step_dir);

// The private directory of an hrun step's daemon (its MPI tmpdir): on tmpfs
// (/dev/shm/herd.<node>.<tag>.<step dir name>) when the host has /dev/shm, else
// <step_dir>/tmp.
std::string StepTmpDir(const std::string& node, const std::string& step_dir);

struct PidFile {
  pid_t pid = 0;
  uint64_t starttime = 0;
};

// "<pid> <starttime>" of `pid` (read from /proc), written atomically.
Status WritePidFile(const std::string& step_dir, pid_t pid);
Result<PidFile> ReadPidFile(const std::string& step_dir);
struct StepStatus {
  int32_t wait_status = 0;
  std::string message;  // why the step ended as it did, or ""
};
// "<wait status>\n<message>\n" (the message on one line).
Status WriteStatusFile(const std::string& step_dir, int32_t wait_status,
                       const std::string& message = "");
Result<StepStatus> ReadStatusFile(const std::string& step_dir);
// "<cpu user us> <cpu system us> <peak memory bytes> <oom kills>".
Status WriteUsageFile(const std::string& step_dir, const proto::StepUsage& usage);
// Not measured when the file is absent or unreadable.
proto::StepUsage ReadUsageFile(const std::string& step_dir);
Status WriteKillWait(const std::string& step_dir, uint32_t seconds);
// The file's value, or `fallback` when absent or unreadable.
uint32_t ReadKillWait(const std::string& step_dir, uint32_t fallback);

struct SpoolStep {
  std::string dir;  // full path
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  uint32_t step_id = proto::kBatchStep;
  bool has_launch = false;  // launch.bin or launch_step.bin (which one: step_id)
  bool has_pid = false;
  PidFile pid;
  bool live = false;  // the pid file names a running herdstepd (same start time)
  bool has_status = false;
  int32_t wait_status = 0;
  std::string status_message;
  proto::StepUsage usage;      // from kUsageFile, with the status
  std::string drain_reason;    // from kDrainFile
  bool lease_stopped = false;  // kLeaseStoppedFile is there
  int64_t mtime = 0;           // of the directory
  int64_t status_mtime = 0;
};

// Every step directory under `spool_dir`, sorted by job, run and step (the batch step
// last). Other entries are ignored.
Result<std::vector<SpoolStep>> ScanSpool(const std::string& spool_dir);
// One step directory (kNotFound if it does not exist).
Result<SpoolStep> InspectStep(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                              uint32_t step_id = proto::kBatchStep);
// Every step directory of one run of a job (empty when none, or the spool is unreadable).
std::vector<SpoolStep> JobRunSteps(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq);

}  // namespace herd::noded
