// herd hcontrol — keygen.
#include "commands/hcontrol/hcontrol_keygen.h"

#include <algorithm>
#include <cstdio>

#include "common/base/fs.h"
#include "common/net/cluster_keys.h"
#include "common/net/curve_keys.h"

namespace herd::hcontrol {

int Keygen(const ClusterConfig& config, const std::vector<std::string>& names, bool force) {
  const std::vector<std::string> known = net::DaemonNames(config);
  const std::vector<std::string>& todo = names.empty() ? known : names;
  int rc = 0;
  for (const std::string& name : todo) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::fprintf(stderr, "hcontrol: error: %s is not a controller, witness or node of %s\n",
                   name.c_str(), config.source_path.c_str());
      rc = 1;
      continue;
    }
    const std::string secret = net::SecretKeyPath(config.key_dir, name);
    if (!force && PathExists(secret)) {
      // A pair that is there stays: the others already trust its public key.
      if (auto ok = net::ReadSecretKey(config.key_dir, name); !ok.ok()) {
        std::fprintf(stderr, "hcontrol: error: %s: %s\n", name.c_str(),
                     ok.error().message().c_str());
        rc = 1;
      } else {
        std::printf("%s: kept %s\n", name.c_str(), secret.c_str());
      }
      continue;
    }
    auto pair = net::WriteKeyPair(config.key_dir, name, force);
    if (!pair.ok()) {
      std::fprintf(stderr, "hcontrol: error: %s: %s\n", name.c_str(),
                   pair.error().message().c_str());
      rc = 1;
      continue;
    }
    std::printf("%s: created %s and %s\n", name.c_str(), secret.c_str(),
                net::PublicKeyPath(config.key_dir, name).c_str());
  }
  return rc;
}

}  // namespace herd::hcontrol
