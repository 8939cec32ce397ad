// herd — where the controller's state lives durably: a journal of events plus a
// checkpoint. The interface lets tests and the simulator swap the disk for memory.
//
// Contract: Append() only buffers; Commit() makes every buffered record durable (one
// write + one fdatasync for all of them: group commit). A reply for a request whose
// events were appended must not be sent before Commit() returned OK. A Commit() that
// fails (a full or failing disk) leaves the journal as it was before it and keeps the
// buffered records: a later Commit() tries them again. Checkpoint() writes the whole
// state and then drops the journal records it covers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::ctld {

struct JournalRecord {
  uint64_t seq = 0;
  uint16_t type = 0;
  std::string body;
};

struct Recovered {
  std::string checkpoint;              // empty when there is none
  uint64_t checkpoint_seq = 0;         // last record the checkpoint includes
  std::vector<JournalRecord> records;  // after the checkpoint, in order
  bool torn_tail = false;              // an incomplete last record was dropped
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Reads what is on disk. kDataLoss for real corruption (never a torn tail).
  virtual Result<Recovered> Load() = 0;
  virtual void Append(uint16_t type, std::string body) = 0;
  virtual bool HasPending() const = 0;
  virtual Status Commit() = 0;
  virtual Status Checkpoint(const std::string& state) = 0;
  virtual uint64_t RecordsSinceCheckpoint() const = 0;
  // The sequence number of the last record appended (0 when none ever was).
  virtual uint64_t LastSeq() const = 0;
  // Replaces everything with `state` as a checkpoint at `seq` and an empty journal (a
  // passive controller receiving the active's whole state); the next record is seq + 1.
  virtual Status Install(const std::string& state, uint64_t seq) = 0;
  // Bytes an unprivileged writer may still use on the store's file system (kUnsupported
  // when unknown).
  virtual Result<uint64_t> AvailableBytes() const = 0;
};

// 32-bit CRC (IEEE polynomial), for journal and checkpoint integrity.
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace herd::ctld
