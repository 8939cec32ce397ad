// herd fuzz — the job blob segments (controller/store/blob_store.cc) as a restarted
// controller indexes and reads them, then writes, removes and compacts over them.
//
// The first byte picks the mode; the rest is the segment file seg-000001:
//   even: byte for byte (headers, torn tails, damaged blobs);
//   odd:  each whole blob header's checksum is set to match its body first, so the body's
//         decoder is reached (the header: u32 magic, u32 length, u64 job id, u32 crc32,
//         u32 reserved).
// Afterwards a blob written through the store survives the removals, the compaction and a
// second restart unchanged.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include "common/base/fs.h"
#include "controller/store/blob_store.h"
#include "controller/store/state_store.h"
#include "testsuite/fuzz/fuzz_util.h"

namespace {

using namespace herd;

constexpr size_t kHeader = 24;

uint64_t Le(const std::string& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(b[off + i])) << (8 * i);
  return v;
}

// The job ids of the whole headers in `seg`, fixing their checksums when `fix`.
std::set<uint64_t> WalkHeaders(std::string& seg, bool fix) {
  std::set<uint64_t> ids;
  size_t off = 0;
  while (seg.size() - off >= kHeader) {
    uint64_t length = Le(seg, off + 4, 4);
    if (length > seg.size() - off - kHeader) break;
    ids.insert(Le(seg, off + 8, 8));
    if (fix) {
      uint32_t crc = ctld::Crc32(seg.data() + off + kHeader, length);
      for (size_t i = 0; i < 4; ++i) seg[off + 16 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    }
    off += kHeader + length;
  }
  return ids;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herd::fuzz::QuietLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  fuzz::ScratchDir dir;
  const std::string jobs = dir.path() + "/jobs";
  HERD_FUZZ_CHECK(MakeDirs(jobs, 0700).ok());
  std::string seg = fuzz::AsString(data + 1, size - 1);
  std::set<uint64_t> ids = WalkHeaders(seg, (data[0] & 1) != 0);
  HERD_FUZZ_CHECK(WriteFileAtomic(jobs + "/seg-000001", seg, false).ok());

  constexpr uint64_t kMine = 0xfedcba9876543210ull;
  const ctld::JobBlob mine{"#!/bin/sh\ntrue\n", {"job.sh", "a"}, {"A=1", "B=2"}};
  {
    // Small segments, so a few writes rotate and compact.
    ctld::BlobStore store(jobs, 256);
    if (!store.Init().ok()) return 0;
    for (uint64_t id : ids) (void)store.Read(id);
    HERD_FUZZ_CHECK(store.Write(kMine, mine).ok());
    for (uint64_t id : ids) {
      if (id % 2 == 0 && id != kMine) store.Remove(id);
    }
    for (int i = 0; i < 4; ++i)
      HERD_FUZZ_CHECK(store.Write(i, {std::string(100, 'x'), {}, {}}).ok());
    store.RetainOnly([](uint64_t id) { return id % 3 != 0 || id == kMine; });
    auto back = store.Read(kMine);
    HERD_FUZZ_CHECK(back.ok());
    HERD_FUZZ_CHECK(back->script == mine.script && back->argv == mine.argv &&
                    back->env == mine.env);
  }
  ctld::BlobStore store(jobs, 256);
  HERD_FUZZ_CHECK(store.Init().ok());
  auto back = store.Read(kMine);
  HERD_FUZZ_CHECK(back.ok());
  HERD_FUZZ_CHECK(back->script == mine.script && back->argv == mine.argv && back->env == mine.env);
  return 0;
}
