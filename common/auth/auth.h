// herd — request authentication. A request's credential binds its body: the signer puts a
// SHA-256 digest of the body into a MUNGE credential; the verifier decodes it (munged
// checks the MAC, the TTL and replay) and compares the digest. The verified uid/gid are
// the only identity the receiver trusts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/base/status.h"

namespace herd {

struct Identity {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // A credential for `body`, from this process's uid/gid.
  virtual Result<std::string> Sign(const std::string& body) = 0;
  // kPermissionDenied for a bad, expired, replayed or mismatched credential.
  virtual Result<Identity> Verify(const std::string& credential, const std::string& body) = 0;
};

// MUNGE through the munged at `socket` (empty: libmunge's default socket).
std::unique_ptr<Authenticator> MakeMungeAuth(const std::string& socket);

// 32 raw bytes.
std::string Sha256(const std::string& data);

}  // namespace herd
