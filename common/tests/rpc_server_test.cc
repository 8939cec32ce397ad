// herd — the ROUTER side of the transport: a reply to a client that does not read its
// replies is dropped once that client's queue is full, without blocking the sender; a
// reply to an unknown peer is dropped too.
#include <gtest/gtest.h>

#include <string>

#include "common/net/zmq_endpoint.h"

namespace herd::net {
namespace {

TEST(RpcServer, AClientThatDoesNotReadHoldsAtMostItsQueue) {
  auto server = RpcServer::Bind("tcp://127.0.0.1:*", "", 8);
  ASSERT_TRUE(server.ok()) << server.error().message();
  const std::string addr = (*server)->socket().get(zmq::sockopt::last_endpoint);
  // A client that asks once and never reads: its own receive queue is small too, so what
  // the server cannot hand over stays with the server.
  zmq::socket_t client(Context(), zmq::socket_type::dealer);
  client.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::rcvhwm, 4);
  client.set(zmq::sockopt::rcvbuf, 65536);
  client.connect(addr);
  client.send(zmq::str_buffer("ask"), zmq::send_flags::none);
  Result<Incoming> in = NotFound("nothing yet");
  for (int i = 0; i < 500 && !in.ok(); ++i) {
    zmq::pollitem_t item{(*server)->socket().handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(10));
    in = (*server)->TryRecv();
  }
  ASSERT_TRUE(in.ok()) << in.error().message();
  const std::string page(64 << 10, 'p');
  int sent = 0, dropped = 0;
  for (int i = 0; i < 2000; ++i) ((*server)->Send(in->peer, page) ? sent : dropped)++;
  EXPECT_GT(dropped, 0) << "a client that does not read cannot queue 2000 pages";
  EXPECT_GT(sent, 0);
  EXPECT_LT(sent, 1000) << "at most the queue, the socket buffers and the client's queue";
  // What was queued is intact: the client reads a whole page.
  zmq::message_t m;
  ASSERT_TRUE(client.recv(m, zmq::recv_flags::none));
  EXPECT_EQ(m.size(), page.size());
  EXPECT_FALSE((*server)->Send("no such peer", page)) << "an unknown peer";
}

}  // namespace
}  // namespace herd::net
