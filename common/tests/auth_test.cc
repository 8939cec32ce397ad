// herd — MUNGE authentication against a real munged started for this test.
#include "common/auth/auth.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "common/base/fs.h"

namespace herd {
namespace {

// A private munged with its own key and socket, for the whole test program.
class MungeEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-munge-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    socket_ = dir_ + "/munge.socket";
    std::string key = dir_ + "/munge.key";
    std::string cmd = "mungekey --create --keyfile=" + key + " --bits=1024 >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "mungekey is needed (apt-get install munge)";
    cmd = "munged --socket=" + socket_ + " --key-file=" + key + " --pid-file=" + dir_ +
          "/munged.pid --log-file=" + dir_ + "/munged.log --seed-file=" + dir_ + "/seed";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "munged failed to start";
  }
  void TearDown() override {
    auto pid = ReadFile(dir_ + "/munged.pid");
    if (pid.ok()) ::kill(std::atoi(pid->c_str()), SIGTERM);
    usleep(100000);
    (void)RemoveTree(dir_);
  }
  static std::string socket_;
  std::string dir_;
};
std::string MungeEnv::socket_;

::testing::Environment* const kEnv = ::testing::AddGlobalTestEnvironment(new MungeEnv);

TEST(MungeAuth, SignVerifyGivesOurUid) {
  auto auth = MakeMungeAuth(MungeEnv::socket_);
  auto cred = auth->Sign("body");
  ASSERT_TRUE(cred.ok()) << cred.error().message();
  auto who = auth->Verify(*cred, "body");
  ASSERT_TRUE(who.ok()) << who.error().message();
  EXPECT_EQ(who->uid, getuid());
  EXPECT_EQ(who->gid, getgid());
}

TEST(MungeAuth, ReplayIsRefused) {
  auto auth = MakeMungeAuth(MungeEnv::socket_);
  auto cred = auth->Sign("body");
  ASSERT_TRUE(auth->Verify(*cred, "body").ok());
  auto again = auth->Verify(*cred, "body");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kPermissionDenied);
}

TEST(MungeAuth, AlteredBodyIsRefused) {
  auto auth = MakeMungeAuth(MungeEnv::socket_);
  auto cred = auth->Sign("cancel job 1");
  auto who = auth->Verify(*cred, "cancel job 2");
  ASSERT_FALSE(who.ok());
  EXPECT_NE(who.error().message().find("does not match"), std::string::npos);
}

TEST(MungeAuth, GarbageAndMissingCredentials) {
  auto auth = MakeMungeAuth(MungeEnv::socket_);
  EXPECT_FALSE(auth->Verify("", "x").ok());
  EXPECT_FALSE(auth->Verify("MUNGE:garbage:", "x").ok());
  EXPECT_FALSE(auth->Verify(std::string(3000, 'A'), "x").ok());
}

TEST(MungeAuth, ForgedCredentialDoesNotBreakSigning) {
  auto auth = MakeMungeAuth(MungeEnv::socket_);
  EXPECT_FALSE(auth->Verify("MUNGE:AwQDAAAEy4k6Q+forged+credential:", "x").ok());
  auto cred = auth->Sign("after");
  ASSERT_TRUE(cred.ok()) << cred.error().message();
  EXPECT_TRUE(auth->Verify(*cred, "after").ok());
}

TEST(MungeAuth, NoDaemonIsAClearError) {
  auto auth = MakeMungeAuth("/nonexistent/munge.socket");
  auto cred = auth->Sign("x");
  ASSERT_FALSE(cred.ok());
  EXPECT_EQ(cred.error().code(), Code::kUnavailable);
}

TEST(Sha256, KnownVector) {
  std::string d = Sha256("abc");
  ASSERT_EQ(d.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(d[0]), 0xba);
  EXPECT_EQ(static_cast<unsigned char>(d[31]), 0xad);
}

}  // namespace
}  // namespace herd
