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
    // In the foreground, as our child: its pid is known at once and TearDown can wait
    // for it (a daemonizing munged writes its pid file only later, and a quick test could
    // end before it exists and leave munged running).
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      ::execlp("munged", "munged", "-F", ("--socket=" + socket_).c_str(),
               ("--key-file=" + key).c_str(), ("--pid-file=" + dir_ + "/munged.pid").c_str(),
               ("--log-file=" + dir_ + "/munged.log").c_str(),
               ("--seed-file=" + dir_ + "/seed").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !PathExists(socket_); ++i) usleep(10000);
    ASSERT_TRUE(PathExists(socket_)) << "munged did not start (apt-get install munge)";
  }
  void TearDown() override {
    if (pid_ > 0) {
      // munged catches SIGTERM but only looks at it from its main loop: one still starting
      // up (blocked reading its group database) never does. SIGKILL after 5 s.
      ::kill(pid_, SIGTERM);
      int status = 0;
      pid_t done = 0;
      for (int i = 0; i < 500 && (done = ::waitpid(pid_, &status, WNOHANG)) == 0; ++i) {
        usleep(10000);
      }
      if (done == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    (void)RemoveTree(dir_);
  }
  pid_t pid_ = -1;
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
