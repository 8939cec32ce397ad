// herd — the controller's output gate (output_gate.h).
#include "controller/output_gate.h"

#include <utility>

namespace herd::ctld {

size_t OutputGate::Push(Reply reply, bool to_write) {
  if (to_write) write_replies_.push_back(batch_.size());
  batch_.push_back(std::move(reply));
  return batch_.size() - 1;
}

void OutputGate::Rewrite(size_t index, std::string bytes) {
  if (index < batch_.size()) batch_[index].bytes = std::move(bytes);
}

void OutputGate::EndBatch() {
  batch_.clear();
  write_replies_.clear();
}

void OutputGate::HoldBatch(uint64_t seq, std::vector<OutMsg> node_messages) {
  Held h;
  h.seq = seq;
  h.replies = std::move(batch_);
  h.node_messages = std::move(node_messages);
  held_.push_back(std::move(h));
  EndBatch();
}

void OutputGate::PassBatch(FlushResult* r) {
  for (auto& rep : batch_) {
    if (!rep.bytes.empty()) r->replies.push_back(std::move(rep));
  }
  EndBatch();
}

void OutputGate::Release(uint64_t releasable_seq, bool writable, FlushResult* r) {
  while (!held_.empty() && held_.front().seq <= releasable_seq) {
    Held& h = held_.front();
    for (auto& rep : h.replies) r->replies.push_back(std::move(rep));
    if (writable) {
      for (auto& m : h.node_messages) r->node_messages.push_back(std::move(m));
    }
    held_.pop_front();
  }
}

void OutputGate::TakeReleased(FlushResult* r) {
  for (auto& rep : released_) r->replies.push_back(std::move(rep));
  released_.clear();
}

void OutputGate::CommitFailed(bool emitted, FlushResult* r) {
  for (auto& rep : batch_) {
    if (rep.bytes.empty()) continue;
    if (emitted && !rep.refusal) {
      stalled_.push_back(std::move(rep));
    } else {
      r->replies.push_back(std::move(rep));
    }
  }
  EndBatch();
  TakeReleased(r);
}

size_t OutputGate::CommitRecovered() {
  const size_t shift = stalled_.size();
  for (size_t& i : write_replies_) i += shift;
  for (auto& rep : batch_) stalled_.push_back(std::move(rep));
  batch_ = std::move(stalled_);
  stalled_.clear();
  return shift;
}

void OutputGate::SteppedDown(uint64_t durable) {
  for (Held& h : held_) {
    if (h.seq > durable) break;
    for (auto& rep : h.replies) released_.push_back(std::move(rep));
  }
  held_.clear();
  stalled_.clear();  // their records may never become durable anywhere
  for (size_t i : write_replies_) {
    if (i < batch_.size()) batch_[i].bytes.clear();  // answers to writes not replicated
  }
  write_replies_.clear();
}

}  // namespace herd::ctld
