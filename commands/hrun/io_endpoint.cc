// herd hrun — choosing and binding the step's I/O address.
#include "commands/hrun/io_endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "commands/lib/env_list.h"
#include "common/base/strings.h"
#include "common/net/curve_keys.h"
#include "common/proto/envelope.h"

namespace herd::hrun {
namespace {

std::string Dotted(const struct in_addr& a) {
  char buf[INET_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return buf;
}

// The source address the kernel picks for packets to ip:port (no packet is sent).
Result<std::string> RouteSource(const std::string& ip, uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  struct sockaddr_in to;
  std::memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  to.sin_port = htons(port != 0 ? port : 9);
  inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
  struct sockaddr_in me;
  socklen_t len = sizeof(me);
  std::memset(&me, 0, sizeof(me));
  const bool ok = connect(fd, reinterpret_cast<struct sockaddr*>(&to), sizeof(to)) == 0 &&
                  getsockname(fd, reinterpret_cast<struct sockaddr*>(&me), &len) == 0;
  close(fd);
  if (!ok || me.sin_addr.s_addr == htonl(INADDR_ANY)) return NotFound("no route to " + ip);
  return Dotted(me.sin_addr);
}

}  // namespace

Result<std::string> ResolveIpv4(const std::string& host) {
  struct in_addr a;
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return host;
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    return NotFound("cannot resolve " + host);
  }
  const std::string ip = Dotted(reinterpret_cast<struct sockaddr_in*>(res->ai_addr)->sin_addr);
  freeaddrinfo(res);
  return ip;
}

bool IsLoopbackIpv4(const std::string& ip) { return StartsWith(ip, "127."); }

Result<std::string> ChooseIoHost(const ClusterConfig& config, const std::vector<std::string>& env) {
  if (auto given = cli::LookupEnv(env, "HERD_IO_ADDR"); given && !Trim(*given).empty()) {
    auto ip = ResolveIpv4(Trim(*given));
    if (!ip.ok()) return InvalidArgument("HERD_IO_ADDR: " + ip.error().message());
    return *ip;
  }
  // The controllers stand in for the cluster network the nodes share. Any of them will
  // do (no packet is sent, so a dead one still has a route); the next one is asked when a
  // name does not resolve or has no route, e.g. the first controller's host is gone.
  for (const ControllerAddr& ctl : config.controllers) {
    auto ip = ResolveIpv4(ctl.host);
    if (!ip.ok()) continue;
    if (IsLoopbackIpv4(*ip)) return std::string("127.0.0.1");
    const uint16_t port = ctl.port != 0 ? ctl.port : config.controller_port;
    if (auto src = RouteSource(*ip, port); src.ok()) return *src;
  }
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) == 0) {
    if (auto ip = ResolveIpv4(name); ip.ok()) return *ip;
  }
  return std::string("127.0.0.1");
}

Result<std::unique_ptr<IoRouter>> IoRouter::Bind(const std::string& address) {
  HERD_ASSIGN_OR_RETURN(net::CurveKeyPair keys, net::GenerateCurveKeyPair());
  try {
    zmq::socket_t s(net::Context(), zmq::socket_type::router);
    net::MakeCurveServer(s, keys.secret_key);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::maxmsgsize,
          static_cast<int64_t>(proto::kEnvelopeSize + proto::kMaxAuthBytes + proto::kMaxBodyBytes));
    s.set(zmq::sockopt::rcvhwm, kReceiveHighWater);
    s.set(zmq::sockopt::sndhwm, 10000);
    s.bind(address);
    std::unique_ptr<IoRouter> r(new IoRouter(std::move(s)));
    r->address_ = r->sock_.get(zmq::sockopt::last_endpoint);
    r->public_key_ = keys.public_key;
    if (r->address_.empty()) return Internal("cannot read the address bound for " + address);
    return r;
  } catch (const zmq::error_t& e) {
    return Unavailable("cannot listen on " + address + ": " + e.what());
  }
}

Result<net::Incoming> IoRouter::TryRecv() {
  try {
    zmq::message_t id;
    if (!sock_.recv(id, zmq::recv_flags::dontwait)) return NotFound("no message");
    net::Incoming in;
    in.peer.assign(static_cast<const char*>(id.data()), id.size());
    int parts = 0;
    while (sock_.get(zmq::sockopt::rcvmore)) {
      zmq::message_t part;
      if (!sock_.recv(part, zmq::recv_flags::none)) break;
      if (parts++ == 0) in.bytes.assign(static_cast<const char*>(part.data()), part.size());
    }
    if (parts != 1) return InvalidArgument("expected one frame, got " + std::to_string(parts));
    return in;
  } catch (const zmq::error_t& e) {
    return Internal(std::string("receive failed: ") + e.what());
  }
}

void IoRouter::Send(const std::string& peer, const std::string& bytes) {
  try {
    sock_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    sock_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // The peer is gone: nothing to deliver to.
  }
}

Result<std::unique_ptr<IoRouter>> BindIoEndpoint(const std::string& ip) {
  return IoRouter::Bind("tcp://" + ip + ":*");
}

}  // namespace herd::hrun
