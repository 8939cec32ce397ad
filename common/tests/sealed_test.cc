// herd — sealed requests and replies (common/net/sealed.h).
#include "common/net/sealed.h"

#include <gtest/gtest.h>

#include <string>

#include "common/net/curve_keys.h"

namespace herd::net {
namespace {

using Clock = SealedSessions::Clock;

struct Server {
  CurveKeyPair keys;
  SealedSessions sessions;
};

Server MakeServer() {
  auto keys = GenerateCurveKeyPair();
  EXPECT_TRUE(keys.ok());
  auto sessions = SealedSessions::WithSecret(keys->secret_key);
  EXPECT_TRUE(sessions.ok());
  return Server{*keys, std::move(*sessions)};
}

ClientSeal SealFor(const std::string& public_key) {
  auto seal = ClientSeal::ForServer(public_key);
  EXPECT_TRUE(seal.ok()) << seal.error().ToString();
  return *seal;
}

const std::string kPeer("\0abcd", 5);  // as ZeroMQ's routing ids are made

TEST(Sealed, ARequestAndItsReplyGoBothWays) {
  Server server = MakeServer();
  const ClientSeal client = SealFor(server.keys.public_key);
  const std::string frame = "HERD frame with a script and a password=secret";
  const std::string sealed = client.SealRequest(frame);
  EXPECT_TRUE(LooksSealed(sealed));
  EXPECT_EQ(sealed.find("password"), std::string::npos) << "the request is not readable";

  auto opened = server.sessions.Open(kPeer, sealed, Clock::now());
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(*opened, frame);
  EXPECT_EQ(server.sessions.size(), 1u);

  auto reply = server.sessions.SealReply(kPeer, "the reply");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->find("the reply"), std::string::npos);
  auto back = client.OpenReply(*reply);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, "the reply");

  // Every seal uses a fresh nonce: the same frame never looks the same twice.
  EXPECT_NE(client.SealRequest(frame), sealed);
  // A second request of the same connection opens with the key agreed before.
  auto second = server.sessions.Open(kPeer, client.SealRequest("two"), Clock::now());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "two");
}

TEST(Sealed, OnlyTheHolderOfTheSecretKeyOpensARequest) {
  Server real = MakeServer();
  Server impostor = MakeServer();
  const ClientSeal client = SealFor(real.keys.public_key);
  auto opened = impostor.sessions.Open(kPeer, client.SealRequest("frame"), Clock::now());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(impostor.sessions.size(), 0u) << "a request that does not open leaves nothing";
}

TEST(Sealed, OnlyTheHolderOfTheSecretKeyAnswers) {
  Server real = MakeServer();
  Server impostor = MakeServer();
  const ClientSeal client = SealFor(real.keys.public_key);
  // The impostor's own session with a client of its own: its reply does not open here.
  const ClientSeal its_client = SealFor(impostor.keys.public_key);
  ASSERT_TRUE(impostor.sessions.Open(kPeer, its_client.SealRequest("x"), Clock::now()).ok());
  auto forged = impostor.sessions.SealReply(kPeer, "ok");
  ASSERT_TRUE(forged.has_value());
  EXPECT_FALSE(client.OpenReply(*forged).ok());
  EXPECT_FALSE(client.OpenReply("plain reply").ok());
  // A reply of the real server to another client's session does not open either.
  const ClientSeal other = SealFor(real.keys.public_key);
  const std::string other_peer("\0efgh", 5);
  ASSERT_TRUE(real.sessions.Open(other_peer, other.SealRequest("y"), Clock::now()).ok());
  EXPECT_FALSE(client.OpenReply(*real.sessions.SealReply(other_peer, "z")).ok());
}

TEST(Sealed, ADamagedMessageDoesNotOpen) {
  Server server = MakeServer();
  const ClientSeal client = SealFor(server.keys.public_key);
  const std::string sealed = client.SealRequest("frame");
  for (size_t i = 4; i < sealed.size(); i += 7) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(server.sessions.Open(kPeer, bad, Clock::now()).ok()) << "byte " << i;
  }
  ASSERT_TRUE(server.sessions.Open(kPeer, sealed, Clock::now()).ok());
  std::string reply = *server.sessions.SealReply(kPeer, "reply");
  reply.back() = static_cast<char>(reply.back() ^ 0x80);
  EXPECT_FALSE(client.OpenReply(reply).ok());
}

TEST(Sealed, MalformedRequestsAreRefusedNotTrusted) {
  Server server = MakeServer();
  const auto now = Clock::now();
  for (const std::string& bad :
       {std::string(), std::string("HSL1"), std::string("HSL1") + std::string(60, 'x'),
        std::string("HSL1") + std::string(32, '\0') + std::string(24 + 16 + 8, 'n'),
        std::string("HERD") + std::string(200, 'y')}) {
    EXPECT_FALSE(server.sessions.Open(kPeer, bad, now).ok()) << bad.size() << " bytes";
  }
  EXPECT_EQ(server.sessions.size(), 0u);
  EXPECT_FALSE(ClientSeal::ForServer("not a key").ok());
  EXPECT_FALSE(SealedSessions::WithSecret("not a key").ok());
  // An all-zero (low-order) server key agrees no key: refused, not used.
  const std::string zero_z85 = "0000000000000000000000000000000000000000";
  EXPECT_FALSE(ClientSeal::ForServer(zero_z85).ok());
}

TEST(Sealed, SessionsAreForgottenWhenIdle) {
  Server server = MakeServer();
  const ClientSeal client = SealFor(server.keys.public_key);
  const auto t0 = Clock::now();
  ASSERT_TRUE(server.sessions.Open(kPeer, client.SealRequest("a"), t0).ok());
  server.sessions.Expire(t0 + SealedSessions::kIdle / 2);
  EXPECT_EQ(server.sessions.size(), 1u);
  server.sessions.Expire(t0 + SealedSessions::kIdle);
  EXPECT_EQ(server.sessions.size(), 0u);
  EXPECT_FALSE(server.sessions.SealReply(kPeer, "late").has_value())
      << "no session: the reply is dropped, never sent in the clear";
}

TEST(Sealed, BeyondItsLimitTheLeastRecentlyUsedSessionsGo) {
  auto keys = GenerateCurveKeyPair();
  auto sessions = SealedSessions::WithSecret(keys->secret_key, /*max_sessions=*/16);
  ASSERT_TRUE(sessions.ok());
  const ClientSeal client = SealFor(keys->public_key);
  const auto t0 = Clock::now();
  for (int i = 0; i < 40; ++i) {
    const std::string peer = std::string(1, '\0') + "p" + std::to_string(i);
    ASSERT_TRUE(sessions->Open(peer, client.SealRequest("x"), t0 + std::chrono::seconds(i)).ok());
    EXPECT_LE(sessions->size(), 16u);
  }
  EXPECT_TRUE(sessions->SealReply(std::string(1, '\0') + "p39", "newest").has_value());
  EXPECT_FALSE(sessions->SealReply(std::string(1, '\0') + "p0", "oldest").has_value());
}

TEST(Sealed, TaggedPeersAreToldApartFromEveryOtherRoutingId) {
  const std::string tagged = SealedSessions::Tagged(kPeer);
  EXPECT_NE(tagged, kPeer);
  ASSERT_TRUE(SealedSessions::Untagged(tagged).has_value());
  EXPECT_EQ(*SealedSessions::Untagged(tagged), kPeer);
  EXPECT_FALSE(SealedSessions::Untagged(kPeer).has_value());
  EXPECT_FALSE(SealedSessions::Untagged(std::string("\0sealed", 7)).has_value());
  EXPECT_FALSE(SealedSessions::Untagged("my-own-routing-id").has_value());
}

}  // namespace
}  // namespace herd::net
