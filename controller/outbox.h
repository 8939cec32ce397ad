// herd — the controller's messages to node daemons (launches, signals, terminations),
// each kept until its node answers it: sent when its node is registered, sent again every
// 2 s until answered, signed afresh at every send and matched to its answer by the request
// id of its last send. A component of the controller core (core.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/clock.h"
#include "common/proto/messages.h"
#include "controller/state/job.h"

namespace herd::ctld {

// A signed frame for node `node` (index into config.nodes).
struct OutMsg {
  size_t node = 0;
  std::string bytes;
};

// A message waiting for its node's answer.
struct NodeMessage {
  size_t node = 0;
  proto::MsgType type = proto::MsgType::kInvalid;
  uint64_t job_id = 0;
  uint32_t run_seq = 0;
  std::string body;
  int64_t next_try_ms = 0;
  uint32_t attempts = 0;  // sends so far
};

class Outbox {
 public:
  Outbox(Clock& clock, Authenticator& auth) : clock_(clock), auth_(auth) {}

  void Queue(size_t node, proto::MsgType type, uint64_t job_id, uint32_t run_seq, std::string body);
  // Forgets every message about `job_id` (its run is over or replaced).
  void DropFor(uint64_t job_id);
  // Forgets everything (on becoming active or stepping down: the active decides).
  void Clear() { waiting_.clear(); }
  // The messages waiting for `node` go at the next Due() (it has just registered).
  void SendNowTo(size_t node);
  // The first waiting message that `pred` accepts, or null.
  const NodeMessage* FindIf(const std::function<bool(const NodeMessage&)>& pred) const;

  // Signs and returns the messages due now for nodes that are registered, with `epoch`.
  std::vector<OutMsg> Due(uint64_t epoch, const std::vector<NodeRecord>& nodes);
  // The message that an answer from `node` to request `request_id` answers, taken out;
  // nothing for a late answer to an earlier send.
  std::optional<NodeMessage> TakeAnswered(size_t node, uint64_t request_id);

 private:
  Clock& clock_;
  Authenticator& auth_;
  std::map<uint64_t, NodeMessage> waiting_;  // by request id of the last send
  uint64_t next_request_id_ = 1;
};

}  // namespace herd::ctld
