// herd — herdd's HealthCheckProgram.
#include "nodedaemon/health_check.h"

#include <signal.h>
#include <unistd.h>

#include "common/base/log.h"
#include "nodedaemon/hooks.h"

namespace herd::noded {

HealthCheck::HealthCheck(const ClusterConfig& config, std::string node, std::string conf_path,
                         std::string output_file)
    : program_(config.hooks.health_check_program),
      interval_(config.hooks.health_check_interval_s),
      idle_only_(config.hooks.health_check_idle_only),
      busy_only_(config.hooks.health_check_busy_only),
      node_(std::move(node)),
      cluster_(config.cluster_name),
      conf_path_(std::move(conf_path)),
      output_file_(std::move(output_file)) {}

void HealthCheck::Start(Clock::time_point now, bool busy) {
  next_ = now + interval_;
  if ((idle_only_ && busy) || (busy_only_ && !busy)) return;
  std::vector<std::string> env = {
      "SLURMD_NODENAME=" + node_,      "HERD_NODENAME=" + node_,   "SLURM_CLUSTER_NAME=" + cluster_,
      "HERD_CLUSTER_NAME=" + cluster_, "SLURM_CONF=" + conf_path_, "HERD_CONF=" + conf_path_,
  };
  auto pid = StartHook(program_, env, output_file_);
  if (!pid.ok()) {
    HERD_LOG(Error) << "HealthCheckProgram " << program_ << ": " << pid.error().message();
    return;
  }
  pid_ = *pid;
  timed_out_ = false;
  started_ = now;
}

void HealthCheck::Enforce(Clock::time_point now) {
  if (pid_ == 0 || timed_out_ || now - started_ < kTimeout) return;
  timed_out_ = true;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

bool HealthCheck::OnReaped(pid_t pid, int status, std::string* failure) {
  if (pid_ == 0 || pid != pid_) return false;
  pid_ = 0;
  HookRun run;
  run.wait_status = status;
  run.timed_out = timed_out_;
  run.first_line = HookFirstLine(output_file_);
  (void)::unlink(output_file_.c_str());
  failure->clear();
  if (status == 0 && !timed_out_) return true;
  // Its own words are the reason, as an admin would write it; else how it ended.
  *failure = !run.first_line.empty() && !timed_out_
                 ? run.first_line
                 : HookFailure("HealthCheckProgram", run, static_cast<uint32_t>(kTimeout.count()));
  return true;
}

}  // namespace herd::noded
