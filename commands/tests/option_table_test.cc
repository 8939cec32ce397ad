// herd commands — tests of the option table (commands/lib/option_table.h).
#include "commands/lib/option_table.h"

#include <gtest/gtest.h>

namespace herd::cli {
namespace {

constexpr int kLongOnly = 300;

struct Seen {
  std::vector<std::pair<int, std::string>> opts;
  std::vector<std::string> positional;
};

Result<Seen> Parse(const OptionTable& t, const std::vector<std::string>& args) {
  Seen s;
  Status st = t.Parse(
      "cmd", args, /*stop_at_positional=*/true,
      [&s](int opt, const char* arg) {
        s.opts.emplace_back(opt, arg != nullptr ? arg : "");
        return Status::Ok();
      },
      &s.positional);
  if (!st.ok()) return st;
  return s;
}

TEST(OptionTable, LettersAndLongNamesComeFromOneEntry) {
  const OptionTable t = {
      {"name", 'n', required_argument},         {"flag", 'f', no_argument},
      {"maybe", 'm', optional_argument},        {"alias", 0, required_argument, 'n'},
      {"long-only", 0, no_argument, kLongOnly}, {nullptr, 'z', no_argument},
  };
  EXPECT_EQ(t.shortopts(), "n:fm::z");
  auto s = Parse(t, {"-n", "a", "--alias=b", "--long-only", "-mx", "-z", "--flag", "prog", "-f"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  const std::vector<std::pair<int, std::string>> want = {{'n', "a"}, {'n', "b"}, {kLongOnly, ""},
                                                         {'m', "x"}, {'z', ""},  {'f', ""}};
  EXPECT_EQ(s->opts, want);
  EXPECT_EQ(s->positional, (std::vector<std::string>{"prog", "-f"}));
  auto bad = Parse(t, {"--alias"});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(IsUsageError(bad.error()));
}

// A foreign option reaches the handler as its catalogue code, by letter or by name; an
// option the command has itself is never shadowed by the catalogue.
TEST(OptionTable, ForeignOptionsComeAfterTheCommandsOwn) {
  OptionTable t = {{"partition", 'p', required_argument}, {"account", 0, no_argument, kLongOnly}};
  t.AddForeign(kSbatch);
  auto s = Parse(t, {"-A", "x", "--qos=q", "--account", "-p", "d"});
  ASSERT_TRUE(s.ok()) << s.error().message();
  ASSERT_EQ(s->opts.size(), 4u);
  const ForeignOption* a = FindForeignOption(s->opts[0].first);
  ASSERT_NE(a, nullptr);
  EXPECT_STREQ(a->long_name, "account");
  EXPECT_EQ(s->opts[0].second, "x");
  const ForeignOption* q = FindForeignOption(s->opts[1].first);
  ASSERT_NE(q, nullptr);
  EXPECT_STREQ(q->long_name, "qos");
  EXPECT_EQ(s->opts[2].first, kLongOnly);
  EXPECT_EQ(s->opts[3], (std::pair<int, std::string>{'p', "d"}));
  EXPECT_EQ(FindForeignOption('p'), nullptr);
}

}  // namespace
}  // namespace herd::cli
