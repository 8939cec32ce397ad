// herd — read-only requests waiting for their turn, users in turn.
#include "controller/query_queue.h"

#include "common/proto/messages.h"

namespace herd::ctld {

bool IsQueuedQuery(proto::MsgType type) {
  switch (type) {
    case proto::MsgType::kQueryJobsRequest:
    case proto::MsgType::kQueryNodesRequest:
    case proto::MsgType::kQueryPartitionsRequest:
    case proto::MsgType::kQueryConfigRequest:
    case proto::MsgType::kQueryStepsRequest:
      return true;
    default:
      return false;
  }
}

Status QueryQueue::Push(Item item) {
  const size_t size = item.frame.body.size() + item.frame.auth.size() + item.peer.size();
  auto it = by_user_.find(item.who.uid);
  const size_t mine = it == by_user_.end() ? 0 : it->second.size();
  if (mine >= limits_.per_user) {
    return ResourceExhausted("too many queries waiting from uid " + std::to_string(item.who.uid) +
                             " (" + std::to_string(mine) + "): try again later");
  }
  if (count_ >= limits_.total) {
    return ResourceExhausted("too many queries waiting (" + std::to_string(count_) +
                             "): try again later");
  }
  if (bytes_ + size > limits_.bytes) {
    return ResourceExhausted("queries waiting hold too many bytes (" +
                             std::to_string(bytes_ + size) + " with this one of " +
                             std::to_string(size) + "): try again later");
  }
  by_user_[item.who.uid].push_back(std::move(item));
  count_++;
  bytes_ += size;
  return Status::Ok();
}

std::optional<QueryQueue::Item> QueryQueue::Pop() {
  if (by_user_.empty()) return std::nullopt;
  auto it = last_uid_ ? by_user_.upper_bound(*last_uid_) : by_user_.begin();
  if (it == by_user_.end()) it = by_user_.begin();
  Item item = std::move(it->second.front());
  it->second.pop_front();
  last_uid_ = it->first;
  if (it->second.empty()) by_user_.erase(it);
  count_--;
  bytes_ -= item.frame.body.size() + item.frame.auth.size() + item.peer.size();
  return item;
}

}  // namespace herd::ctld
