// herd — what a voter must never forget: the highest epoch it has seen, whom it voted for
// in it, the epoch its journal came from, and (the witness) which controller may not be
// elected because it lacks acknowledged records. Saved durably before any answer that
// depends on it.
#pragma once

#include <cstdint>
#include <string>

#include "common/base/status.h"

namespace herd::ctld::ha {

struct VoteState {
  uint64_t epoch = 0;
  std::string voted_for;   // in `epoch`; "" = nobody yet
  uint64_t log_epoch = 0;  // controllers: the active epoch the journal was written under
  std::string excluded;    // witness: a controller that may not be elected
  bool operator==(const VoteState& o) const {
    return epoch == o.epoch && voted_for == o.voted_for && log_epoch == o.log_epoch &&
           excluded == o.excluded;
  }
};

class VoteStore {
 public:
  virtual ~VoteStore() = default;
  // A missing store is a fresh voter (all zero); a damaged one is kDataLoss; one with an
  // epoch above proto::kMaxEpoch is kFailedPrecondition (see ResetPoisonedVote).
  virtual Result<VoteState> Load() = 0;
  virtual Status Save(const VoteState& s) = 0;
};

// "<dir>/vote": one line, written to a new file, fsynced and renamed into place.
class FileVoteStore : public VoteStore {
 public:
  explicit FileVoteStore(std::string path) : path_(std::move(path)) {}
  Result<VoteState> Load() override;
  Status Save(const VoteState& s) override;

 private:
  std::string path_;
};

// How far above the journal's epoch ResetPoisonedVote puts a poisoned epoch: more
// elections than a pair can run without one of them becoming active and writing.
constexpr uint64_t kResetMargin = 65536;

// The way out of a vote file whose epoch is above proto::kMaxEpoch (a forged answer
// believed before voters were authenticated): the epoch becomes the journal's epoch (0
// if that is poisoned too) plus kResetMargin, with no vote in it. Returns what was done;
// a sane file is left alone. For `herdctld --reset-vote`, with the voter stopped.
Result<std::string> ResetPoisonedVote(const std::string& path);

class MemoryVoteStore : public VoteStore {
 public:
  Result<VoteState> Load() override { return state_; }
  Status Save(const VoteState& s) override {
    state_ = s;
    saves_++;
    return Status::Ok();
  }
  uint64_t saves() const { return saves_; }

 private:
  VoteState state_;
  uint64_t saves_ = 0;
};

}  // namespace herd::ctld::ha
