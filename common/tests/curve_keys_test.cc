// herd — CurveZMQ keys: key files, the cluster's key book, and links that refuse a server
// without the expected key (doc/security.md). Its own executable: the last test makes keys
// required for the whole process.
#include "common/net/curve_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "common/base/fs.h"
#include "common/net/cluster_keys.h"
#include "common/net/rpc_client.h"
#include "common/tests/fake_controller.h"

namespace herd::net {
namespace {

using herd::testing::FakeController;
using herd::testing::OkFrame;
using std::chrono::milliseconds;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/herd-keytest-XXXXXX";
    path_ = ::mkdtemp(tmpl) != nullptr ? tmpl : "/tmp/herd-keytest-failed";
  }
  ~TempDir() { (void)RemoveTree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

proto::Frame Ping() { return proto::MakeFrame(proto::PingRequest{}, 0); }

TEST(CurveKeys, PairsAreValidAndDistinct) {
  auto a = GenerateCurveKeyPair();
  auto b = GenerateCurveKeyPair();
  ASSERT_TRUE(a.ok()) << a.error().message();
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(CheckCurveKey(a->public_key).ok());
  EXPECT_TRUE(CheckCurveKey(a->secret_key).ok());
  EXPECT_NE(a->public_key, b->public_key);
  EXPECT_NE(a->secret_key, b->secret_key);
  auto pub = CurvePublicOf(a->secret_key);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*pub, a->public_key);
}

TEST(CurveKeys, MalformedKeysAreRefused) {
  EXPECT_FALSE(CheckCurveKey("").ok());
  EXPECT_FALSE(CheckCurveKey(std::string(39, 'a')).ok());
  EXPECT_FALSE(CheckCurveKey(std::string(41, 'a')).ok());
  EXPECT_FALSE(CheckCurveKey(std::string(40, '"')).ok()) << "not a Z85 character";
  EXPECT_FALSE(CurvePublicOf("short").ok());
}

TEST(KeyFiles, WrittenWithTheirModesAndReadBack) {
  TempDir dir;
  const std::string keys = dir.path() + "/keys";
  auto pair = WriteKeyPair(keys, "ctl1", false);
  ASSERT_TRUE(pair.ok()) << pair.error().message();
  EXPECT_EQ(ModeOf(SecretKeyPath(keys, "ctl1")), 0600u);
  EXPECT_EQ(ModeOf(PublicKeyPath(keys, "ctl1")), 0644u);
  auto pub = ReadPublicKey(keys, "ctl1");
  ASSERT_TRUE(pub.ok()) << pub.error().message();
  EXPECT_EQ(*pub, pair->public_key);
  auto secret = ReadSecretKey(keys, "ctl1");
  ASSERT_TRUE(secret.ok()) << secret.error().message();
  EXPECT_EQ(*secret, pair->secret_key);

  // An existing pair is kept unless replaced on purpose.
  auto again = WriteKeyPair(keys, "ctl1", false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kAlreadyExists);
  EXPECT_EQ(*ReadSecretKey(keys, "ctl1"), pair->secret_key);
  auto replaced = WriteKeyPair(keys, "ctl1", true);
  ASSERT_TRUE(replaced.ok());
  EXPECT_NE(replaced->secret_key, pair->secret_key);
  EXPECT_EQ(*ReadPublicKey(keys, "ctl1"), replaced->public_key);

  EXPECT_FALSE(WriteKeyPair(keys, "../evil", false).ok());
  EXPECT_FALSE(WriteKeyPair(keys, "", false).ok());
}

TEST(KeyFiles, ASecretOthersMayReadIsRefused) {
  TempDir dir;
  ASSERT_TRUE(WriteKeyPair(dir.path(), "n1", false).ok());
  ASSERT_EQ(::chmod(SecretKeyPath(dir.path(), "n1").c_str(), 0640), 0);
  auto secret = ReadSecretKey(dir.path(), "n1");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), Code::kPermissionDenied);
  EXPECT_NE(secret.error().message().find("0600"), std::string::npos) << secret.error().message();
}

TEST(KeyFiles, ASecretThatDoesNotMatchItsPublicKeyIsRefused) {
  TempDir dir;
  ASSERT_TRUE(WriteKeyPair(dir.path(), "n1", false).ok());
  auto other = GenerateCurveKeyPair();
  ASSERT_TRUE(WriteFileAtomic(PublicKeyPath(dir.path(), "n1"), other->public_key + "\n").ok());
  auto secret = ReadSecretKey(dir.path(), "n1");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().code(), Code::kPermissionDenied);
}

TEST(KeyFiles, MissingOrDamagedKeysNameTheFileAndTheFix) {
  TempDir dir;
  auto pub = ReadPublicKey(dir.path(), "ctl1");
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code(), Code::kNotFound);
  EXPECT_NE(pub.error().message().find(dir.path() + "/ctl1.pub"), std::string::npos);
  EXPECT_NE(pub.error().message().find("hcontrol keygen"), std::string::npos);
  EXPECT_FALSE(ReadSecretKey(dir.path(), "ctl1").ok());
  ASSERT_TRUE(WriteFileAtomic(PublicKeyPath(dir.path(), "ctl1"), "not a key\n").ok());
  pub = ReadPublicKey(dir.path(), "ctl1");
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.error().code(), Code::kInvalidArgument);
}

TEST(ClusterKeys, EveryDaemonOfTheConfigurationNeedsAPair) {
  TempDir dir;
  auto cfg = ParseConfig(
      "ControllerHosts=ctl1(127.0.0.1:7001),ctl2(127.0.0.1:7002)\n"
      "WitnessHost=w(127.0.0.1:7003)\nKeyDir=" +
          dir.path() +
          "\nNodeName=n[1-2] NodeAddr=127.0.0.1 Port=7010-7011\n"
          "PartitionName=p Nodes=n[1-2] Default=YES\n",
      "test.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message();
  EXPECT_EQ(cfg->key_dir, dir.path());
  EXPECT_EQ(DaemonNames(*cfg), (std::vector<std::string>{"ctl1", "ctl2", "w", "n1", "n2"}));
  Status missing = UseClusterKeys(*cfg, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("ctl1.pub"), std::string::npos) << missing.message();
  for (const std::string& n : DaemonNames(*cfg)) {
    ASSERT_TRUE(WriteKeyPair(dir.path(), n, false).ok());
  }
  ASSERT_TRUE(UseClusterKeys(*cfg, {/*witness=*/true, /*nodes=*/true}).ok());
  EXPECT_EQ(*ServerKeyFor("tcp://127.0.0.1:7002"), *ReadPublicKey(dir.path(), "ctl2"));
  EXPECT_EQ(*ServerKeyFor("tcp://127.0.0.1:7003"), *ReadPublicKey(dir.path(), "w"));
  EXPECT_EQ(*ServerKeyFor("tcp://127.0.0.1:7011"), *ReadPublicKey(dir.path(), "n2"));
}

TEST(ClusterKeys, KeyDirDefaultsAndMustNotBeEmpty) {
  auto cfg = ParseConfig("ControllerHost=ctl1\n", "a.conf");
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->key_dir, "/etc/herd/keys");
  auto empty = ParseConfig("ControllerHost=ctl1\nKeyDir=\n", "b.conf");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("KeyDir"), std::string::npos);
}

// ---- links: the server proves it holds the secret key of the public key expected ----

TEST(CurveLink, TheServerHoldingTheKeyAnswers) {
  auto keys = GenerateCurveKeyPair();
  FakeController ctl([](const proto::Frame&, int) { return OkFrame(1); }, keys->secret_key);
  SetServerKey(ctl.address(), keys->public_key);
  Caller caller({ctl.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(ctl.requests(), 1);

  RpcClient client(ctl.address());
  proto::Frame f = Ping();
  f.request_id = 77;
  ASSERT_TRUE(client.Send(proto::EncodeFrame(f)).ok());
  auto reply = client.WaitReply(77, milliseconds(5000));
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(ctl.requests(), 2);
}

// A process on the port with another key, or none (plain ZMTP), receives nothing and
// answers nothing that is believed.
TEST(CurveLink, AServerWithoutTheKeyGetsNothing) {
  auto expected = GenerateCurveKeyPair();
  auto other = GenerateCurveKeyPair();
  FakeController impostor([](const proto::Frame&, int) { return OkFrame(1ull << 63); },
                          other->secret_key);
  FakeController plain([](const proto::Frame&, int) { return OkFrame(1ull << 63); });
  for (FakeController* fake : {&impostor, &plain}) {
    SetServerKey(fake->address(), expected->public_key);
    Caller caller({fake->address()}, nullptr);
    auto r = caller.CallFrame(Ping(), milliseconds(3000));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(caller.max_epoch(), 0u);
    Caller two({fake->address(), "tcp://127.0.0.1:1"}, nullptr);
    auto at = two.CallAt(0, Ping(), milliseconds(3000));
    ASSERT_FALSE(at.ok());
    if (fake == &impostor) {
      // A CURVE server with another key fails the handshake, which the client names; with
      // another controller to go to, the impostor is skipped at once.
      EXPECT_NE(r.error().message().find("cannot authenticate"), std::string::npos)
          << r.error().message();
      EXPECT_EQ(at.error().code(), Code::kPermissionDenied) << at.error().message();
    } else {
      // A plain listener closes the connection before or after its greeting names its
      // mechanism: libzmq reports a failed handshake or a dropped one, and both are named.
      // With another controller to go to, it is skipped at once either way.
      const std::string m = r.error().message();
      EXPECT_TRUE(m.find("cannot authenticate") != std::string::npos ||
                  m.find("closed during the handshake") != std::string::npos)
          << m;
      EXPECT_NE(at.error().code(), Code::kDeadlineExceeded) << at.error().message();
    }

    RpcClient client(fake->address());
    proto::Frame f = Ping();
    f.request_id = 5;
    (void)client.Send(proto::EncodeFrame(f));
    EXPECT_FALSE(client.WaitReply(5, milliseconds(500)).ok());
    EXPECT_EQ(fake->requests(), 0);
  }
}

// libzmq never retries a connection whose handshake failed. Once the impostor has left the
// port, a Caller finds the real server on its next call, and a silent RpcClient (the
// controller's link to a node or voter) does after ReviveIfSilent.
TEST(CurveLink, TheRealServerIsFoundAgainAfterAnImpostorLeaves) {
  auto keys = GenerateCurveKeyPair();
  auto impostor = std::make_unique<FakeController>(
      [](const proto::Frame&, int) { return OkFrame(1ull << 63); });
  const std::string addr = impostor->address();
  SetServerKey(addr, keys->public_key);
  Caller caller({addr}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(600));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cannot authenticate"), std::string::npos)
      << r.error().message();
  RpcClient client(addr);
  proto::Frame f = Ping();
  f.request_id = 5;
  ASSERT_TRUE(client.Send(proto::EncodeFrame(f)).ok());
  EXPECT_FALSE(client.WaitReply(5, milliseconds(300)).ok());
  EXPECT_EQ(impostor->requests(), 0);
  EXPECT_FALSE(client.ReviveIfSilent(milliseconds(60000))) << "not silent for that long";

  impostor.reset();
  // The impostor's listener closes in the background: bind as soon as the port is free.
  std::unique_ptr<FakeController> real;
  for (int i = 0; i < 100 && (!real || real->address() != addr); ++i) {
    if (real) std::this_thread::sleep_for(milliseconds(20));
    real = std::make_unique<FakeController>([](const proto::Frame&, int) { return OkFrame(3); },
                                            keys->secret_key, addr);
  }
  ASSERT_EQ(real->address(), addr);
  auto again = caller.CallFrame(Ping(), milliseconds(5000));
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->epoch, 3u);

  f.request_id = 6;
  (void)client.Send(proto::EncodeFrame(f));  // refused or queued on the dead connection
  EXPECT_FALSE(client.WaitReply(6, milliseconds(300)).ok()) << "the dead connection is kept";
  EXPECT_TRUE(client.ReviveIfSilent(milliseconds(0)));
  f.request_id = 7;
  ASSERT_TRUE(client.Send(proto::EncodeFrame(f)).ok());
  auto reply = client.WaitReply(7, milliseconds(5000));
  ASSERT_TRUE(reply.ok()) << reply.error().ToString();
  EXPECT_EQ(reply->epoch, 3u);
  EXPECT_FALSE(client.ReviveIfSilent(milliseconds(0))) << "it answered";
}

TEST(CurveLink, RepliesWithAnImpossibleEpochAreNotBelieved) {
  auto keys = GenerateCurveKeyPair();
  FakeController ctl([](const proto::Frame&, int) { return OkFrame(~0ull); }, keys->secret_key);
  SetServerKey(ctl.address(), keys->public_key);
  Caller caller({ctl.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("ceiling"), std::string::npos) << r.error().message();
  EXPECT_EQ(caller.max_epoch(), 0u);
  caller.NoteEpoch(~0ull);
  EXPECT_EQ(caller.max_epoch(), 0u);
}

// ---- a controller's command port: sealed requests instead of a CURVE session ----

TEST(SealedLink, TheHolderOfTheKeyAnswersACommand) {
  auto keys = GenerateCurveKeyPair();
  auto ctl =
      FakeController::Sealed([](const proto::Frame&, int) { return OkFrame(4); }, keys->secret_key);
  SetSealedServerKey(ctl->address(), keys->public_key);
  EXPECT_TRUE(IsSealedServer(ctl->address()));
  Caller caller({ctl->address()}, nullptr);
  for (int i = 1; i <= 2; ++i) {  // the second call reuses the connection and its key
    auto r = caller.CallFrame(Ping(), milliseconds(5000));
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->epoch, 4u);
    EXPECT_EQ(ctl->requests(), i);
  }
}

// A process on the command port without the key gets only ciphertext, and what it answers
// (plain or forged as sealed) is never believed.
TEST(SealedLink, AServerWithoutTheKeyCannotReadNorAnswer) {
  auto expected = GenerateCurveKeyPair();
  auto other = GenerateCurveKeyPair();
  auto impostor = FakeController::Sealed(
      [](const proto::Frame&, int) { return OkFrame(1ull << 63); }, other->secret_key);
  FakeController plain([](const proto::Frame&, int) { return OkFrame(1ull << 63); });
  for (const std::string& addr : {impostor->address(), plain.address()}) {
    SetSealedServerKey(addr, expected->public_key);
    Caller caller({addr}, nullptr);
    auto r = caller.CallFrame(Ping(), milliseconds(800));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Code::kDeadlineExceeded) << r.error().ToString();
    EXPECT_EQ(caller.max_epoch(), 0u);
  }
  EXPECT_EQ(impostor->requests(), 0) << "a request sealed to another key does not open";
  // The plain fake decoded nothing (sealed bytes are no frame) and answered nothing.
  EXPECT_EQ(plain.requests(), 0);
}

// Last: from here on this process refuses every server it has no key for.
TEST(CurveLink, WhenKeysAreRequiredAnUnknownServerIsNeverContacted) {
  FakeController plain([](const proto::Frame&, int) { return OkFrame(1); });
  RequireServerKeys();
  Caller caller({plain.address()}, nullptr);
  auto r = caller.CallFrame(Ping(), milliseconds(500));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no public key known"), std::string::npos)
      << r.error().message();
  RpcClient client(plain.address());
  EXPECT_FALSE(client.Send(proto::EncodeFrame(Ping())).ok());
  EXPECT_EQ(plain.requests(), 0);
}

}  // namespace
}  // namespace herd::net
