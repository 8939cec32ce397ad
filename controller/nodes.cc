// herd — the controller's nodes (nodes.h).
#include "controller/nodes.h"

#include <algorithm>

#include "common/base/log.h"
#include "common/base/strings.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

Status Nodes::AddHandlers(HandlerTable* table) {
  return table->AddAll(this, HandlerRole::kActive,
                       {{MsgType::kRegisterNodeRequest, &Nodes::Register},
                        {MsgType::kHeartbeatRequest, &Nodes::Heartbeat},
                        {MsgType::kUpdateNodeRequest, &Nodes::UpdateNode}});
}

void Nodes::RestartLiveness(bool must_register) {
  const int64_t now = p_.clock.MonotonicMs();
  for (auto& n : p_.state.nodes()) {
    // A node's lease may have been renewed up to now by this controller's former self
    // or the former active.
    n.last_heard_ms = n.contact_ms = now;
    if (!must_register) continue;
    n.registered = false;
    n.must_register_ms = -1;
    n.jobs_lost_at_ms = 0;
  }
  if (must_register) RebuildKillWaits();
}

Frame Nodes::Register(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("only node daemons register"));
  auto req = proto::DecodeBody<proto::RegisterNodeRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  int idx = p_.state.NodeIndex(req->name);
  if (idx < 0) return ErrorReply(NotFound("node " + req->name + " is not in the configuration"));
  const size_t index = static_cast<size_t>(idx);
  NodeRecord& n = p_.state.nodes()[index];
  const NodeConfig& nc = p_.state.NodeConf(index);
  if (FencedNode(n, f.epoch)) {
    // It would refuse the answer: registering it would count a node as usable that
    // takes no order from this controller.
    NoteUnregisteredLife(n);
    n.registered = false;
    return ErrorReply(FailedPrecondition(NodeDownReason(n)));
  }
  n.registered = true;
  n.last_heard_ms = n.contact_ms = p_.clock.MonotonicMs();
  n.must_register_ms = -1;
  n.jobs_lost_at_ms = 0;  // back before its jobs were taken for gone: it reports them
  n.last_heartbeat = p_.clock.NowSeconds();
  n.boot_time = req->boot_time;
  n.hw = req->hw;
  n.version = req->version;
  HERD_LOG(Info) << "node " << n.name << " registered: " << req->hw.cpus << " cpus, "
                 << req->hw.memory_mb << " MB, " << req->steps.size() << " steps";

  // A node with less hardware than configured is drained (as Slurm does).
  std::string low;
  if (req->hw.cpus < nc.cpus) low = "Low CPUs";
  if (req->hw.memory_mb < nc.real_memory_mb) low = "Low RealMemory";
  if (!low.empty() && !n.drain) {
    NodeUpdated e{n.name,
                  n.admin_down,
                  n.down_not_responding,
                  true,
                  low + " (found " + std::to_string(req->hw.cpus) + " cpus, " +
                      std::to_string(req->hw.memory_mb) + " MB)",
                  p_.clock.NowSeconds(),
                  0};
    (void)p_.journal.Emit(e);
  }
  if (n.admin_down && n.down_not_responding && p_.config.return_to_service >= 1) {
    NodeUpdated e{n.name, false, false, n.drain, n.drain ? n.reason : "", p_.clock.NowSeconds(), 0};
    (void)p_.journal.Emit(e);
    HERD_LOG(Info) << "node " << n.name << " returned to service";
  }

  proto::RegisterNodeReply rep;
  std::set<uint64_t> reported;
  // What is still alive is in req->steps; those runs are marked again below.
  std::vector<std::pair<uint64_t, uint32_t>> waited;
  for (const auto& [run, deadline] : n.pending_kills) waited.push_back(run);
  for (const auto& run : waited) (void)KillConfirmed(n, run.first, run.second);
  std::set<std::pair<uint64_t, uint32_t>> reported_steps;
  for (const auto& st : req->steps) {
    if (st.step_id != proto::kBatchStep) {
      reported_steps.insert({st.job_id, st.step_id});
      hooks_.reconcile_step(n.name, st, &rep);
      continue;
    }
    const Job* j = p_.state.FindJob(st.job_id);
    bool current = j != nullptr && j->state == JobState::kRunning && j->run_seq == st.run_seq &&
                   std::any_of(j->alloc.begin(), j->alloc.end(),
                               [&](const NodeAlloc& a) { return a.node == n.name; });
    if (st.finished) {
      if (current && j->alloc.front().node == n.name) {
        (void)hooks_.end_job(*j, st.wait_status, "");
      }
      rep.acked.push_back(st);
    } else if (current) {
      reported.insert(st.job_id);
      if (!j->launch_confirmed && j->alloc.front().node == n.name) {
        (void)p_.journal.Emit(LaunchConfirmed{j->id, j->run_seq, proto::kBatchStep, n.name});
      }
    } else {
      HERD_LOG(Info) << "node " << n.name << " runs unknown step of job " << st.job_id << "."
                     << st.run_seq << ": it will be killed";
      rep.kill.push_back(st);
      n.pending_kills[{st.job_id, st.run_seq}] = KillDeadline();
      if (j != nullptr && j->state == JobState::kPending) p_.state.SetAwaitingKill(j->id, true);
    }
  }
  ReconcileBatchLaunches(index, reported);
  hooks_.resend_steps(index, reported_steps);
  // Messages waiting for this node go now.
  p_.outbox.SendNowTo(index);
  core_.RequestSchedule();
  return proto::MakeFrame(rep, 0);
}

// Batch jobs `node` (just registered, reporting the batch jobs `reported`) should be
// running but does not report: a launch it confirmed was lost with the node; one it never
// confirmed is sent (again) when it may run twice, and otherwise (--no-requeue, or
// JobRequeue=0) only when this controller knows it never went out: once sent, it may have
// run on the node before the node lost it. (An allocation of halloc or hrun has no batch
// step: only its job steps run on nodes.)
void Nodes::ReconcileBatchLaunches(size_t node, const std::set<uint64_t>& reported) {
  const std::string& name = p_.state.NodeConf(node).name;
  std::vector<uint64_t> lost, maybe_ran;
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state != JobState::kRunning || j.spec.interactive || j.alloc.empty() ||
        j.alloc.front().node != name)
      continue;
    if (reported.count(id)) continue;
    if (j.ctld_prolog_owed) continue;  // never sent yet: PrologSlurmctld runs (ctld_hooks.h)
    if (j.launch_confirmed) {
      lost.push_back(id);
      continue;
    }
    const uint64_t job_id = id;  // a structured binding cannot be captured in C++17
    const NodeMessage* queued = p_.outbox.FindIf([&](const NodeMessage& o) {
      return o.job_id == job_id && o.type == MsgType::kLaunchBatchRequest;
    });
    if (queued != nullptr && queued->attempts == 0) continue;  // never sent
    if (!(p_.config.job_requeue && j.spec.requeue)) {
      maybe_ran.push_back(id);
    } else if (queued == nullptr) {
      hooks_.send_launch(j);  // never confirmed: (re)send; the node launches once
    }
  }
  for (uint64_t id : lost) {
    HERD_LOG(Warning) << "job " << id << " is no longer running on " << name;
    const Job* j = p_.state.FindJob(id);
    (void)hooks_.end_job(*j, 0, "batch step lost on " + name);
  }
  for (uint64_t id : maybe_ran) {
    HERD_LOG(Warning) << "job " << id << ": " << name
                      << " does not report a launch it never confirmed; the job may have run "
                         "there and may not be requeued: it is not launched again";
    JobKillIntent k;
    k.job_id = id;
    k.intent = KillIntent::kNodeFail;
    (void)p_.journal.Emit(k);
    (void)hooks_.end_job(*p_.state.FindJob(id), 0,
                         "launch on " + name + " unconfirmed and lost: may have run, not requeued");
  }
}

Frame Nodes::Heartbeat(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid))
    return ErrorReply(PermissionDenied("only node daemons send heartbeats"));
  auto req = proto::DecodeBody<proto::HeartbeatRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  NodeRecord* n = p_.state.FindNode(req->name);
  if (n == nullptr)
    return ErrorReply(NotFound("node " + req->name + " is not in the configuration"));
  if (FencedNode(*n, f.epoch)) {
    NoteUnregisteredLife(*n);
    n->registered = false;
    return ErrorReply(FailedPrecondition(NodeDownReason(*n)));
  }
  if (!n->registered || n->boot_time != req->boot_time) {
    NoteUnregisteredLife(*n);
    return ErrorReply(NotFound("node " + req->name + " must register"));
  }
  n->last_heard_ms = n->contact_ms = p_.clock.MonotonicMs();
  n->last_heartbeat = p_.clock.NowSeconds();
  return proto::MakeStatusFrame(Status::Ok(), 0);
}

// A heartbeat from a node that must register (after a takeover every node must) shows it
// is alive, but not forever: a node that keeps failing to register goes DOWN with the
// reason instead of staying unknown. One that refuses this controller (fenced) gets
// NodeTimeout from its first refusal; any other keeps counting as alive only while its
// lease may run (NodeLease since the last accepted contact): it registers as soon as an
// answer reaches it, which the output held during a takeover may delay for a while.
void Nodes::NoteUnregisteredLife(NodeRecord& n) {
  const int64_t now = p_.clock.MonotonicMs();
  if (n.must_register_ms < 0) n.must_register_ms = now;
  const bool alive = n.fenced_epoch != 0
                         ? now - n.must_register_ms <= int64_t{p_.config.node_timeout_s} * 1000
                         : now - n.contact_ms <= p_.config.NodeLeaseS() * 1000;
  if (alive) {
    n.last_heard_ms = now;
    n.last_heartbeat = p_.clock.NowSeconds();
  }
}

bool Nodes::FencedNode(NodeRecord& n, uint64_t seen) {
  if (seen <= core_.epoch()) {
    n.fenced_epoch = 0;
    return false;
  }
  if (n.fenced_epoch != seen) {
    HERD_LOG(Error) << "node " << n.name << " refuses this controller: it has seen controller "
                    << "epoch " << seen << ", this controller is at " << core_.epoch()
                    << " (state lost, or a forged answer); to take it back, restart herdctld "
                    << "with --min-epoch " << seen;
  }
  n.fenced_epoch = seen;
  return true;
}

std::string Nodes::NodeDownReason(const NodeRecord& n) const {
  if (n.fenced_epoch != 0) {
    return "Fenced: node has seen controller epoch " + std::to_string(n.fenced_epoch) +
           " above this controller's " + std::to_string(core_.epoch()) + " (herdctld --min-epoch " +
           std::to_string(n.fenced_epoch) + ")";
  }
  if (n.must_register_ms >= 0) return "Not responding: heartbeats but does not register";
  return "Not responding";
}

bool Nodes::KillConfirmed(NodeRecord& n, uint64_t job_id, uint32_t run_seq) {
  if (n.pending_kills.erase({job_id, run_seq}) == 0) return false;
  // The job may wait for more than one node (a requeue after a node failure terminates
  // the old run everywhere): it waits until the last one has confirmed.
  for (const NodeRecord& other : p_.state.nodes()) {
    for (const auto& [run, deadline] : other.pending_kills) {
      if (run.first == job_id) return true;
    }
  }
  p_.state.SetAwaitingKill(job_id, false);
  return true;
}

void Nodes::RebuildKillWaits() {
  for (auto& n : p_.state.nodes()) n.pending_kills.clear();
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state != JobState::kPending || j.kill_wait_node.empty()) continue;
    NodeRecord* n = p_.state.FindNode(j.kill_wait_node);
    if (n == nullptr) continue;
    n->pending_kills[{id, j.kill_wait_run}] = KillDeadline();
    p_.state.SetAwaitingKill(id, true);
    HERD_LOG(Info) << "job " << id << " waits until " << n->name << " confirms run "
                   << j.kill_wait_run << " is gone";
  }
}

// A node that does not confirm is waited for until its lease has surely run out (it then
// stopped the run itself), and at least KillWait + 60 s.
int64_t Nodes::KillDeadline() const {
  return p_.clock.MonotonicMs() + std::max<int64_t>((int64_t{p_.config.kill_wait_s} + 60) * 1000,
                                                    p_.config.LostNodeDelayMs());
}

void Nodes::CheckTimeouts() {
  int64_t now = p_.clock.MonotonicMs();
  for (auto& n : p_.state.nodes()) {
    for (auto it = n.pending_kills.begin(); it != n.pending_kills.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      HERD_LOG(Warning) << "node " << n.name << " never confirmed that job " << it->first.first
                        << " run " << it->first.second << " is gone; using it again";
      const auto run = it->first;
      ++it;
      (void)KillConfirmed(n, run.first, run.second);
      core_.RequestSchedule();
    }
  }
  const int64_t limit = int64_t{p_.config.node_timeout_s} * 1000;
  for (size_t i = 0; i < p_.state.nodes().size(); ++i) {
    NodeRecord& n = p_.state.nodes()[i];
    if (n.jobs_lost_at_ms != 0 && now >= n.jobs_lost_at_ms) {
      // Its lease has surely run out: the node has stopped their runs itself.
      n.jobs_lost_at_ms = 0;
      if (n.jobs > 0) hooks_.fail_jobs(n.name, "NodeFail: " + n.name + " not responding", false);
    }
    if (now - n.last_heard_ms <= limit) continue;
    const bool has_jobs = n.jobs > 0;
    // Never heard of since this controller started, and nothing on it: nothing to say.
    if (!n.registered && !has_jobs && n.must_register_ms < 0 && n.fenced_epoch == 0) continue;
    const std::string why = NodeDownReason(n);
    if (n.registered || n.reason != why) {
      HERD_LOG(Warning) << "node " << n.name << " is down: " << why;
    }
    n.registered = false;
    if (!n.admin_down || (n.down_not_responding && n.reason != why)) {
      NodeUpdated e{n.name, true, true, n.drain, why, p_.clock.NowSeconds(), 0};
      (void)p_.journal.Emit(e);
    }
    if (has_jobs && n.jobs_lost_at_ms == 0) {
      // Requeued (or ended) only once the node's lease has surely run out (doc/ha.md).
      n.jobs_lost_at_ms = std::max(now, n.contact_ms + p_.config.LostNodeDelayMs());
      HERD_LOG(Warning) << "the jobs on " << n.name << " are taken for gone in "
                        << (n.jobs_lost_at_ms - now) / 1000 << " s (NodeLease + KillWait + "
                        << ClusterConfig::kLostNodeMarginS << " s after the last contact)";
    }
    n.last_heard_ms = now;  // do not repeat every tick
  }
}

void Nodes::OnAnswer(const NodeMessage& out, const Status& st) {
  const std::string& node = p_.state.NodeConf(out.node).name;
  if (out.type == MsgType::kLaunchBatchRequest) {
    const Job* j = p_.state.FindJob(out.job_id);
    if (j == nullptr || j->state != JobState::kRunning || j->run_seq != out.run_seq) return;
    if (st.ok()) {
      if (!j->launch_confirmed) {
        (void)p_.journal.Emit(LaunchConfirmed{out.job_id, out.run_seq, proto::kBatchStep, node});
      }
      return;
    }
    HERD_LOG(Error) << "launch of job " << out.job_id << " on " << node
                    << " failed: " << st.message();
    (void)hooks_.end_job(*j, 1 << 8, "launch failed on " + node + ": " + st.message());
    return;
  }
  if (out.type == MsgType::kLaunchStepRequest && st.ok()) {
    auto launch = proto::DecodeBody<proto::LaunchStepRequest>(out.body);
    const Job* j = p_.state.FindJob(out.job_id);
    const StepRecord* step =
        launch.ok() && j != nullptr && j->state == JobState::kRunning && j->run_seq == out.run_seq
            ? j->FindStep(launch->step_id)
            : nullptr;
    if (step != nullptr && step->state == JobState::kRunning &&
        std::find(step->confirmed.begin(), step->confirmed.end(), node) == step->confirmed.end()) {
      (void)p_.journal.Emit(LaunchConfirmed{out.job_id, out.run_seq, launch->step_id, node});
    }
    return;
  }
  if (out.type == MsgType::kTerminateJobRequest && st.code() == Code::kNotFound) {
    // Nothing of that run is left on the node.
    NodeRecord& n = p_.state.nodes()[out.node];
    if (KillConfirmed(n, out.job_id, out.run_seq)) core_.RequestSchedule();
  }
  if (!st.ok() && st.code() != Code::kNotFound) {
    HERD_LOG(Warning) << proto::MsgTypeName(out.type) << " for job " << out.job_id << " on " << node
                      << " failed: " << st.message();
  }
}

// A node whose site program (Prolog, Epilog, HealthCheckProgram) failed is drained with
// the reason, as `hcontrol update node=... state=drain reason=...` would.
void Nodes::DrainForNode(const std::string& node, const std::string& reason) {
  const NodeRecord* n = p_.state.FindNode(node);
  if (n == nullptr || (n->drain && n->reason == reason)) return;  // a resent report
  NodeUpdated e{node, n->admin_down, n->down_not_responding, true, reason, p_.clock.NowSeconds(),
                0};
  Status s = p_.journal.Emit(e);
  HERD_LOG(Warning) << "node " << node << " drained: " << reason
                    << (s.ok() ? "" : " (not recorded: " + s.ToString() + ")");
  core_.RequestSchedule();
}

bool Nodes::KillConfirmed(const std::string& node, uint64_t job_id, uint32_t run_seq) {
  NodeRecord* n = p_.state.FindNode(node);
  return n != nullptr && KillConfirmed(*n, job_id, run_seq);
}

void Nodes::AwaitKill(const std::string& node, uint64_t job_id, uint32_t run_seq) {
  if (NodeRecord* n = p_.state.FindNode(node)) {
    n->pending_kills[{job_id, run_seq}] = KillDeadline();
    p_.state.SetAwaitingKill(job_id, true);
  }
}

}  // namespace herd::ctld
