// herd — the controller's outbox of node messages.
#include "controller/outbox.h"

#include "common/base/log.h"
#include "common/proto/codec.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

void Outbox::Queue(size_t node, MsgType type, uint64_t job_id, uint32_t run_seq, std::string body) {
  NodeMessage o;
  o.node = node;
  o.type = type;
  o.job_id = job_id;
  o.run_seq = run_seq;
  o.body = std::move(body);
  o.next_try_ms = 0;
  waiting_[next_request_id_++] = std::move(o);
}

void Outbox::DropFor(uint64_t job_id) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    it = it->second.job_id == job_id ? waiting_.erase(it) : std::next(it);
  }
}

void Outbox::SendNowTo(size_t node) {
  for (auto& [rid, o] : waiting_) {
    if (o.node == node) o.next_try_ms = 0;
  }
}

const NodeMessage* Outbox::FindIf(const std::function<bool(const NodeMessage&)>& pred) const {
  for (const auto& [rid, o] : waiting_) {
    if (pred(o)) return &o;
  }
  return nullptr;
}

std::vector<OutMsg> Outbox::Due(uint64_t epoch, const std::vector<NodeRecord>& nodes) {
  std::vector<OutMsg> out;
  int64_t now = clock_.MonotonicMs();
  std::map<uint64_t, NodeMessage> resent;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    NodeMessage& o = it->second;
    const NodeRecord& n = nodes[o.node];
    if (o.next_try_ms > now || !n.registered) {
      ++it;
      continue;
    }
    Frame f;
    f.type = o.type;
    f.request_id = next_request_id_++;
    f.epoch = epoch;
    f.body = o.body;
    auto cred = auth_.Sign(f.body);
    if (!cred.ok()) {
      HERD_LOG(Error) << "cannot sign a message to " << n.name << ": " << cred.error().message();
      ++it;
      continue;
    }
    f.auth = std::move(*cred);
    out.push_back({o.node, proto::EncodeFrame(f)});
    o.attempts++;
    o.next_try_ms = now + 2000;
    resent[f.request_id] = std::move(o);
    it = waiting_.erase(it);
  }
  waiting_.merge(resent);
  return out;
}

std::optional<NodeMessage> Outbox::TakeAnswered(size_t node, uint64_t request_id) {
  auto it = waiting_.find(request_id);
  if (it == waiting_.end() || it->second.node != node) return std::nullopt;
  NodeMessage out = std::move(it->second);
  waiting_.erase(it);
  return out;
}

}  // namespace herd::ctld
