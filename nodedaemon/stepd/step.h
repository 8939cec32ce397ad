// herd — herdstepd, the supervisor of one batch step. It runs the script as the job's
// user, stays the (subreaper) parent of every process of the job, forwards a terminate
// (SIGTERM, KillWait, SIGKILL), and when the script ends kills whatever is left, records
// the wait status in the step directory and reports the completion to the controller
// until it is acknowledged.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/messages.h"
#include "nodedaemon/hw/cpu_map.h"
#include "nodedaemon/stepd/cgroup_limits.h"
#include "nodedaemon/stepd/job_process.h"
#include "nodedaemon/stepd/proctree.h"

namespace herd::noded {

class StepDaemon {
 public:
  // The caller has blocked SIGCHLD, SIGTERM, SIGINT and SIGHUP and made this process a
  // child subreaper.
  // `cpu_map` gives the host's PUs for binding: CpuMap::FromHost (hwloc when herdd did not
  // hand them down) or CpuMap::FromHerdd (herdstepd-batch, which links no hwloc).
  using CpuMapSource = Result<CpuMap> (*)();
  StepDaemon(ClusterConfig config, std::string conf_path, std::string node, std::string step_dir,
             CpuMapSource cpu_map);

  // The whole life of the step; returns the process exit code.
  int Run();

 private:
  // Reads launch.bin and starts the script; on failure the reason is returned and the
  // step ends as "exited 1" with that message.
  Status Start();
  // Waits for the script to end, handling terminate requests.
  void Supervise();
  void OnReaped(pid_t pid, int status);
  void BeginTerminate();
  void ReportCompletion();
  // What the step used, read from its cgroup; an out-of-memory kill ends it OUT_OF_MEMORY.
  void EndUsage();
  // Prolog (before the script; a failure means the script never runs) and Epilog (once
  // the job's processes are gone), as root; a failure drains the node (drain_reason_).
  Status RunProlog(const std::string& group);
  void RunEpilog();
  void RunTaskEpilog();

  ClusterConfig config_;
  std::string conf_path_;
  CpuMapSource cpu_map_;
  std::string node_;
  std::string dir_;
  uint64_t job_id_ = 0;
  uint32_t run_seq_ = 0;
  proto::LaunchBatchRequest launch_;
  bool have_launch_ = false;

  JobProcesses job_;
  StepLimits limits_;
  JobLaunchPlan plan_;  // who the job runs as and where its output goes
  proto::StepUsage usage_;
  std::string group_;         // name of the job's gid, for Prolog and Epilog
  std::string drain_reason_;  // a Prolog or Epilog failed
  pid_t job_pid_ = 0;
  bool job_done_ = false;
  int wait_status_ = 0;
  std::string message_;
  bool terminating_ = false;
  int64_t end_time_ = 0;
};

}  // namespace herd::noded
