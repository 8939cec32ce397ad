// herd — the job user's account handed from herdd to its step daemons.
#include "nodedaemon/user_entry.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

namespace herd::noded {
namespace {

TEST(UserEntry, LookupOfRoot) {
  auto u = LookupUser(0, 0);
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->name, "root");
  EXPECT_EQ(u->home, "/root");
  EXPECT_FALSE(u->shell.empty());
  EXPECT_NE(std::find(u->groups.begin(), u->groups.end(), 0u), u->groups.end());
  EXPECT_EQ(LookupUser(4000000000u, 0).error().code(), Code::kNotFound);
}

TEST(UserEntry, EncodeDecodeRoundTrip) {
  UserEntry u;
  u.uid = 1234;
  u.gid = 100;
  u.name = "alice";
  u.home = "/home/alice";
  u.shell = "/bin/bash";
  u.groups = {100, 27, 4000};
  std::string text = EncodeUserEntry(u);
  EXPECT_EQ(text, "1234:100:100,27,4000:alice:/home/alice:/bin/bash");
  auto back = DecodeUserEntry(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->uid, 1234u);
  EXPECT_EQ(back->gid, 100u);
  EXPECT_EQ(back->name, "alice");
  EXPECT_EQ(back->home, "/home/alice");
  EXPECT_EQ(back->shell, "/bin/bash");
  EXPECT_EQ(back->groups, u.groups);
}

TEST(UserEntry, MalformedIsRefused) {
  for (const char* bad :
       {"", "1:2:3:a:/h", "x:100:100:a:/h:/s", "1:100::a:/h:/s", "1:100:1,y:a:/h:/s",
        "1:100:100::/h:/s", "1:100:100:a:/h:/s:extra", "99999999999:1:1:a:/h:/s"}) {
    EXPECT_FALSE(DecodeUserEntry(bad).ok()) << bad;
  }
}

TEST(UserEntry, StepUserTakesTheHandedEntryOnlyForItsUser) {
  ::setenv(kStepUserEnv, "0:0:0,5:handed:/handed:/bin/handed", 1);
  auto u = StepUser(0, 0);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->name, "handed");
  // Another gid (or uid): the entry is not for this step; NSS answers.
  u = StepUser(0, 1);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->name, "root");
  ::setenv(kStepUserEnv, "garbage", 1);
  u = StepUser(0, 0);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->name, "root");
  ::unsetenv(kStepUserEnv);
}

}  // namespace
}  // namespace herd::noded
