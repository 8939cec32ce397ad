// herd fuzz — the checkpoint as the controller recovers it: FileStateStore::ScanForSalvage
// (herdctld --salvage) and Load, then ClusterState::Restore.
//
// The first byte picks how the rest becomes a checkpoint:
//   even: the rest is the checkpoint file, byte for byte (magic, format, checksum);
//   odd:  the rest is the state, installed through the store's own Install (a valid header
//         and checksum), so Restore's decoder is reached. Load must give it back unchanged.
// What restores must checkpoint again to bytes that restore to the same state.
#include <cstddef>
#include <cstdint>

#include "common/base/fs.h"
#include "controller/state/cluster_state.h"
#include "controller/store/file_state_store.h"
#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/fuzz/state_config.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  herd::fuzz::QuietLog();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  if (size < 1) return 0;
  fuzz::ScratchDir dir;
  const bool installed = (data[0] & 1) != 0;
  const std::string rest = fuzz::AsString(data + 1, size - 1);
  constexpr uint64_t kSeq = 42;
  if (installed) {
    auto store = ctld::FileStateStore::Open(dir.path());
    HERD_FUZZ_CHECK(store.ok());
    HERD_FUZZ_CHECK((*store)->Load().ok());
    HERD_FUZZ_CHECK((*store)->Install(rest, kSeq).ok());
  } else {
    HERD_FUZZ_CHECK(WriteFileAtomic(dir.path() + "/checkpoint", rest, false).ok());
  }

  auto store = ctld::FileStateStore::Open(dir.path());
  HERD_FUZZ_CHECK(store.ok());
  // What `herdctld --salvage` reads first (it changes nothing), then what a start reads.
  (void)(*store)->ScanForSalvage();
  auto rec = (*store)->Load();
  if (installed) {
    HERD_FUZZ_CHECK(rec.ok());
    HERD_FUZZ_CHECK(rec->checkpoint == rest);
    HERD_FUZZ_CHECK(rec->checkpoint_seq == kSeq);
    HERD_FUZZ_CHECK(rec->records.empty());
  }
  if (!rec.ok()) return 0;

  const ClusterConfig& config = fuzz::StateConfig();
  ctld::ClusterState state(config);
  if (!state.Restore(rec->checkpoint).ok()) return 0;
  const std::string snapshot = state.Snapshot();
  ctld::ClusterState again(config);
  HERD_FUZZ_CHECK(again.Restore(snapshot).ok());
  HERD_FUZZ_CHECK(again.Snapshot() == snapshot);
  return 0;
}
