// herd — CurveZMQ keys.
#include "common/net/curve_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::net {
namespace {

std::string KeygenHint() { return " (create the cluster's keys with `hcontrol keygen`)"; }

struct Registry {
  std::mutex mu;
  std::map<std::string, std::string> keys;
  std::set<std::string> sealed;  // addresses whose requests are sealed
  bool required = false;
};

Registry& Keys() {
  static Registry* r = new Registry();  // never destroyed: used until exit
  return *r;
}

// Writes `text` to a new file `path` with `mode` (replacing an older one when `overwrite`).
Status WriteNewFile(const std::string& path, const std::string& text, mode_t mode, bool overwrite) {
  const std::string tmp = path + ".new";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Internal("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return Internal("cannot write " + tmp + ": " + std::strerror(err));
  }
  if (!overwrite && ::link(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    if (e == EEXIST) return AlreadyExists(path + " exists");
    return Internal("cannot create " + path + ": " + std::strerror(e));
  }
  if (overwrite && ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Internal("cannot create " + path + ": " + std::strerror(e));
  }
  ::unlink(tmp.c_str());
  return Status::Ok();
}

Result<std::string> ReadKeyFile(const std::string& path) {
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string key = Trim(text);
  if (Status s = CheckCurveKey(key); !s.ok()) return InvalidArgument(path + ": " + s.message());
  return key;
}

}  // namespace

Result<CurveKeyPair> GenerateCurveKeyPair() {
  char pub[kCurveKeyChars + 1] = {0};
  char sec[kCurveKeyChars + 1] = {0};
  if (zmq_curve_keypair(pub, sec) != 0) {
    return Unsupported(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  }
  CurveKeyPair kp{pub, sec};
  std::memset(sec, 0, sizeof sec);
  return kp;
}

Status CheckCurveKey(const std::string& key) {
  if (key.size() != kCurveKeyChars) {
    return InvalidArgument("a CURVE key is " + std::to_string(kCurveKeyChars) +
                           " Z85 characters, not " + std::to_string(key.size()));
  }
  uint8_t raw[32];
  if (zmq_z85_decode(raw, key.c_str()) == nullptr) {
    return InvalidArgument("not a Z85-encoded CURVE key");
  }
  return Status::Ok();
}

Result<std::string> CurvePublicOf(const std::string& secret_key) {
  HERD_RETURN_IF_ERROR(CheckCurveKey(secret_key));
  char pub[kCurveKeyChars + 1] = {0};
  if (zmq_curve_public(pub, secret_key.c_str()) != 0) {
    return Unsupported(std::string("cannot derive a CURVE public key: ") +
                       zmq_strerror(zmq_errno()));
  }
  return std::string(pub);
}

std::string PublicKeyPath(const std::string& dir, const std::string& name) {
  return dir + "/" + name + ".pub";
}

std::string SecretKeyPath(const std::string& dir, const std::string& name) {
  return dir + "/" + name + ".key";
}

Result<std::string> ReadPublicKey(const std::string& dir, const std::string& name) {
  const std::string path = PublicKeyPath(dir, name);
  if (!PathExists(path)) return NotFound("no public key for " + name + ": " + path + KeygenHint());
  return ReadKeyFile(path);
}

Result<std::string> ReadSecretKey(const std::string& dir, const std::string& name) {
  const std::string path = SecretKeyPath(dir, name);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("no secret key for " + name + ": " + path + KeygenHint());
    return Internal("cannot read " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return PermissionDenied(
        path + " may be read by others (mode " + std::to_string((st.st_mode >> 6) & 7) +
        std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
        "): make it 0600 and create a new pair with `hcontrol keygen --force " + name + "`");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return PermissionDenied(path + " is owned by uid " + std::to_string(st.st_uid) +
                            ", not by root or this daemon's user");
  }
  HERD_ASSIGN_OR_RETURN(std::string secret, ReadKeyFile(path));
  HERD_ASSIGN_OR_RETURN(std::string derived, CurvePublicOf(secret));
  auto pub = ReadPublicKey(dir, name);
  if (!pub.ok()) return pub.error();
  if (*pub != derived) {
    return PermissionDenied(path + " does not belong to " + PublicKeyPath(dir, name) +
                            ": the public key the others use would not match");
  }
  return secret;
}

Result<CurveKeyPair> WriteKeyPair(const std::string& dir, const std::string& name, bool overwrite) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    return InvalidArgument("'" + name + "' is not a daemon name");
  }
  HERD_RETURN_IF_ERROR(MakeDirs(dir, 0755));
  HERD_ASSIGN_OR_RETURN(CurveKeyPair kp, GenerateCurveKeyPair());
  // The secret first: a public key never exists without its secret.
  HERD_RETURN_IF_ERROR(
      WriteNewFile(SecretKeyPath(dir, name), kp.secret_key + "\n", 0600, overwrite));
  HERD_RETURN_IF_ERROR(
      WriteNewFile(PublicKeyPath(dir, name), kp.public_key + "\n", 0644, /*overwrite=*/true));
  HERD_RETURN_IF_ERROR(FsyncDir(dir));
  return kp;
}

void SetServerKey(const std::string& address, const std::string& public_key) {
  Registry& r = Keys();
  std::lock_guard<std::mutex> lock(r.mu);
  r.keys[address] = public_key;
  r.sealed.erase(address);
}

void SetSealedServerKey(const std::string& address, const std::string& public_key) {
  Registry& r = Keys();
  std::lock_guard<std::mutex> lock(r.mu);
  r.keys[address] = public_key;
  r.sealed.insert(address);
}

bool IsSealedServer(const std::string& address) {
  Registry& r = Keys();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.sealed.count(address) != 0;
}

void RequireServerKeys() {
  Registry& r = Keys();
  std::lock_guard<std::mutex> lock(r.mu);
  r.required = true;
}

Result<std::string> ServerKeyFor(const std::string& address) {
  Registry& r = Keys();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.keys.find(address);
  if (it != r.keys.end()) return it->second;
  if (r.required) {
    return PermissionDenied("no public key known for " + address +
                            ": it is not a server of this cluster's configuration");
  }
  return std::string();
}

void MakeCurveServer(zmq::socket_t& s, const std::string& secret_key) {
  if (secret_key.empty()) return;
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, secret_key);
}

Status MakeCurveClient(zmq::socket_t& s, const std::string& server_public_key) {
  if (server_public_key.empty()) return Status::Ok();
  static const Result<CurveKeyPair> mine = GenerateCurveKeyPair();
  if (!mine.ok()) return mine.error();
  try {
    s.set(zmq::sockopt::curve_serverkey, server_public_key);
    s.set(zmq::sockopt::curve_publickey, mine->public_key);
    s.set(zmq::sockopt::curve_secretkey, mine->secret_key);
  } catch (const zmq::error_t& e) {
    return InvalidArgument(std::string("cannot use CURVE: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace herd::net
