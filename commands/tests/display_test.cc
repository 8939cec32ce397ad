// herd commands — tests of displayed-text escaping and character-based widths
// (commands/lib/display.h) and of their use in tables and hcontrol records.
#include "commands/lib/display.h"

#include <gtest/gtest.h>

#include "commands/hcontrol/hcontrol_format.h"
#include "commands/lib/table.h"

namespace herd::cli {
namespace {

TEST(EscapeForDisplay, PlainTextIsUnchanged) {
  EXPECT_EQ(EscapeForDisplay("job-1 a/b.c (x)"), "job-1 a/b.c (x)");
  EXPECT_EQ(EscapeForDisplay("r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"),
            "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
  EXPECT_EQ(EscapeForDisplay(""), "");
}

TEST(EscapeForDisplay, ControlCharactersBecomeVisible) {
  EXPECT_EQ(EscapeForDisplay("a\nb"), "a\\nb");
  EXPECT_EQ(EscapeForDisplay("a\rb\tc"), "a\\rb\\tc");
  // An escape sequence that would clear the screen and colour the rest.
  EXPECT_EQ(EscapeForDisplay("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred");
  EXPECT_EQ(EscapeForDisplay(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeForDisplay("bell\x07 del\x7f"), "bell\\x07 del\\x7f");
}

TEST(EscapeForDisplay, C1ControlsBidiAndInvalidBytes) {
  EXPECT_EQ(EscapeForDisplay("a\xc2\x9b"
                             "31m"),
            "a\\u009b31m");  // CSI as a C1 control
  EXPECT_EQ(EscapeForDisplay("x\xe2\x80\xae"
                             "evil"),
            "x\\u202eevil");                                   // right-to-left override
  EXPECT_EQ(EscapeForDisplay("x\xe2\x80\xa8y"), "x\\u2028y");  // line separator
  EXPECT_EQ(EscapeForDisplay("bad\xff\xc3"), "bad\\xff\\xc3");
  EXPECT_EQ(EscapeForDisplay("\x9b"), "\\x9b");  // a lone byte is not a C1 control
}

TEST(DisplayWidth, CountsCharactersNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("\xc3\xa9t\xc3\xa9"), 3u);
  EXPECT_EQ(DisplayWidth("\xe6\x97\xa5\xe6\x9c\xac"), 2u);
  EXPECT_EQ(DisplayWidth("\xf0\x9f\x98\x80!"), 2u);
  EXPECT_EQ(DisplayWidth("\xff"), 1u);
}

TEST(CutToWidth, CutsBetweenCharacters) {
  EXPECT_EQ(CutToWidth("\xc3\xa9t\xc3\xa9", 1), "\xc3\xa9");
  EXPECT_EQ(CutToWidth("\xc3\xa9t\xc3\xa9", 3), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(CutToWidth("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 2), "\xe6\x97\xa5\xe6\x9c\xac");
  EXPECT_EQ(CutToWidth("abc", 0), "");
  EXPECT_EQ(CutToWidth("ab", 5), "ab");
}

TEST(Justify, PadsAndCutsInCharacters) {
  // squeue's %.8j of a name in Greek: eight characters, never a half character.
  const std::string name =
      "\xce\xb1\xce\xb2\xce\xb3\xce\xb4\xce\xb5\xce\xb6\xce\xb7\xce\xb8\xce\xb9";
  const std::string cut = Justify(name, 8, true);
  EXPECT_EQ(cut, name.substr(0, 16));
  EXPECT_EQ(DisplayWidth(Justify("\xc3\xa9", 5, false)), 5u);
  EXPECT_EQ(Justify("\xc3\xa9", 3, true), "  \xc3\xa9");
}

const std::map<char, std::string> kTitles = {{'i', "JOBID"}, {'j', "NAME"}, {'u', "USER"}};

TEST(TableFormat, EscapesCellsBeforeMeasuring) {
  auto f = TableFormat::Parse("%.4i %-12j|%u", kTitles);
  ASSERT_TRUE(f.ok());
  // The name would end the line and forge a row of another user's job.
  EXPECT_EQ(f->Render({{"7", "x\n   8 root", "eve"}}, false), "   7 x\\n   8 root|eve\n");
  EXPECT_EQ(f->Render({{"7", "\x1b]0;owned\x07", "eve"}}, false), "   7 \\x1b]0;owned|eve\n");
  // Column of 6 for a 4-character name in 8 bytes.
  auto g = TableFormat::Parse("%6j|", kTitles);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->Render({{"\xc3\xa9t\xc3\xa9s"}}, false), "\xc3\xa9t\xc3\xa9s  |\n");
}

TEST(TableFormat, AutoWidthCountsCharacters) {
  auto f = TableFormat::Parse("%#j|", kTitles);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Render({{"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, {"ab"}}, true),
            "NAME |\n\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9|\nab   |\n");
}

TEST(TableFormat, FormatTextItselfIsNotEscaped) {
  auto f = TableFormat::Parse("%i\t%j", kTitles);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Render({{"1", "a\tb"}}, false), "1\ta\\tb\n");
}

TEST(HcontrolRecord, JobValuesAreEscaped) {
  proto::JobInfo j;
  j.job_id = 5;
  j.name = "n\x1b[2Jx\nJobId=99";
  j.command = "/tmp/a\rb.sh";
  j.reason = "None";
  const std::string out = hcontrol::FormatJob(j, 0, false);
  EXPECT_NE(out.find("JobName=n\\x1b[2Jx\\nJobId=99"), std::string::npos) << out;
  EXPECT_NE(out.find("Command=/tmp/a\\rb.sh"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  // Only the record's own line breaks remain.
  EXPECT_EQ(out.find("\nJobId=99"), std::string::npos);
}

}  // namespace
}  // namespace herd::cli
