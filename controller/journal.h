// herd — the controller's journaling: every change of the state is an event (events.h),
// applied to ClusterState and appended to the store in one step, so that what the state
// says is what the journal replays. The events of a batch are also kept for the passive
// (with two controllers) and noted for accounting; the core hands both on once the batch
// is committed (ControllerCore::Flush). Every component of the core changes the state
// through Emit and nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/proto/codec.h"
#include "common/proto/ha_messages.h"
#include "controller/acct/acct_hook.h"
#include "controller/state/cluster_state.h"
#include "controller/store/state_store.h"

namespace herd::ctld {

class Journal {
 public:
  // `replicated`: whether there is a passive to hand the records to (asked per event).
  Journal(ClusterState& state, StateStore& store, std::function<bool()> replicated)
      : state_(state), store_(store), replicated_(std::move(replicated)) {}

  // Accounting, when configured: told what the events touched.
  void set_acct(AcctHook* acct) { acct_ = acct; }

  template <class E>
  Status Emit(const E& e) {
    HERD_RETURN_IF_ERROR(state_.Apply(e));
    emitted_ = true;
    if (acct_ != nullptr) AcctNote(e, &touched_);
    std::string body = proto::EncodeBody(e);
    if (replicated_()) {
      records_.push_back({store_.LastSeq() + 1, static_cast<uint16_t>(E::kType), body});
    }
    store_.Append(static_cast<uint16_t>(E::kType), std::move(body));
    return Status::Ok();
  }

  // This batch appended records (reset when a commit succeeds or fails).
  bool emitted() const { return emitted_; }
  void ClearEmitted() { emitted_ = false; }
  // The records of this batch for the passive, taken once.
  std::vector<proto::HaRecord> TakeRecords() { return std::exchange(records_, {}); }
  bool has_records() const { return !records_.empty(); }
  // What the events of this batch touched, for accounting, taken once committed.
  AcctTouched TakeTouched() { return std::exchange(touched_, {}); }

 private:
  ClusterState& state_;
  StateStore& store_;
  std::function<bool()> replicated_;
  AcctHook* acct_ = nullptr;
  bool emitted_ = false;
  std::vector<proto::HaRecord> records_;
  AcctTouched touched_;
};

}  // namespace herd::ctld
