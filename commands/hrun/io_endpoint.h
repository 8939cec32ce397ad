// herd hrun — the ROUTER the nodes' step daemons connect to (StepSpec.io_addr): which
// local address they can reach, and binding it on a free port.
//
// The address is $HERD_IO_ADDR (an IPv4 address or a host name) when set; else 127.0.0.1
// when the first controller is on loopback (a single-host cluster); else the local address
// of this host's route to the controller (the interface the nodes most likely share with
// it); else the address of this host's name; else 127.0.0.1.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"
#include "common/net/zmq_endpoint.h"

namespace herd::hrun {

// The IPv4 address (dotted) of `host` ("10.0.0.1" or a name); kNotFound when it has none.
Result<std::string> ResolveIpv4(const std::string& host);

bool IsLoopbackIpv4(const std::string& ip);

// The address to bind and advertise, as described above.
Result<std::string> ChooseIoHost(const ClusterConfig& config, const std::vector<std::string>& env);

struct IoEndpoint {
  std::unique_ptr<net::RpcServer> server;
  std::string address;  // "tcp://ip:port" as bound
};

// Binds a ROUTER on `ip`, any free port.
Result<IoEndpoint> BindIoEndpoint(const std::string& ip);

}  // namespace herd::hrun
