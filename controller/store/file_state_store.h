// herd — StateStore on local disk: <dir>/journal and <dir>/checkpoint (formats in
// journal_format.h, rules in doc/processes.md "State directory").
//
// The checkpoint is replaced atomically (new file, fsync, rename, fsync dir) after a
// syncfs of the state directory, so job blob segments written without fsync are durable
// before the journal that also holds their content is dropped; then a new journal whose
// header names the checkpoint's last record replaces the old one the same way.
//
// Load refuses (kDataLoss, with what, where and what to do) anything but a torn tail:
// damage followed by a valid record, a sequence gap, a journal missing next to a
// checkpoint, a journal that starts after its checkpoint. ScanForSalvage reads the same
// files leniently for `herdctld --salvage`.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "controller/store/state_store.h"

namespace herd::ctld {

// What a salvage finds on disk: what can be kept and what cannot.
struct SalvageScan {
  Recovered kept;                     // a usable checkpoint and the valid records after it
  std::vector<std::string> problems;  // each damage, gap or missing file, in words
  std::vector<JournalRecord> lost;    // fragments of records that cannot be kept
  std::vector<std::pair<uint64_t, uint64_t>> missing;  // ranges of records known lost
  uint64_t last_seq = 0;  // the highest sequence number seen, kept or not
};

class FileStateStore : public StateStore {
 public:
  // Creates `dir` if needed and takes an exclusive lock on it (two controllers on one
  // state directory is refused).
  static Result<std::unique_ptr<FileStateStore>> Open(const std::string& dir);
  ~FileStateStore() override;

  Result<Recovered> Load() override;
  void Append(uint16_t type, std::string body) override;
  bool HasPending() const override { return !pending_.empty(); }
  Status Commit() override;
  Status Checkpoint(const std::string& state) override;
  uint64_t RecordsSinceCheckpoint() const override { return since_checkpoint_; }
  uint64_t LastSeq() const override { return next_seq_ - 1; }
  Status Install(const std::string& state, uint64_t seq) override;
  Result<uint64_t> AvailableBytes() const override;

  // Reads everything that is still valid, whatever the damage (kUnsupported for a
  // format newer than this version). Changes nothing; Install() then writes the result.
  Result<SalvageScan> ScanForSalvage();

 private:
  FileStateStore(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  Status OpenJournal();
  // Replaces the journal by an empty one (header only) that continues after `base_seq`,
  // followed by `records` (already encoded).
  Status StartJournal(uint64_t base_seq, const std::string& records = std::string());
  bool HasJobBlobs() const;

  std::string dir_;
  int lock_fd_ = -1;
  int journal_fd_ = -1;
  uint64_t next_seq_ = 1;
  uint64_t since_checkpoint_ = 0;
  uint64_t journal_size_ = 0;  // bytes of the journal known durable
  std::string pending_;
};

}  // namespace herd::ctld
