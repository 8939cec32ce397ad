// herd commands — tests of -O/--Format and of the format environment variables.
#include "commands/lib/field_format.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace herd::cli {
namespace {

TEST(FieldFormat, NamesWidthsAndAlignment) {
  EXPECT_EQ(*FormatFromFields("JobID", SqueueFields()), "%-20i");
  EXPECT_EQ(*FormatFromFields("jobid:8,Name:12,State", SqueueFields()), "%-8i%-12j%-20T");
  EXPECT_EQ(*FormatFromFields("NumCPUs:.5, ReasonList", SqueueFields()), "%.5C%-20R");
  EXPECT_EQ(*FormatFromFields("PartitionName,NodeList:10", SinfoFields()), "%-20R%-10N");
}

TEST(FieldFormat, Errors) {
  auto unknown = FormatFromFields("JobID,Bogus", SqueueFields());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "Invalid job format specification: bogus");
  EXPECT_FALSE(FormatFromFields("JobID:x", SqueueFields()).ok());
  EXPECT_FALSE(FormatFromFields("JobID:0", SqueueFields()).ok());
  EXPECT_FALSE(FormatFromFields(",", SqueueFields()).ok());
}

TEST(FieldFormat, Environment) {
  unsetenv("HERD_TEST_FMT");
  unsetenv("HERD_TEST_FMT2");
  EXPECT_EQ(*FormatFromEnvironment("HERD_TEST_FMT", "HERD_TEST_FMT2", SqueueFields()), "");
  setenv("HERD_TEST_FMT2", "JobID:5", 1);
  EXPECT_EQ(*FormatFromEnvironment("HERD_TEST_FMT", "HERD_TEST_FMT2", SqueueFields()), "%-5i");
  setenv("HERD_TEST_FMT", "%i %j", 1);  // the -o form wins
  EXPECT_EQ(*FormatFromEnvironment("HERD_TEST_FMT", "HERD_TEST_FMT2", SqueueFields()), "%i %j");
  unsetenv("HERD_TEST_FMT");
  setenv("HERD_TEST_FMT2", "Nope", 1);
  auto bad = FormatFromEnvironment("HERD_TEST_FMT", "HERD_TEST_FMT2", SqueueFields());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "HERD_TEST_FMT2: Invalid job format specification: nope");
  unsetenv("HERD_TEST_FMT2");
}

}  // namespace
}  // namespace herd::cli
