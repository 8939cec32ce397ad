// herd — StateStore in memory, for tests and the simulator. Crash() forgets what was
// appended but not committed, as a power loss forgets unsynced writes. FailCommits()
// makes every Commit() (and Checkpoint()) fail as a full disk would, keeping what was
// appended, until Heal(); set_available() sets what AvailableBytes() reports.
#pragma once

#include "controller/store/state_store.h"

namespace herd::ctld {

class MemoryStateStore : public StateStore {
 public:
  Result<Recovered> Load() override {
    Recovered r;
    r.checkpoint = checkpoint_;
    r.checkpoint_seq = checkpoint_seq_;
    r.records = records_;
    return r;
  }
  void Append(uint16_t type, std::string body) override {
    pending_.push_back({next_seq_++, type, std::move(body)});
  }
  bool HasPending() const override { return !pending_.empty(); }
  Status Commit() override {
    if (!failure_.ok() && !pending_.empty()) return failure_;
    for (auto& r : pending_) records_.push_back(std::move(r));
    pending_.clear();
    commits_++;
    return Status::Ok();
  }
  Status Checkpoint(const std::string& state) override {
    HERD_RETURN_IF_ERROR(Commit());
    if (!failure_.ok()) return failure_;
    checkpoint_ = state;
    checkpoint_seq_ = next_seq_ - 1;
    records_.clear();
    return Status::Ok();
  }
  uint64_t RecordsSinceCheckpoint() const override { return records_.size() + pending_.size(); }
  uint64_t LastSeq() const override { return next_seq_ - 1; }
  Status Install(const std::string& state, uint64_t seq) override {
    pending_.clear();
    records_.clear();
    checkpoint_ = state;
    checkpoint_seq_ = seq;
    next_seq_ = seq + 1;
    return Status::Ok();
  }

  Result<uint64_t> AvailableBytes() const override { return available_; }

  void FailCommits(Status why) { failure_ = std::move(why); }
  void Heal() { failure_ = Status::Ok(); }
  void set_available(uint64_t bytes) { available_ = bytes; }
  size_t pending() const { return pending_.size(); }
  size_t committed() const { return records_.size(); }

  void Crash() {
    next_seq_ -= pending_.size();
    pending_.clear();
  }
  size_t commits() const { return commits_; }

 private:
  std::string checkpoint_;
  uint64_t checkpoint_seq_ = 0;
  std::vector<JournalRecord> records_;
  std::vector<JournalRecord> pending_;
  uint64_t next_seq_ = 1;
  size_t commits_ = 0;
  Status failure_;
  uint64_t available_ = UINT64_MAX / 2;
};

}  // namespace herd::ctld
