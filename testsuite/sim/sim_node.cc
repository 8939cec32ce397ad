// herd sim — the simulated node daemon.
#include "testsuite/sim/sim_node.h"

#include <csignal>
#include <sstream>

namespace herd::sim {
namespace {

constexpr int64_t kCallTimeoutMs = 1000;        // herdd: min(1 s, MessageTimeout)
constexpr int64_t kRegisterRetryMs = 1000;      // herdd: kRegisterRetry
constexpr int64_t kCompletionTimeoutMs = 2000;  // herdstepd: DeliverCompletion
constexpr int64_t kMaxBackoffMs = 2000;

std::string RunName(uint64_t job, uint32_t run_seq) {
  return std::to_string(job) + "." + std::to_string(run_seq);
}

}  // namespace

bool ParseSimScript(const std::string& script, int64_t* run_ms, int32_t* exit_code) {
  *run_ms = 0;
  *exit_code = 0;
  if (script.empty()) return false;
  std::istringstream in(script);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string cmd;
    double value = 0;
    if (!(words >> cmd >> value)) continue;
    if (cmd == "sleep") *run_ms += static_cast<int64_t>(value * 1000);
    if (cmd == "exit") *exit_code = static_cast<int32_t>(value);
  }
  return true;
}

SimNode::SimNode(size_t index, const NodeConfig& conf, const ClusterConfig& cluster, NodeHost& host)
    : index_(index), conf_(conf), cluster_(cluster), host_(host) {}

void SimNode::Log(const std::string& what) { host_.Trace(conf_.name + ": " + what); }

void SimNode::PowerOn() {
  powered_ = true;
  boots_++;
  boot_time_ = std::max(host_.NowSeconds(), boot_time_ + 1);
  registered_ = false;
  next_register_ms_ = host_.NowMs();
  max_epoch_ = 0;
  contact_ms_ = host_.NowMs();  // nothing runs on a node that just booted
  Log("boots (boot " + std::to_string(boots_) + ")");
}

void SimNode::PowerOff() {
  for (auto& [key, r] : runs_) {
    if (r.finished) continue;
    RunEvent e{key.first, key.second,    index_,  r.cpus, r.batch_host,
               true,      host_.NowMs(), SIGKILL, false,  boots_};
    host_.RunEnded(e);
  }
  runs_.clear();
  outstanding_.clear();
  powered_ = false;
  registered_ = false;
  Log("powered off");
}

size_t SimNode::live_runs() const {
  size_t n = 0;
  for (const auto& [key, r] : runs_) n += r.finished ? 0 : 1;
  return n;
}

template <class T>
uint64_t SimNode::Send(const T& msg, Call call, RunKey run, int64_t timeout_ms) {
  proto::Frame f = proto::MakeFrame(msg, next_rid_++);
  f.auth = "uid:0";      // node daemons run as root
  f.epoch = max_epoch_;  // the highest it has seen: a controller below it is fenced
  outstanding_[f.request_id] = {call, run, host_.NowMs() + timeout_ms, ctl_};
  host_.NodeRequest(index_, ctl_, proto::EncodeFrame(f));
  return f.request_id;
}

void SimNode::SendRegister() {
  proto::RegisterNodeRequest req;
  req.name = conf_.name;
  req.hw.cpus = conf_.cpus;
  req.hw.sockets = conf_.sockets;
  req.hw.cores_per_socket = conf_.cores_per_socket;
  req.hw.threads_per_core = conf_.threads_per_core;
  req.hw.memory_mb = conf_.real_memory_mb;
  req.boot_time = boot_time_;
  req.version = "sim";
  for (const auto& [key, r] : runs_) {
    proto::StepRef ref{key.first, proto::kBatchStep, key.second, r.finished, r.wait_status};
    req.steps.push_back(ref);
  }
  Send(req, Call::kRegister, {0, 0}, kCallTimeoutMs);
}

void SimNode::SendCompletion(const RunKey& key, Run& r) {
  proto::StepCompleteRequest req;
  req.node = conf_.name;
  req.step = {key.first, proto::kBatchStep, key.second, true, r.wait_status};
  req.end_time = r.end_time_s;
  if (r.lease_stopped) req.message = proto::kNodeLeaseExpired;
  r.report_rid = Send(req, Call::kComplete, key, kCompletionTimeoutMs);
}

void SimNode::EndRun(const RunKey& key, Run& r, int32_t wait_status, bool natural) {
  r.finished = true;
  r.wait_status = wait_status;
  r.end_time_s = host_.NowSeconds();
  r.next_report_ms = host_.NowMs();
  r.backoff_ms = 100;
  RunEvent e{key.first, key.second,    index_,      r.cpus,  r.batch_host,
             true,      host_.NowMs(), wait_status, natural, boots_};
  host_.RunEnded(e);
  Log("job " + RunName(key.first, key.second) + " ends, wait status " +
      std::to_string(wait_status) + (natural ? "" : " (killed)"));
}

void SimNode::Wake() {
  if (!powered_) return;
  const int64_t now = host_.NowMs();
  std::vector<std::pair<uint64_t, Outstanding>> expired;
  for (const auto& [rid, o] : outstanding_) {
    if (o.deadline_ms <= now) expired.emplace_back(rid, o);
  }
  for (const auto& [rid, o] : expired) {
    outstanding_.erase(rid);
    Expire(rid, o);
  }
  for (auto& [key, r] : runs_) {
    if (!r.finished && r.kill_at_ms <= now && r.kill_at_ms <= r.end_ms) {
      EndRun(key, r, r.kill_status, false);
    }
    if (!r.finished && r.end_ms <= now) EndRun(key, r, r.exit_code << 8, true);
    if (r.finished && r.report_rid == 0 && r.next_report_ms <= now) SendCompletion(key, r);
  }
  const bool lease_reports = EnforceLease(now);
  if (!registered_ && now >= next_register_ms_ && !lease_reports) {
    next_register_ms_ = now + kRegisterRetryMs;
    SendRegister();
  }
  if (registered_ && now >= next_heartbeat_ms_) {
    next_heartbeat_ms_ = now + int64_t{std::max<uint32_t>(1, cluster_.heartbeat_interval_s)} * 1000;
    proto::HeartbeatRequest hb;
    hb.name = conf_.name;
    hb.seq = ++heartbeat_seq_;
    hb.boot_time = boot_time_;
    Send(hb, Call::kHeartbeat, {0, 0}, kCallTimeoutMs);
  }
}

bool SimNode::EnforceLease(int64_t now) {
  const bool expired = now - contact_ms_ > cluster_.NodeLeaseS() * 1000;
  bool reports = false;
  for (auto& [key, r] : runs_) {
    if (expired && !r.finished && r.kill_at_ms == INT64_MAX) {
      Log("no answer from an active controller for " + std::to_string(now - contact_ms_) +
          " ms: stopping job " + RunName(key.first, key.second) + " (NodeLease)");
      r.lease_stopped = true;
      Signal(r, cluster_.kill_wait_s);
    }
    reports = reports || (r.lease_stopped && r.finished);
  }
  return reports;
}

void SimNode::TryOtherController(const char* why) {
  if (cluster_.controllers.size() < 2) return;
  // Several calls may time out at once: one switch per call timeout, not one per call.
  if (host_.NowMs() < last_switch_ms_ + kCallTimeoutMs / 2) return;
  last_switch_ms_ = host_.NowMs();
  ctl_ = (ctl_ + 1) % cluster_.controllers.size();
  Log(std::string(why) + ": trying " + cluster_.controllers[ctl_].name);
}

bool SimNode::FollowNotActive(const proto::Frame& f) {
  if (f.type != proto::MsgType::kNotActiveReply) return false;
  auto rep = proto::DecodeBody<proto::NotActiveReply>(f.body);
  for (size_t i = 0; rep.ok() && i < cluster_.controllers.size(); ++i) {
    if (cluster_.controllers[i].name == rep->active_name && i != ctl_) {
      ctl_ = i;
      last_switch_ms_ = host_.NowMs();
      Log("not active there: going to " + rep->active_name);
      return true;
    }
  }
  if (!rep.ok() || rep->active_name.empty()) TryOtherController("no active known");
  return true;
}

void SimNode::Expire(uint64_t rid, const Outstanding& o) {
  // No answer: maybe the controller is gone; the other one may be active now. Only a call
  // to the controller it still talks to says so (a late timeout of a call to the other
  // one must not send it back there).
  static const char* const kCallNames[] = {"registration", "heartbeat", "completion"};
  if (o.ctl == ctl_) {
    TryOtherController((std::string("no answer to ") + kCallNames[static_cast<int>(o.call)] + " #" +
                        std::to_string(rid))
                           .c_str());
  }
  if (o.call != Call::kComplete) return;  // registration retries on its timer
  auto it = runs_.find(o.run);
  if (it == runs_.end() || it->second.report_rid != rid) return;
  Run& r = it->second;
  r.report_rid = 0;
  r.next_report_ms = host_.NowMs() + r.backoff_ms;
  r.backoff_ms = std::min(r.backoff_ms * 2, kMaxBackoffMs);
}

int64_t SimNode::NextWakeMs() const {
  if (!powered_) return INT64_MAX;
  int64_t next = registered_ ? next_heartbeat_ms_ : next_register_ms_;
  for (const auto& [rid, o] : outstanding_) next = std::min(next, o.deadline_ms);
  for (const auto& [key, r] : runs_) {
    if (!r.finished) next = std::min({next, r.end_ms, r.kill_at_ms});
    if (r.finished && r.report_rid == 0) next = std::min(next, r.next_report_ms);
  }
  return next;
}

void SimNode::OnRequest(const proto::Frame& f, uint64_t incarnation) {
  if (!powered_) return;
  Status st;
  if (f.auth != "uid:0") {
    st = PermissionDenied("only root may send requests to a node daemon");
  } else if (f.epoch < max_epoch_) {
    st = FailedPrecondition("stale controller epoch");
  } else {
    max_epoch_ = f.epoch;
    st = Dispatch(f);
  }
  proto::Frame r = proto::MakeStatusFrame(st, f.request_id);
  host_.NodeAnswer(index_, incarnation, proto::EncodeFrame(r));
}

Status SimNode::Dispatch(const proto::Frame& f) {
  switch (f.type) {
    case proto::MsgType::kLaunchBatchRequest:
      return OnLaunch(f.body);
    case proto::MsgType::kTerminateJobRequest:
      return OnTerminate(f.body);
    case proto::MsgType::kSignalJobRequest: {
      auto req = proto::DecodeBody<proto::SignalJobRequest>(f.body);
      if (!req.ok()) return req.error();
      auto it = runs_.find({req->job_id, req->run_seq});
      return it == runs_.end() ? NotFound("job is not here") : Status::Ok();
    }
    default:
      return Unsupported(std::string("the simulated node does not serve ") +
                         proto::MsgTypeName(f.type));
  }
}

Status SimNode::OnLaunch(const std::string& body) {
  auto req = proto::DecodeBody<proto::LaunchBatchRequest>(body);
  if (!req.ok()) return req.error();
  if (req->job_id == 0) return InvalidArgument("job id 0");
  RunKey key{req->job_id, req->run_seq};
  if (runs_.count(key)) return Status::Ok();  // a resend: already here (herdd's spool check)
  Run r;
  for (const auto& a : req->alloc) {
    if (a.node == conf_.name) r.cpus = a.cpus;
  }
  r.batch_host = req->alloc.empty() ? "" : req->alloc.front().node;
  int64_t run_ms = 0;
  bool has_script = ParseSimScript(req->spec.script, &run_ms, &r.exit_code);
  if (!has_script) r.exit_code = 127;  // nothing to execute
  r.end_ms = host_.NowMs() + run_ms;
  RunEvent e{key.first,  key.second,    index_, r.cpus, r.batch_host,
             has_script, host_.NowMs(), 0,      false,  boots_};
  host_.RunStarted(e);
  Log("launches job " + RunName(key.first, key.second) + " for " + std::to_string(run_ms) + " ms" +
      (has_script ? "" : " (NO SCRIPT)"));
  runs_.emplace(key, std::move(r));
  return Status::Ok();
}

Status SimNode::OnTerminate(const std::string& body) {
  auto req = proto::DecodeBody<proto::TerminateJobRequest>(body);
  if (!req.ok()) return req.error();
  RunKey key{req->job_id, req->run_seq};
  auto it = runs_.find(key);
  if (it == runs_.end()) {
    return NotFound("job " + std::to_string(req->job_id) + " is not on " + conf_.name);
  }
  if (!it->second.finished) host_.RunKillOrdered(index_, key.first, key.second);
  Signal(it->second, req->kill_wait_s);
  return Status::Ok();
}

void SimNode::Signal(Run& r, uint32_t kill_wait_s) {
  if (r.finished || r.kill_at_ms != INT64_MAX) return;  // a resend: already dying
  if (host_.rng().Chance(0.2)) {
    r.kill_at_ms = host_.NowMs() + int64_t{kill_wait_s} * 1000;  // ignores SIGTERM
    r.kill_status = SIGKILL;
  } else {
    r.kill_at_ms = host_.NowMs() + host_.rng().Uniform(10, 200);
    r.kill_status = SIGTERM;
  }
}

void SimNode::OnReply(const proto::Frame& f) {
  if (!powered_) return;
  auto it = outstanding_.find(f.request_id);
  if (it == outstanding_.end()) return;  // late: the call timed out already
  Outstanding o = it->second;
  outstanding_.erase(it);
  max_epoch_ = std::max(max_epoch_, f.epoch);
  if (FollowNotActive(f)) {
    // Asked again at once, where it now believes the active is.
    if (o.call == Call::kHeartbeat) next_heartbeat_ms_ = host_.NowMs();
    if (o.call == Call::kRegister) next_register_ms_ = host_.NowMs();
    if (o.call == Call::kComplete) {
      auto run = runs_.find(o.run);
      if (run != runs_.end() && run->second.report_rid == f.request_id) {
        run->second.report_rid = 0;  // again, to the other controller
      }
    }
    return;
  }
  Status st = proto::ReplyStatus(f);
  switch (o.call) {
    case Call::kRegister:
      OnRegisterReply(f);
      break;
    case Call::kHeartbeat:
      if (st.ok()) contact_ms_ = host_.NowMs();
      if (st.code() == Code::kNotFound) {
        Log("heartbeat answered NotFound: registering again");
        registered_ = false;
        next_register_ms_ = host_.NowMs();
      }
      break;
    case Call::kComplete: {
      auto run = runs_.find(o.run);
      if (run == runs_.end() || run->second.report_rid != f.request_id) break;
      if (f.type != proto::MsgType::kStatusReply && f.type != proto::MsgType::kUnsupportedReply) {
        run->second.report_rid = 0;  // not an answer to a completion: try again
        break;
      }
      Log("completion of job " + RunName(o.run.first, o.run.second) +
          " delivered: " + st.ToString());
      runs_.erase(run);
      break;
    }
  }
}

void SimNode::OnRegisterReply(const proto::Frame& f) {
  if (f.type != proto::MsgType::kRegisterNodeReply) {
    Log("registration refused: " + proto::ReplyStatus(f).ToString());
    return;
  }
  auto rep = proto::DecodeBody<proto::RegisterNodeReply>(f.body);
  if (!rep.ok()) return;
  registered_ = true;
  contact_ms_ = host_.NowMs();
  next_heartbeat_ms_ =
      host_.NowMs() + int64_t{std::max<uint32_t>(1, cluster_.heartbeat_interval_s)} * 1000;
  Log("registered; kill " + std::to_string(rep->kill.size()) + ", acked " +
      std::to_string(rep->acked.size()));
  for (const auto& k : rep->kill) {
    auto it = runs_.find({k.job_id, k.run_seq});
    if (it == runs_.end()) continue;
    if (!it->second.finished) host_.RunKillOrdered(index_, k.job_id, k.run_seq);
    Signal(it->second, cluster_.kill_wait_s);
  }
  for (const auto& a : rep->acked) {
    auto it = runs_.find({a.job_id, a.run_seq});
    if (it != runs_.end() && it->second.finished) runs_.erase(it);
  }
  for (auto& [key, r] : runs_) {
    if (r.finished && r.report_rid == 0) r.next_report_ms = host_.NowMs();
  }
}

}  // namespace herd::sim
