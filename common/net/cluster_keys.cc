// herd — the public keys of a cluster's daemons.
#include "common/net/cluster_keys.h"

#include <algorithm>

#include "common/net/curve_keys.h"
#include "common/net/zmq_endpoint.h"

namespace herd::net {

std::string ControllerAddress(const ClusterConfig& config, const ControllerAddr& ctl) {
  return TcpAddress(ctl.host, ctl.port != 0 ? ctl.port : config.controller_port);
}

std::string CommandAddress(const ControllerAddr& ctl) {
  return ctl.command_port != 0 ? TcpAddress(ctl.host, ctl.command_port) : std::string();
}

std::string WitnessAddress(const ClusterConfig& config) {
  return TcpAddress(config.witness_addr.host, config.witness_addr.port);
}

std::string NodeAddress(const NodeConfig& node) {
  return TcpAddress(node.addr.empty() ? node.name : node.addr, node.port);
}

Status UseClusterKeys(const ClusterConfig& config, KeysWanted wanted) {
  for (const ControllerAddr& ctl : config.controllers) {
    HERD_ASSIGN_OR_RETURN(std::string key, ReadPublicKey(config.key_dir, ctl.name));
    SetServerKey(ControllerAddress(config, ctl), key);
    if (ctl.command_port != 0) SetSealedServerKey(CommandAddress(ctl), key);
  }
  if (config.has_witness()) {
    auto key = ReadPublicKey(config.key_dir, config.witness_addr.name);
    if (key.ok()) {
      SetServerKey(WitnessAddress(config), *key);
    } else if (wanted.witness) {
      return key.error();
    }
  }
  if (wanted.nodes) {
    for (const NodeConfig& n : config.nodes) {
      HERD_ASSIGN_OR_RETURN(std::string key, ReadPublicKey(config.key_dir, n.name));
      SetServerKey(NodeAddress(n), key);
    }
  }
  RequireServerKeys();
  return Status::Ok();
}

std::vector<std::string> DaemonNames(const ClusterConfig& config) {
  std::vector<std::string> names;
  auto add = [&](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  };
  for (const ControllerAddr& ctl : config.controllers) add(ctl.name);
  if (config.has_witness()) add(config.witness_addr.name);
  for (const NodeConfig& n : config.nodes) add(n.name);
  return names;
}

}  // namespace herd::net
