// herd fuzz — the journal as the controller recovers it: FileStateStore::ScanForSalvage
// (herdctld --salvage) and Load over a state directory, then every record replayed into a
// ClusterState (ClusterState::ApplyRecord).
//
// The first byte picks how the rest becomes a journal:
//   even: the rest is the journal file, byte for byte (framing, checksums, torn tails);
//   odd:  the rest is a list of records (u16 type, u16 length, body), written through the
//         store's own Append/Commit so they pass the checksums and the bodies' decoders are
//         reached. Load must then give back exactly those records.
// What replays must also survive a checkpoint: Snapshot, Restore into a fresh state, and
// Snapshot again gives the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/base/fs.h"
#include "controller/state/cluster_state.h"
#include "controller/store/file_state_store.h"
#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/fuzz/state_config.h"

namespace {

using namespace herd;

std::vector<ctld::JournalRecord> SplitRecords(const uint8_t* p, size_t n) {
  std::vector<ctld::JournalRecord> out;
  size_t off = 0;
  while (n - off >= 4) {
    ctld::JournalRecord r;
    r.type = static_cast<uint16_t>(p[off] | (p[off + 1] << 8));
    size_t len = static_cast<size_t>(p[off + 2] | (p[off + 3] << 8));
    off += 4;
    len = std::min(len, n - off);
    r.body.assign(reinterpret_cast<const char*>(p + off), len);
    off += len;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herd::fuzz::QuietLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  fuzz::ScratchDir dir;
  const bool as_records = (data[0] & 1) != 0;
  std::vector<ctld::JournalRecord> written;
  if (as_records) {
    written = SplitRecords(data + 1, size - 1);
    auto store = ctld::FileStateStore::Open(dir.path());
    HERD_FUZZ_CHECK(store.ok());
    HERD_FUZZ_CHECK((*store)->Load().ok());
    for (const auto& r : written) (*store)->Append(r.type, r.body);
    HERD_FUZZ_CHECK((*store)->Commit().ok());
  } else {
    HERD_FUZZ_CHECK(
        WriteFileAtomic(dir.path() + "/journal", fuzz::AsString(data + 1, size - 1), false).ok());
  }

  auto store = ctld::FileStateStore::Open(dir.path());
  HERD_FUZZ_CHECK(store.ok());
  // What `herdctld --salvage` reads first (it changes nothing), then what a start reads.
  (void)(*store)->ScanForSalvage();
  auto rec = (*store)->Load();
  if (as_records) {
    // Records the store itself wrote are all read back, in order, unchanged.
    HERD_FUZZ_CHECK(rec.ok());
    HERD_FUZZ_CHECK(!rec->torn_tail);
    HERD_FUZZ_CHECK(rec->records.size() == written.size());
    for (size_t i = 0; i < written.size(); ++i) {
      HERD_FUZZ_CHECK(rec->records[i].seq == i + 1);
      HERD_FUZZ_CHECK(rec->records[i].type == written[i].type);
      HERD_FUZZ_CHECK(rec->records[i].body == written[i].body);
    }
  }
  if (!rec.ok()) return 0;

  const ClusterConfig& config = fuzz::StateConfig();
  ctld::ClusterState state(config);
  for (const auto& r : rec->records) (void)state.ApplyRecord(r.type, r.body);
  const std::string snapshot = state.Snapshot();
  ctld::ClusterState restored(config);
  HERD_FUZZ_CHECK(restored.Restore(snapshot).ok());
  HERD_FUZZ_CHECK(restored.Snapshot() == snapshot);
  return 0;
}
