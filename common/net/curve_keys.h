// herd — CurveZMQ keys (doc/security.md).
//
// Every server (each herdctld, the witness, each herdd, and each hrun for the I/O of its
// step) is a CURVE server with a secret key; every client names the public key of the
// server it expects, so a process that holds a daemon's port without its secret key cannot
// complete the handshake: it gets nothing readable, and nothing it sends is received. The
// daemons' key pairs live in KeyDir as "<name>.pub" and "<name>.key"; a client's own key
// pair is made afresh in each process (clients prove who they are with the MUNGE
// credential of every request, not with a key).
#pragma once

#include <string>
#include <zmq.hpp>

#include "common/base/status.h"

namespace herd::net {

// A key in Z85 text: 40 characters for 32 bytes.
constexpr size_t kCurveKeyChars = 40;

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// A new random key pair.
Result<CurveKeyPair> GenerateCurveKeyPair();
// kInvalidArgument unless `key` is the Z85 text of a 32-byte key.
Status CheckCurveKey(const std::string& key);
// The public key that belongs to `secret_key`.
Result<std::string> CurvePublicOf(const std::string& secret_key);

// "<dir>/<name>.pub" and "<dir>/<name>.key".
std::string PublicKeyPath(const std::string& dir, const std::string& name);
std::string SecretKeyPath(const std::string& dir, const std::string& name);
// The key in "<dir>/<name>.pub". kNotFound (naming `hcontrol keygen`) when missing.
Result<std::string> ReadPublicKey(const std::string& dir, const std::string& name);
// The secret key in "<dir>/<name>.key". Refused (kPermissionDenied) when the file may be
// read by others (group or other permission bits) or is owned by someone other than root
// or this process's user, and when it does not match "<name>.pub" beside it.
Result<std::string> ReadSecretKey(const std::string& dir, const std::string& name);
// Makes a new pair for `name`: "<name>.key" mode 0600 and "<name>.pub" mode 0644 (the
// directory 0755 if missing). kAlreadyExists when the secret key exists and not
// `overwrite`.
Result<CurveKeyPair> WriteKeyPair(const std::string& dir, const std::string& name, bool overwrite);

// The public keys of the servers this process connects to, by address
// ("tcp://host:port"). Once RequireServerKeys() has been called, a client to an address
// without a key refuses to connect (fails closed); before it, such a client speaks plain
// ZMTP (unit tests with fake servers).
void SetServerKey(const std::string& address, const std::string& public_key);
// Like SetServerKey, for a server's command endpoint: requests to it are sealed
// (common/net/sealed.h) instead of going over a CURVE session.
void SetSealedServerKey(const std::string& address, const std::string& public_key);
// Whether `address` was registered with SetSealedServerKey.
bool IsSealedServer(const std::string& address);
void RequireServerKeys();
// The key for `address`; "" = plain; an error when keys are required and none is known.
Result<std::string> ServerKeyFor(const std::string& address);

// Socket options, set before bind()/connect(). An empty key leaves the socket plain.
void MakeCurveServer(zmq::socket_t& s, const std::string& secret_key);
// Uses this process's client key pair (made on first use).
Status MakeCurveClient(zmq::socket_t& s, const std::string& server_public_key);

}  // namespace herd::net
