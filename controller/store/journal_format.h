// herd — the bytes of the journal and the checkpoint, and the rules that decide whether a
// state directory may be loaded (see doc/processes.md, "State directory").
//
// journal (format 2): "HERDJRNL" | u32 format | u64 base seq | u32 crc32(previous 20 bytes)
//                     then records; the first record is base + 1, each next one + 1.
// journal (format 1): records only (no header); read, and rewritten as format 2 on load.
// record:             u32 body length | u32 crc32(seq..body) | u64 seq | u16 type | u16 0 | body
// checkpoint:         "HERDCKPT" | u32 format | u64 last seq | u32 crc32(body) | body
//                     format 2 promises a format 2 journal next to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/store/state_store.h"

namespace herd::ctld::journal {

constexpr uint32_t kFormat = 2;  // what this version writes (journal and checkpoint)
constexpr size_t kRecordHeader = 20;
constexpr size_t kJournalHeader = 24;
constexpr size_t kCheckpointHeader = 24;
constexpr uint32_t kMaxRecord = 256u << 20;

void PutLe(std::string& out, uint64_t v, size_t bytes);
uint64_t GetLe(const char* p, size_t bytes);

std::string EncodeRecord(uint64_t seq, uint16_t type, const std::string& body);
std::string EncodeJournalHeader(uint64_t base_seq);
std::string EncodeCheckpoint(uint64_t seq, const std::string& state);

struct Checkpoint {
  uint32_t format = 0;
  uint64_t seq = 0;
  std::string state;
};
// kDataLoss when damaged, kUnsupported for a format newer than kFormat.
Result<Checkpoint> DecodeCheckpoint(const std::string& bytes, const std::string& path);

// The journal header, when the file has one (format 2 and later).
struct Header {
  bool present = false;
  uint32_t format = 1;
  uint64_t base_seq = 0;
};
Result<Header> DecodeJournalHeader(const std::string& bytes, const std::string& path);

// A stretch of the journal that is not a valid record.
struct Damage {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t after_seq = 0;  // the last valid record before it (or the journal's base)
  uint64_t next_seq = 0;   // the first valid record after it; 0: nothing valid follows
  // The search gave up (more candidate headers than checksumming them is worth): whether
  // valid records follow is unknown, so it is not a torn tail either.
  bool undecided = false;
  // Headers found inside it whose sequence number fits (their checksum fails, so their
  // bodies may be damaged too): what the salvage can still say about the lost records.
  std::vector<JournalRecord> fragments;
};

struct Scan {
  std::vector<JournalRecord> records;  // every valid record, in file order
  std::vector<uint64_t> offsets;       // of each record
  std::vector<Damage> damage;          // the last one may be a torn tail (next_seq == 0)
  uint64_t end_of_valid = 0;           // offset after the last valid record
};

// Reads the records from `begin` on. Damage is skipped over by searching forward for
// the next record whose header and checksum hold and whose sequence number continues
// plausibly from `prev_seq` (at most one more per 20 bytes skipped). The bytes
// checksummed by the search are bounded (16 times the file), so crafted damage made of
// many possible headers cannot make it run for hours.
Scan ScanRecords(const std::string& j, size_t begin, uint64_t prev_seq);

}  // namespace herd::ctld::journal
