// herd — jobs COMPLETING until their nodes' Epilogs end (completing.h).
#include "controller/completing.h"

#include <algorithm>
#include <vector>

#include "common/base/log.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

namespace {
// A node that answered the terminate but has not reported its Epilog's end hears it again
// after this long (herdd keeps what it owes in memory: a restart of it forgets a report).
constexpr int64_t kResendMs = 10000;
}  // namespace

Status Completing::AddHandlers(HandlerTable* table) {
  return table->Add(MsgType::kEpilogCompleteRequest, HandlerRole::kActive,
                    [this](const Identity& who, const Frame& f) { return EpilogComplete(who, f); });
}

void Completing::Begin(uint64_t job_id, const std::string& done_node) {
  if (p_.config.hooks.epilog.empty()) return;
  const Job* j = p_.state.FindJob(job_id);
  if (j == nullptr || !proto::IsFinished(j->state) || !j->completing.empty()) return;
  JobCompleting e;
  e.job_id = j->id;
  e.run_seq = j->run_seq;
  for (const auto& a : j->alloc) {
    const NodeRecord* n = p_.state.FindNode(a.node);
    if (a.node != done_node && n != nullptr && !n->admin_down) e.nodes.push_back(a.node);
  }
  if (e.nodes.empty()) return;
  Status s = p_.journal.Emit(e);
  if (!s.ok()) {
    HERD_LOG(Warning) << "job " << job_id << ": not kept COMPLETING: " << s.message();
    return;
  }
  // The terminate goes out with the job's end (jobs.cc); resent if no report comes.
  resend_at_ms_[job_id] = p_.clock.MonotonicMs() + kResendMs;
}

Frame Completing::EpilogComplete(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("only node daemons report"));
  auto req = proto::DecodeBody<proto::EpilogCompleteRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  const Job* j = p_.state.FindJob(req->job_id);
  // A report nobody waits for (no Epilog here, a resend, an old run) is answered OK: the
  // node forgets it.
  if (j == nullptr || j->run_seq != req->run_seq ||
      std::find(j->completing.begin(), j->completing.end(), req->node) == j->completing.end()) {
    return proto::MakeStatusFrame(Status::Ok(), 0);
  }
  return proto::MakeStatusFrame(NodeDone(j->id, j->run_seq, req->node, false), 0);
}

Status Completing::NodeDone(uint64_t job_id, uint32_t run_seq, const std::string& node,
                            bool node_down) {
  EpilogNodeDone e;
  e.job_id = job_id;
  e.run_seq = run_seq;
  e.node = node;
  e.node_down = node_down;
  HERD_RETURN_IF_ERROR(p_.journal.Emit(e));
  const Job* j = p_.state.FindJob(job_id);
  if (j != nullptr && j->completing.empty()) {
    resend_at_ms_.erase(job_id);
    HERD_LOG(Info) << "job " << job_id << " completed on every node";
    core_.RequestSchedule();  // its resources are free
  }
  return Status::Ok();
}

void Completing::Check() {
  const int64_t now = p_.clock.MonotonicMs();
  const std::vector<uint64_t> ids(p_.state.completing().begin(), p_.state.completing().end());
  for (uint64_t id : ids) {
    const Job* j = p_.state.FindJob(id);
    if (j == nullptr) continue;
    const std::vector<std::string> nodes = j->completing;
    const uint32_t run = j->run_seq;
    for (const std::string& node : nodes) {
      const NodeRecord* n = p_.state.FindNode(node);
      if (n != nullptr && !n->admin_down) continue;
      HERD_LOG(Info) << "job " << id << ": node " << node
                     << " is DOWN: its Epilog is no longer waited for";
      if (!NodeDone(id, run, node, true).ok()) return;  // the journal fails: next tick
    }
    j = p_.state.FindJob(id);
    if (j == nullptr || j->completing.empty()) continue;
    auto it = resend_at_ms_.emplace(id, now).first;  // new: recovered, never sent here
    if (now < it->second) continue;
    it->second = now + kResendMs;
    for (const std::string& node : j->completing) {
      const int idx = p_.state.NodeIndex(node);
      const bool waiting = p_.outbox.FindIf([&](const NodeMessage& m) {
        return m.type == MsgType::kTerminateJobRequest && m.job_id == id &&
               m.node == static_cast<size_t>(idx);
      }) != nullptr;
      if (!waiting) hooks_.terminate_on(*j, node);
    }
  }
  for (auto it = resend_at_ms_.begin(); it != resend_at_ms_.end();) {
    it = p_.state.completing().count(it->first) ? std::next(it) : resend_at_ms_.erase(it);
  }
}

}  // namespace herd::ctld
