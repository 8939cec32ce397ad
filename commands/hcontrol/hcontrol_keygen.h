// herd hcontrol — keygen: the daemons' CURVE key pairs in KeyDir (doc/security.md).
#pragma once

#include <string>
#include <vector>

#include "common/config/config.h"

namespace herd::hcontrol {

// Makes "<KeyDir>/<name>.key" (0600) and ".pub" (0644) for each of `names` (empty: every
// controller, witness and node of `config`), keeping existing pairs unless `force`.
// Prints one line per name; returns the exit code (1 when any name failed).
int Keygen(const ClusterConfig& config, const std::vector<std::string>& names, bool force);

}  // namespace herd::hcontrol
