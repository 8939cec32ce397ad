// herd — the public keys of a cluster's daemons, from KeyDir (doc/security.md).
#pragma once

#include "common/base/status.h"
#include "common/config/config.h"

namespace herd::net {

struct KeysWanted {
  bool witness = false;  // the witness's key (voters, hcontrol ping)
  bool nodes = false;    // every node's key (the controller)
};

// The address clients connect to for a controller: "tcp://host:port".
std::string ControllerAddress(const ClusterConfig& config, const ControllerAddr& ctl);
// The address commands send sealed requests to: "tcp://host:command_port"; "" when the
// controller has no command port (commands then use ControllerAddress).
std::string CommandAddress(const ControllerAddr& ctl);
std::string WitnessAddress(const ClusterConfig& config);
std::string NodeAddress(const NodeConfig& node);

// Registers the public key of every controller (and of what `wanted` names) for its
// address (SetServerKey) and from then on refuses to connect to a server without a known
// key (RequireServerKeys). A missing or malformed public key is an error naming the file
// and `hcontrol keygen`; a missing witness key is one only when `wanted.witness`.
Status UseClusterKeys(const ClusterConfig& config, KeysWanted wanted);

// The names of every daemon that needs a key pair: controllers, witness, nodes.
std::vector<std::string> DaemonNames(const ClusterConfig& config);

}  // namespace herd::net
