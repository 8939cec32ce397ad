// herd — controller core: submissions through the site's job_submit.lua. A submission
// the active controller would handle goes to the filter's worker thread
// (controller/job_submit/job_submit_worker.h) instead of being answered in this loop
// iteration; when the script has decided, the request as the script left it takes the
// ordinary path (Answer -> Submit), which validates it whole and journals the job. Nothing
// is recorded before the verdict, so a controller that stops meanwhile has promised
// nothing: the command resends, and its token makes a second run of the script harmless.
#include <unordered_map>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "controller/core.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

void ControllerCore::set_job_submit(JobSubmitWorker* filter) { job_submit_ = filter; }

// The part_list the script sees: the partitions as they are now (runtime changes too).
std::vector<LuaPartition> ControllerCore::LuaParts() const {
  std::vector<LuaPartition> out;
  for (const PartitionRecord* rec : state_.PartitionsInOrder()) {
    const PartitionConfig& p = rec->def;
    LuaPartition lp;
    lp.name = p.name;
    lp.nodes = CompressHostlist(p.nodes);
    lp.max_time_s = p.max_time_s;
    lp.default_time_s = p.default_time_s;
    lp.max_nodes = p.max_nodes;
    lp.total_nodes = static_cast<uint32_t>(p.nodes.size());
    for (const std::string& n : p.nodes) {
      if (const NodeConfig* nc = config_.FindNode(n)) lp.total_cpus += nc->cpus;
    }
    lp.is_default = p.is_default;
    lp.up = p.state == PartitionState::kUp;
    out.push_back(std::move(lp));
  }
  return out;
}

bool ControllerCore::FilterSubmission(const std::string& peer, const Identity& who, Frame* f) {
  auto req = proto::DecodeBody<proto::SubmitJobRequest>(f->body);
  if (!req.ok()) return false;  // Submit refuses it
  // Sent again after its answer was lost: the job it made is the answer.
  if (state_.FindByToken(who.uid, req->token) != nullptr) return false;
  JobSubmitWorker::Item item;
  item.peer = peer;
  item.who = who;
  item.req = std::move(*req);
  item.parts = LuaParts();
  f->body.clear();  // replaced by the filtered request's
  f->auth.clear();
  item.frame = std::move(*f);
  const uint64_t request_id = item.frame.request_id;
  if (Status s = job_submit_->Push(std::move(item)); !s.ok()) {
    PushReply(peer, request_id, ErrorReply(s));
  }
  return true;
}

void ControllerCore::HandleFilteredSubmissions() {
  if (job_submit_ == nullptr) return;
  for (JobSubmitWorker::Item& d : job_submit_->TakeDone()) {
    from_ = "a client";
    if (!d.verdict.status.ok()) {
      PushReply(d.peer, d.frame.request_id, ErrorReply(d.verdict.status));
      continue;
    }
    bool silent = false;
    if (RefusedWhileStoreFails(MsgType::kSubmitJobRequest, &silent)) {
      if (!silent) PushReply(d.peer, d.frame.request_id, ErrorReply(StoreRefusal()));
      continue;
    }
    if (!d.verdict.user_message.empty()) {
      // Not shown to the user yet: the submission's reply has no place for it.
      HERD_LOG(Info) << "job_submit.lua: for uid " << d.who.uid
                     << " (accepted): " << d.verdict.user_message;
    }
    d.frame.body = proto::EncodeBody(d.req);
    Answer(d.peer, d.who, d.frame);
  }
}

}  // namespace herd::ctld
