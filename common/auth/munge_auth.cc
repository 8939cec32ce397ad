// herd — MUNGE authentication (auth/munge).
#include <munge.h>

#include <cstdlib>
#include <cstring>

#include "common/auth/auth.h"

namespace herd {

namespace {

// munge_decode() writes the decoded credential's options into the context it is given,
// and a failed decode leaves it unusable for encoding ("Invalid MAC type 0"). So encoding
// keeps one context and every decode gets a fresh one: one forged credential must not
// break a daemon's own signing.
class MungeAuth : public Authenticator {
 public:
  explicit MungeAuth(const std::string& socket) : socket_(socket), ctx_(NewContext()) {}
  ~MungeAuth() override {
    if (ctx_ != nullptr) munge_ctx_destroy(ctx_);
  }
  MungeAuth(const MungeAuth&) = delete;
  MungeAuth& operator=(const MungeAuth&) = delete;

  Result<std::string> Sign(const std::string& body) override {
    if (ctx_ == nullptr) return Internal("munge context could not be created");
    std::string digest = Sha256(body);
    char* cred = nullptr;
    munge_err_t err = munge_encode(&cred, ctx_, digest.data(), static_cast<int>(digest.size()));
    if (err != EMUNGE_SUCCESS) {
      if (cred != nullptr) std::free(cred);
      return Unavailable(std::string("cannot get a MUNGE credential: ") + munge_strerror(err));
    }
    std::string out(cred);
    std::free(cred);
    return out;
  }

  Result<Identity> Verify(const std::string& credential, const std::string& body) override {
    if (credential.empty()) return PermissionDenied("request carries no credential");
    munge_ctx_t dctx = NewContext();
    if (dctx == nullptr) return Internal("munge context could not be created");
    void* payload = nullptr;
    int len = 0;
    uid_t uid = 0;
    gid_t gid = 0;
    munge_err_t err = munge_decode(credential.c_str(), dctx, &payload, &len, &uid, &gid);
    munge_ctx_destroy(dctx);
    std::string got;
    if (payload != nullptr) {
      got.assign(static_cast<char*>(payload), static_cast<size_t>(len));
      std::free(payload);
    }
    if (err != EMUNGE_SUCCESS) {
      return PermissionDenied(std::string("credential refused: ") + munge_strerror(err));
    }
    if (got != Sha256(body)) {
      return PermissionDenied("credential does not match the message body");
    }
    return Identity{static_cast<uint32_t>(uid), static_cast<uint32_t>(gid)};
  }

 private:
  munge_ctx_t NewContext() const {
    munge_ctx_t c = munge_ctx_create();
    if (c != nullptr && !socket_.empty()) munge_ctx_set(c, MUNGE_OPT_SOCKET, socket_.c_str());
    return c;
  }

  std::string socket_;
  munge_ctx_t ctx_;
};

}  // namespace

std::unique_ptr<Authenticator> MakeMungeAuth(const std::string& socket) {
  return std::make_unique<MungeAuth>(socket);
}

}  // namespace herd
