// herd — herdd's side of the controller link: registration (at start and whenever a
// heartbeat is answered kNotFound), heartbeats, and completions of steps whose step daemon
// is gone. Every call uses a short timeout so that a lost controller never stalls the loop.
#include <signal.h>

#include <algorithm>
#include <ctime>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/proto/codec.h"
#include "nodedaemon/node_daemon.h"
#include "nodedaemon/stepd/proctree.h"

namespace herd::noded {
namespace {

constexpr auto kRegisterRetry = std::chrono::seconds(1);
constexpr auto kScanInterval = std::chrono::seconds(2);
// A step directory without a pid file younger than this may still be starting (herdd
// restarted between creating it and herdstepd writing its pid).
constexpr int64_t kStartGraceSeconds = 10;

// Log the first failure of a series and then every 30th.
bool LogThisFailure(int count) { return count == 1 || count % 30 == 0; }

}  // namespace

Result<proto::Frame> NodeDaemon::CallController(const proto::Frame& f) {
  auto timeout =
      std::chrono::milliseconds(std::min<int64_t>(1000, int64_t{config_.message_timeout_s} * 1000));
  // The Caller finds the active controller within the timeout (a dead one costs a few
  // hundred ms), and learns epochs from every reply, NotActive ones included. The request
  // carries the highest epoch this node has seen: a controller below it knows that its
  // answers are refused (fenced) and says so (doc/ha.md).
  proto::Frame g = f;
  g.epoch = std::max(max_epoch_, caller_->max_epoch());
  auto reply = caller_->CallFrame(std::move(g), timeout);
  max_epoch_ = std::max(max_epoch_, caller_->max_epoch());
  return reply;
}

void NodeDaemon::OnTimers() {
  auto now = Clock::now();
  if (!registered_ && now >= next_register_) {
    next_register_ = now + kRegisterRetry;
    TryRegister();
  }
  if (registered_ && now >= next_heartbeat_) {
    next_heartbeat_ =
        now + std::chrono::seconds(std::max<uint32_t>(1, config_.heartbeat_interval_s));
    SendHeartbeat();
  }
  if (Clock::now() >= next_scan_) {
    next_scan_ = Clock::now() + kScanInterval;
    ReconcileSpool(/*send_completions=*/registered_);
  }
  EnforceLease();
  RunHealthCheck();
  RunEpilogs();
  SendEpilogReports();
}

void NodeDaemon::RunEpilogs() {
  epilogs_->Enforce(Clock::now());
  if (!epilogs_due_) return;
  epilogs_due_ = false;
  epilogs_->Poll([this](uint64_t job_id, uint32_t run_seq) {
    std::vector<SpoolStep> steps = JobRunSteps(spool_dir_, job_id, run_seq);
    const bool busy =
        std::any_of(steps.begin(), steps.end(), [](const SpoolStep& s) { return !s.has_status; });
    epilogs_due_ = epilogs_due_ || busy;  // look again when one of them ends
    return busy;
  });
}

void NodeDaemon::RunHealthCheck() {
  const auto now = Clock::now();
  health_->Enforce(now);
  if (health_->Due(now)) {
    bool busy = !children_.empty();
    if (!busy) {
      auto scan = ScanSpool(spool_dir_);
      busy = scan.ok() &&
             std::any_of(scan->begin(), scan->end(), [](const SpoolStep& s) { return s.live; });
    }
    health_->Start(now, busy);
  }
  if (!pending_drain_.empty() && registered_) SendDrain();
}

void NodeDaemon::SendDrain() {
  proto::UpdateNodeRequest req;
  req.names = {node_.name};
  req.state = "DRAIN";
  req.reason = pending_drain_;
  auto frame = CallController(proto::MakeFrame(req, 0));
  if (!frame.ok()) return;  // tried again on the next timer
  Status st = net::StatusFromFrame(*frame);
  HERD_LOG(Info) << "asked to be drained (" << pending_drain_ << "): " << st.ToString();
  pending_drain_.clear();
}

void NodeDaemon::RenewLease() {
  lease_->Renew(NodeLease::NowMs());
  lease_stopped_.clear();
}

void NodeDaemon::EnforceLease() {
  const int64_t now = NodeLease::NowMs();
  if (!lease_->Expired(now)) return;
  auto scan = ScanSpool(spool_dir_);
  if (!scan.ok()) return;
  for (const SpoolStep& s : *scan) {
    if (s.has_status || (!s.live && !Starting(s.dir)) || lease_stopped_.count(s.dir) != 0) {
      continue;
    }
    HERD_LOG(Warning) << "no answer from an active controller for "
                      << (now - lease_->contact_ms()) / 1000 << " s (NodeLease "
                      << lease_->lease_ms() / 1000 << " s): stopping "
                      << StepDirName(s.job_id, s.run_seq, s.step_id)
                      << "; the controller requeues or ends it";
    Status st = WriteFileAtomic(s.dir + "/" + kLeaseStoppedFile, "\n", kSpoolDurable);
    if (!st.ok()) HERD_LOG(Warning) << st.message();
    st = TerminateStep(s, config_.kill_wait_s);
    if (!st.ok()) HERD_LOG(Warning) << st.message();
    lease_stopped_.insert(s.dir);
  }
}

bool NodeDaemon::SendLeaseCompletions() {
  auto scan = ScanSpool(spool_dir_);
  if (!scan.ok()) return true;
  for (const SpoolStep& s : *scan) {
    if (!s.has_status || s.live || Starting(s.dir) || !s.lease_stopped) continue;
    if (!SendCompletion(s)) return false;
  }
  return true;
}

std::vector<proto::StepRef> NodeDaemon::CollectSteps() {
  ReconcileSpool(/*send_completions=*/false);
  std::vector<proto::StepRef> steps;
  auto scan = ScanSpool(spool_dir_);
  if (!scan.ok()) return steps;
  for (const SpoolStep& s : *scan) {
    proto::StepRef ref;
    ref.job_id = s.job_id;
    ref.step_id = s.step_id;
    ref.run_seq = s.run_seq;
    if (s.has_status) {
      // Finished; a live step daemon is still delivering the completion itself.
      ref.finished = true;
      ref.wait_status = s.wait_status;
    }
    steps.push_back(ref);
  }
  return steps;
}

void NodeDaemon::TryRegister() {
  if (!SendLeaseCompletions()) {
    if (LogThisFailure(++register_failures_)) {
      HERD_LOG(Warning) << "registration failed (" << register_failures_
                        << " tries): the controller does not answer";
    }
    return;
  }
  proto::RegisterNodeRequest req;
  req.name = node_.name;
  req.hw = hw_;
  req.steps = CollectSteps();
  req.boot_time = boot_time_;
  req.version = kHerdVersion;
  auto frame = CallController(proto::MakeFrame(req, 0));
  if (!frame.ok()) {
    if (LogThisFailure(++register_failures_)) {
      HERD_LOG(Warning) << "registration failed (" << register_failures_
                        << " tries): " << frame.error().message();
    }
    return;
  }
  auto reply = net::DecodeReply<proto::RegisterNodeReply>(*frame);
  if (!reply.ok()) {
    if (LogThisFailure(++register_failures_)) {
      HERD_LOG(Error) << "the controller refused the registration: " << reply.error().ToString();
    }
    return;
  }
  registered_ = true;
  RenewLease();
  register_failures_ = 0;
  heartbeat_failures_ = 0;
  HERD_LOG(Info) << "registered with " << req.steps.size() << " steps; controller asks to kill "
                 << reply->kill.size() << ", acknowledged " << reply->acked.size();
  for (const proto::StepRef& k : reply->kill) {
    auto s = InspectStep(spool_dir_, k.job_id, k.run_seq, k.step_id);
    if (!s.ok()) continue;
    HERD_LOG(Info) << "terminating " << StepDirName(k.job_id, k.run_seq, k.step_id)
                   << ": unknown to the controller";
    Status st = TerminateStep(*s, config_.kill_wait_s);
    if (!st.ok()) {
      HERD_LOG(Warning) << st.message();
    }
  }
  for (const proto::StepRef& a : reply->acked) {
    auto s = InspectStep(spool_dir_, a.job_id, a.run_seq, a.step_id);
    if (s.ok() && !s->live && !Starting(s->dir)) ForgetStep(*s);
  }
  auto now = Clock::now();
  next_heartbeat_ = now + std::chrono::seconds(std::max<uint32_t>(1, config_.heartbeat_interval_s));
  next_scan_ = now;  // deliver completions the controller has not recorded
}

void NodeDaemon::SendHeartbeat() {
  proto::HeartbeatRequest req;
  req.name = node_.name;
  req.seq = ++heartbeat_seq_;
  req.boot_time = boot_time_;
  auto frame = CallController(proto::MakeFrame(req, 0));
  if (!frame.ok()) {
    if (LogThisFailure(++heartbeat_failures_)) {
      HERD_LOG(Warning) << "heartbeat " << req.seq << " failed (" << heartbeat_failures_
                        << " in a row): " << frame.error().message();
    }
    return;
  }
  if (heartbeat_failures_ > 0) {
    HERD_LOG(Info) << "controller reachable again";
  }
  heartbeat_failures_ = 0;
  Status st = net::StatusFromFrame(*frame);
  if (st.ok()) RenewLease();
  if (st.code() == Code::kNotFound) {
    HERD_LOG(Info) << "the controller does not know this node; registering again";
    registered_ = false;
    next_register_ = Clock::now();
  } else if (!st.ok()) {
    HERD_LOG(Warning) << "heartbeat refused: " << st.ToString();
  }
}

void NodeDaemon::ReconcileSpool(bool send_completions) {
  auto scan = ScanSpool(spool_dir_);
  if (!scan.ok()) {
    HERD_LOG(Error) << scan.error().message();
    return;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (SpoolStep& s : *scan) {
    if (s.live || Starting(s.dir)) continue;
    if (!s.has_status) {
      if (!s.has_pid && now - s.mtime < kStartGraceSeconds) continue;
      // The step daemon died before it could finish the step: kill what is left of the
      // job and record it as killed, so the completion is reported like any other.
      HERD_LOG(Warning) << "step daemon of " << StepDirName(s.job_id, s.run_seq, s.step_id)
                        << " is gone without a status; killing what is left of the step";
      JobProcesses job{0, JobCgroup(JobCgroupPath(node_.name, s.dir))};
      KillJob(job, nullptr, /*max_wait_ms=*/2000);
      Status st = WriteStatusFile(s.dir, SIGKILL);
      if (!st.ok()) {
        HERD_LOG(Error) << st.message();
        continue;
      }
      s.has_status = true;
      s.wait_status = SIGKILL;
      s.status_mtime = now;
    }
    if (send_completions && !SendCompletion(s)) return;  // controller unreachable
  }
}

bool NodeDaemon::SendCompletion(const SpoolStep& s) {
  proto::StepCompleteRequest req;
  req.node = node_.name;
  req.step.job_id = s.job_id;
  req.step.step_id = s.step_id;
  req.step.run_seq = s.run_seq;
  req.step.finished = true;
  req.step.wait_status = s.wait_status;
  req.end_time = s.status_mtime != 0 ? s.status_mtime : static_cast<int64_t>(std::time(nullptr));
  req.message = s.status_message;
  req.usage = s.usage;
  req.drain_reason = s.drain_reason;
  if (!s.has_pid) req.message = "the step daemon did not start";
  if (s.lease_stopped) req.message = proto::kNodeLeaseExpired;
  auto frame = CallController(proto::MakeFrame(req, 0));
  if (!frame.ok()) return false;
  if (frame->type != proto::MsgType::kStatusReply &&
      frame->type != proto::MsgType::kUnsupportedReply) {
    HERD_LOG(Warning) << "unexpected reply " << proto::MsgTypeName(frame->type)
                      << " to a step completion";
    return true;
  }
  Status st = net::StatusFromFrame(*frame);
  HERD_LOG(Info) << "reported completion of " << StepDirName(s.job_id, s.run_seq, s.step_id)
                 << " (wait status " << s.wait_status << "): " << st.ToString();
  ForgetStep(s);
  return true;
}

void NodeDaemon::ForgetStep(const SpoolStep& s) {
  JobCgroup cg(JobCgroupPath(node_.name, s.dir));
  Status st = cg.Remove();
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  // Left behind only by a step daemon that died.
  st = StepLimits(cgroup_host_, StepCgroupRelPath(node_.name, s.dir)).Remove();
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
  if (s.step_id != proto::kBatchStep) {
    st = RemoveTree(StepTmpDir(node_.name, s.dir));  // left behind by a dead step daemon
    if (!st.ok()) {
      HERD_LOG(Warning) << st.message();
    }
  }
  st = RemoveTree(s.dir);
  if (!st.ok()) {
    HERD_LOG(Warning) << st.message();
  }
}

}  // namespace herd::noded
