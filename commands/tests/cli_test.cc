// herd commands — tests of the shared option plumbing (commands/lib/cli.h).
#include "commands/lib/cli.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "commands/hcontrol/hcontrol_options.h"
#include "commands/hqueue/hqueue_options.h"

namespace herd::cli {
namespace {

const struct option kOpts[] = {
    {"name", required_argument, nullptr, 'n'},
    {"flag", no_argument, nullptr, 'f'},
    {"exclude", required_argument, nullptr, 'x'},
    {"exclusive", no_argument, nullptr, 'X'},
    {nullptr, 0, nullptr, 0},
};

Status Getopt(const std::vector<std::string>& args, bool stop, std::vector<std::string>* seen,
              std::vector<std::string>* positional) {
  return RunGetopt(
      "cmd", args, "n:fx:X", kOpts, stop,
      [seen](int opt, const char* arg) {
        seen->push_back(std::string(1, static_cast<char>(opt)) + "=" + (arg ? arg : ""));
        return Status::Ok();
      },
      positional);
}

TEST(RunGetopt, ParsesShortLongAndPositional) {
  std::vector<std::string> seen, pos;
  ASSERT_TRUE(Getopt({"-n", "a", "--flag", "file", "--name=b"}, false, &seen, &pos).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"n=a", "f=", "n=b"}));
  EXPECT_EQ(pos, (std::vector<std::string>{"file"}));
}

TEST(RunGetopt, StopsAtFirstPositionalWhenAsked) {
  std::vector<std::string> seen, pos;
  ASSERT_TRUE(Getopt({"-f", "script.sh", "-n", "x"}, true, &seen, &pos).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"f="}));
  EXPECT_EQ(pos, (std::vector<std::string>{"script.sh", "-n", "x"}));
}

TEST(RunGetopt, UnknownLongOptionIsAUsageError) {
  std::vector<std::string> seen, pos;
  Status st = Getopt({"--bogus"}, false, &seen, &pos);
  EXPECT_TRUE(IsUsageError(st));
  EXPECT_EQ(st.message(), "unrecognized option '--bogus'");
}

TEST(RunGetopt, OtherUsageErrors) {
  std::vector<std::string> seen, pos;
  EXPECT_EQ(Getopt({"-z"}, false, &seen, &pos).message(), "invalid option -- 'z'");
  EXPECT_EQ(Getopt({"-n"}, false, &seen, &pos).message(), "option requires an argument -- 'n'");
  EXPECT_EQ(Getopt({"--name"}, false, &seen, &pos).message(),
            "option '--name' requires an argument");
  EXPECT_EQ(Getopt({"--flag=1"}, false, &seen, &pos).message(),
            "option '--flag' doesn't allow an argument");
  EXPECT_EQ(Getopt({"--exclu"}, false, &seen, &pos).message(), "option '--exclu' is ambiguous");
}

TEST(RunGetopt, CanRunRepeatedly) {
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> seen, pos;
    ASSERT_TRUE(Getopt({"-f", "x"}, false, &seen, &pos).ok());
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(pos.size(), 1u);
  }
}

TEST(Values, SplitListTrimsAndDropsEmpty) {
  EXPECT_EQ(SplitList(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(Values, ParseCount) {
  EXPECT_EQ(*ParseCount("--nodes", "4", false), 4u);
  EXPECT_FALSE(ParseCount("--nodes", "0", false).ok());
  EXPECT_EQ(*ParseCount("--nodes", "0", true), 0u);
  auto bad = ParseCount("--ntasks", "abc", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "invalid numeric value 'abc' for --ntasks");
  EXPECT_FALSE(ParseCount("--ntasks", "-1", false).ok());
  EXPECT_FALSE(ParseCount("--ntasks", "99999999999", false).ok());
}

TEST(Values, JobIds) {
  auto ids = ParseJobIdList({"1,2", "3"});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<uint64_t>{1, 2, 3}));
  auto bad = ParseJobIdList({"12x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Invalid job id 12x");
  EXPECT_FALSE(ParseJobId("0").ok());
  EXPECT_FALSE(ParseJobId("").ok());
}

TEST(Values, JobIdsWithArrayTaskIds) {
  auto sel = ParseJobSelection({"7,12_4", "12_[1-5:2,9],8"});
  ASSERT_TRUE(sel.ok()) << sel.error().message();
  EXPECT_EQ(sel->job_ids, (std::vector<uint64_t>{7, 8}));
  ASSERT_EQ(sel->task_ids.size(), 2u);
  EXPECT_EQ(sel->task_ids[0].array_job_id, 12u);
  EXPECT_EQ(sel->task_ids[0].tasks, (std::vector<proto::ArrayRange>{{4, 4, 1}}));
  EXPECT_EQ(sel->task_ids[1].tasks, (std::vector<proto::ArrayRange>{{1, 5, 2}, {9, 9, 1}}));
  // As scancel: "Invalid job id 12_abc".
  for (const char* bad : {"12_abc", "12_[1", "12_", "_4", "0_4", "12_[1-3%2]", "12_1-3", "12_4x"}) {
    auto r = ParseJobSelection({bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message(), std::string("Invalid job id ") + bad);
  }
  proto::JobActionResult r;
  r.job_id = 30;
  EXPECT_EQ(ResultId(r), "30");
  r.array_job_id = 12;
  r.array_task_id = 4;
  EXPECT_EQ(ResultId(r), "12_4");
}

// Sets or clears HERD_CONF for one test and restores the outer value after it.
class ConfEnv {
 public:
  explicit ConfEnv(const char* value) {
    if (const char* old = std::getenv("HERD_CONF")) saved_ = old;
    had_ = std::getenv("HERD_CONF") != nullptr;
    if (value != nullptr) {
      ::setenv("HERD_CONF", value, 1);
    } else {
      ::unsetenv("HERD_CONF");
    }
    SetConfigPath("");
  }
  ~ConfEnv() {
    if (had_) {
      ::setenv("HERD_CONF", saved_.c_str(), 1);
    } else {
      ::unsetenv("HERD_CONF");
    }
    SetConfigPath("");
  }

 private:
  std::string saved_;
  bool had_ = false;
};

TEST(ConfigPath, ConfBeatsEnvironmentBeatsDefault) {
  {
    ConfEnv env(nullptr);
    EXPECT_EQ(ConfigPath(), "/etc/herd/herd.conf");
  }
  {
    ConfEnv env("/from/env.conf");
    EXPECT_EQ(ConfigPath(), "/from/env.conf");
    std::vector<std::string> seen, pos;
    ASSERT_TRUE(Getopt({"--conf", "/from/option.conf", "-f"}, false, &seen, &pos).ok());
    EXPECT_EQ(ConfigPath(), "/from/option.conf");
    // Not handed to the command's own handler.
    EXPECT_EQ(seen, (std::vector<std::string>{"f="}));
  }
  {
    ConfEnv env(nullptr);
    std::vector<std::string> seen, pos;
    ASSERT_TRUE(Getopt({"--conf=/a.conf"}, false, &seen, &pos).ok());
    EXPECT_EQ(ConfigPath(), "/a.conf");
  }
}

TEST(ConfigPath, ConfNeedsAFile) {
  ConfEnv env(nullptr);
  std::vector<std::string> seen, pos;
  Status st = Getopt({"--conf"}, false, &seen, &pos);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(IsUsageError(st));
  EXPECT_NE(st.message().find("--conf"), std::string::npos) << st.message();
  st = Getopt({"--conf="}, false, &seen, &pos);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("requires a file name"), std::string::npos) << st.message();
  EXPECT_EQ(ConfigPath(), "/etc/herd/herd.conf");
}

// After the script, --conf belongs to the script's arguments, as any other option does.
TEST(ConfigPath, AfterTheScriptItIsAScriptArgument) {
  ConfEnv env(nullptr);
  std::vector<std::string> seen, pos;
  ASSERT_TRUE(Getopt({"-f", "job.sh", "--conf", "x"}, true, &seen, &pos).ok());
  EXPECT_EQ(pos, (std::vector<std::string>{"job.sh", "--conf", "x"}));
  EXPECT_EQ(ConfigPath(), "/etc/herd/herd.conf");
}

// Every command's parser goes through RunGetopt, so each takes --conf.
TEST(ConfigPath, CommandsTakeConf) {
  ConfEnv env("/env.conf");
  ASSERT_TRUE(hqueue::ParseHqueueArgs({"--conf", "/q.conf", "-t", "all"}).ok());
  EXPECT_EQ(ConfigPath(), "/q.conf");
  ASSERT_TRUE(hcontrol::ParseHcontrolArgs({"--conf=/c.conf", "show", "job", "1"}).ok());
  EXPECT_EQ(ConfigPath(), "/c.conf");
}

}  // namespace
}  // namespace herd::cli
