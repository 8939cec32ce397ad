// herd hrun — the ROUTER the nodes' step daemons connect to (StepSpec.io_addr): which
// local address they can reach, and binding it on a free port.
//
// The address is $HERD_IO_ADDR (an IPv4 address or a host name) when set; else, for the
// first controller (in configured order) whose host resolves and has a route: 127.0.0.1
// when it is on loopback (a single-host cluster), or the local address of this host's route
// to it (the interface the nodes most likely share with it); else the address of this
// host's name; else 127.0.0.1. Which controller is active does not matter: a pair sits on
// the same network, and no packet is sent to find the route.
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

// The ROUTER itself: net::RpcServer's behaviour (one frame per message after the routing
// id, sends that never block) with a small receive high-water mark, which must be set
// before binding: a node that produces output faster than hrun writes it is then held
// back by TCP (and its step daemon drops what overflows) instead of filling hrun's memory.
class IoRouter {
 public:
  static constexpr int kReceiveHighWater = 64;  // frames of up to 64 KiB, per node

  // Binds `address` ("tcp://10.0.0.1:*") as a CURVE server with a key pair made for this
  // hrun alone: only step daemons told its public key (through the controller) can
  // connect, and a process that takes the port after hrun is gone cannot pose as it.
  static Result<std::unique_ptr<IoRouter>> Bind(const std::string& address);
  // "tcp://ip:port" as bound.
  const std::string& address() const { return address_; }
  // The CURVE public key (Z85) step daemons must expect (StepSpec::io_key).
  const std::string& public_key() const { return public_key_; }
  // One message if one is waiting; kNotFound when none; kInvalidArgument for a message
  // that is not one frame (dropped).
  Result<net::Incoming> TryRecv();
  // Sends `bytes` to `peer`; a peer that went away or is full loses the frame.
  void Send(const std::string& peer, const std::string& bytes);
  zmq::socket_t& socket() { return sock_; }

 private:
  explicit IoRouter(zmq::socket_t s) : sock_(std::move(s)) {}
  zmq::socket_t sock_;
  std::string address_;
  std::string public_key_;
};

// Binds hrun's ROUTER on `ip`, any free port.
Result<std::unique_ptr<IoRouter>> BindIoEndpoint(const std::string& ip);

}  // namespace herd::hrun
