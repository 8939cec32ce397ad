// herd fuzz — a voter's vote file (controller/ha/vote_store.cc): what loads must save and
// load back to the same epochs and names.
#include <cstddef>
#include <cstdint>

#include "common/base/fs.h"
#include "controller/ha/vote_store.h"
#include "testsuite/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace herd;
  fuzz::ScratchDir dir;
  const std::string path = dir.path() + "/vote";
  HERD_FUZZ_CHECK(WriteFileAtomic(path, fuzz::AsString(data, size), false).ok());
  ctld::ha::FileVoteStore store(path);
  auto s = store.Load();
  if (!s.ok()) return 0;
  ctld::ha::FileVoteStore copy(dir.path() + "/vote.copy");
  HERD_FUZZ_CHECK(copy.Save(*s).ok());
  auto back = copy.Load();
  HERD_FUZZ_CHECK(back.ok());
  HERD_FUZZ_CHECK(*back == *s);
  return 0;
}
