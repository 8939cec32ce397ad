// herd — read-only requests (queries) waiting for their turn. The core answers every
// other request as it arrives (node heartbeats and registrations, submissions, cancels),
// and queries after them, a bounded number per loop iteration, taking users in turn: one
// user's many queries (hqueue in a loop, a workflow tool polling) cannot starve another
// user's, nor delay a heartbeat. The queue itself is bounded in entries and bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "common/auth/auth.h"
#include "common/base/status.h"
#include "common/proto/envelope.h"

namespace herd::ctld {

class QueryQueue {
 public:
  struct Item {
    std::string peer;  // routing id to answer
    Identity who;
    proto::Frame frame;
  };
  struct Limits {
    size_t per_user = 256;     // waiting queries of one uid
    size_t total = 4096;       // waiting queries of everyone
    size_t bytes = 32u << 20;  // their request bodies together
  };

  QueryQueue() = default;
  explicit QueryQueue(Limits limits) : limits_(limits) {}

  // kResourceExhausted (with the reason) when a limit would be passed: the caller answers
  // the request with that at once.
  Status Push(Item item);
  // The next query, taking users in turn (ascending uid, wrapping around).
  std::optional<Item> Pop();
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }

 private:
  Limits limits_;
  std::map<uint32_t, std::deque<Item>> by_user_;
  std::optional<uint32_t> last_uid_;  // served last
  size_t count_ = 0;
  size_t bytes_ = 0;
};

// Whether `type` is a query the core answers through the QueryQueue.
bool IsQueuedQuery(proto::MsgType type);

}  // namespace herd::ctld
