// herd — StateStore on local disk: <dir>/journal and <dir>/checkpoint.
//
// journal record:  u32 body length | u32 crc32(seq..body) | u64 seq | u16 type | u16 0 | body
// checkpoint file: "HERDCKPT" | u32 format 1 | u64 last seq | u32 crc32(body) | body
// The checkpoint is replaced atomically (new file, fsync, rename, fsync dir) after a
// syncfs of the state directory, so job blob segments written without fsync are durable
// before the journal that also holds their content is dropped.
#pragma once

#include <memory>
#include <string>

#include "controller/store/state_store.h"

namespace herd::ctld {

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

 private:
  FileStateStore(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  Status OpenJournal();

  std::string dir_;
  int lock_fd_ = -1;
  int journal_fd_ = -1;
  uint64_t next_seq_ = 1;
  uint64_t since_checkpoint_ = 0;
  uint64_t journal_size_ = 0;  // bytes of the journal known durable
  std::string pending_;
};

}  // namespace herd::ctld
