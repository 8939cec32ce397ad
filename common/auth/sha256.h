// herd — SHA-256 (FIPS 180-4), our own so the binaries need no libcrypto. Used for the
// digest of a request body that a MUNGE credential binds; `Sha256()` in auth.h is the
// one-shot form, this class the incremental one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace herd {

class Sha256Hasher {
 public:
  static constexpr size_t kDigestSize = 32;
  static constexpr size_t kBlockSize = 64;

  Sha256Hasher() { Reset(); }

  // Starts a new message.
  void Reset();
  // Appends `len` bytes of the message.
  void Update(const void* data, size_t len);
  void Update(const std::string& data) { Update(data.data(), data.size()); }
  // Pads, writes the 32-byte digest to `out` and resets for a new message.
  void Final(uint8_t out[kDigestSize]);
  // Final() as 32 raw bytes.
  std::string FinalString();

 private:
  void Compress(const uint8_t block[kBlockSize]);

  uint32_t state_[8];
  uint64_t total_len_;  // bytes hashed so far
  uint8_t buffer_[kBlockSize];
  size_t buffered_;  // bytes in buffer_, always < kBlockSize between calls
};

}  // namespace herd
