// herd commands — tests of the %-format engine (commands/lib/table.h).
#include "commands/lib/table.h"

#include <gtest/gtest.h>

namespace herd::cli {
namespace {

const std::map<char, std::string> kTitles = {
    {'i', "JOBID"}, {'j', "NAME"}, {'t', "ST"}, {'P', "PARTITION"}};

std::string Render(const std::string& spec, const std::vector<std::vector<std::string>>& rows,
                   bool header = true) {
  auto f = TableFormat::Parse(spec, kTitles);
  EXPECT_TRUE(f.ok()) << f.error().message();
  return f.ok() ? f->Render(rows, header) : "";
}

TEST(Justify, PadsAndCuts) {
  EXPECT_EQ(Justify("12", 5, true), "   12");
  EXPECT_EQ(Justify("12", 5, false), "12   ");
  EXPECT_EQ(Justify("123456", 4, true), "1234");
  EXPECT_EQ(Justify("abc", 0, true), "abc");
}

TEST(TableFormat, SqueueWidthsAndJustification) {
  EXPECT_EQ(Render("%.10i|%-10j|%i", {{"42", "job", "42"}}),
            "     JOBID|NAME      |JOBID\n"
            "        42|job       |42\n");
}

TEST(TableFormat, PlainWidthIsLeftJustified) {
  EXPECT_EQ(Render("%5j.", {{"ab"}}, false), "ab   .\n");
}

TEST(TableFormat, CutsLongValuesAndTitles) {
  EXPECT_EQ(Render("%.8j %.2t", {{"a_very_long_name", "PD"}}),
            "    NAME ST\n"
            "a_very_l PD\n");
  EXPECT_EQ(Render("%.3i", {{"1"}}), "JOB\n  1\n");
}

TEST(TableFormat, AutoWidthFitsWidestValueOrTitle) {
  EXPECT_EQ(Render("%#P %t", {{"debug*", "R"}, {"x", "PD"}}),
            "PARTITION ST\n"
            "debug*    R\n"
            "x         PD\n");
  EXPECT_EQ(Render("%#P|", {{"a_long_partition"}}, false), "a_long_partition|\n");
}

TEST(TableFormat, PercentAndLiterals) {
  EXPECT_EQ(Render("id=%i 100%%", {{"7"}}, false), "id=7 100%\n");
}

TEST(TableFormat, Errors) {
  EXPECT_FALSE(TableFormat::Parse("%z", kTitles).ok());
  EXPECT_FALSE(TableFormat::Parse("%.10", kTitles).ok());
  EXPECT_FALSE(TableFormat::Parse("%", kTitles).ok());
  EXPECT_FALSE(TableFormat::Parse("%99999999999999999999i", kTitles).ok());
  auto f = TableFormat::Parse("%.5z", kTitles);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message(), "invalid format specification '%.5z'");
}

TEST(TableFormat, CodesInOrder) {
  auto f = TableFormat::Parse("%i x %j %i", kTitles);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->codes(), (std::vector<char>{'i', 'j', 'i'}));
}

TEST(TableFormat, EmptyFormatPrintsEmptyLines) { EXPECT_EQ(Render("", {{}}, true), "\n\n"); }

}  // namespace
}  // namespace herd::cli
