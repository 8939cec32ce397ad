// herd — what the components of the controller core (jobs, steps, nodes, queries) share,
// and the few services they ask of the core (doc/design.md §11). The state is changed
// only through the journal; node messages go through the outbox; the core owns all of
// them, the loop integration and dispatch. A component needing another one's action
// goes through a callback the core wires, never through the other's fields.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/config/config.h"
#include "common/proto/codec.h"
#include "controller/journal.h"
#include "controller/outbox.h"
#include "controller/state/cluster_state.h"
#include "controller/store/blob_store.h"

namespace herd::ctld {

// The answer to a request that failed: a StatusReply with the error (every handler's).
inline proto::Frame ErrorReply(const Status& s) { return proto::MakeStatusFrame(s, 0); }

// The parts of the core every component works with.
struct CoreParts {
  const ClusterConfig& config;
  Clock& clock;
  ClusterState& state;  // read freely; changed through `journal`
  Journal& journal;
  Outbox& outbox;
  BlobStore& blobs;
};

// What a component asks of the core itself.
class CoreServices {
 public:
  virtual ~CoreServices() = default;
  // root or the configured AdminUser.
  virtual bool IsAdmin(uint32_t uid) const = 0;
  // The user name of `uid` (its number when unknown), cached.
  virtual std::string UserName(uint32_t uid) = 0;
  // The state changed so that a job may start: the core plans again at its flush.
  virtual void RequestSchedule() = 0;
  // This controller's epoch (answers and node messages carry it).
  virtual uint64_t epoch() const = 0;
  // Journals an audit record of an administrative change made by `who` through the
  // request being handled (its address is the record's `from`): entity "kind=name",
  // action, the values before and after.
  virtual Status Audit(const Identity& who, const std::string& entity, const std::string& action,
                       const std::string& old_value, const std::string& new_value) = 0;
};

// After job `job_id` ended: removes its blob unless another job still needs it (an
// array's tasks share the array's) (core.cc).
void DropJobBlob(const ClusterState& state, BlobStore& blobs, uint64_t job_id);

// The environment (or argument) list is within MaxEnvSize (limits.cc).
Status CheckEnvSize(const ClusterConfig& config, const std::vector<std::string>& env);

}  // namespace herd::ctld
