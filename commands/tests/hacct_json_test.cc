// herd hacct --json — sacct's JSON document for jobs of known outcomes, as Slurm 22.05's
// sacct gave it on the anchor (a job killed by signal 9, one cancelled).
#include "commands/hacct/hacct_json.h"

#include <gtest/gtest.h>

#include <csignal>

#include "commands/tests/acct_rows_fixture.h"

namespace herd {
namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;
using testing::Batch;
using testing::Job;

TEST(HacctJson, ExitCodes) {
  auto e = hacct::JsonExitOf("0:9");
  EXPECT_EQ(e.status, "SIGNALED");
  EXPECT_EQ(e.signal, 9);
  e = hacct::JsonExitOf("3:0");
  EXPECT_EQ(e.status, "FAILED");
  EXPECT_EQ(e.return_code, 3);
  EXPECT_EQ(hacct::JsonExitOf("0:0").status, "SUCCESS");
}

// The anchor's answers: job 3 killed by signal 9 is FAILED with exit_code SIGNALED 9
// "Killed" and a CANCELLED batch step; job 4, cancelled, has a SUCCESS exit code and its
// batch step SIGNALED 15 "Terminated"; the limit is in minutes, null when unlimited.
TEST(HacctJson, DocumentAsSacct) {
  JobRow killed = Job(3, proto::JobState::kFailed, SIGKILL);
  killed.time_limit_s = -1;
  killed.steps = {Batch(3, 1000, 2000, 64)};
  JobRow cancelled = Job(4, proto::JobState::kCancelled, SIGTERM);
  StepRow step = Batch(4, 5, 0, 10);
  step.step_id = 0;
  step.name = "true";
  step.state = static_cast<int>(proto::JobState::kCompleted);
  cancelled.steps = {step};
  const std::string doc = hacct::RenderJson({killed, cancelled}, "anchor", false, 0);
  EXPECT_TRUE(doc.find("\"type\": \"openapi/dbv0.0.38\"") != std::string::npos) << doc;
  EXPECT_TRUE(doc.find("\"errors\": []") != std::string::npos) << doc;
  const size_t j3 = doc.find("\"job_id\": 3,"), j4 = doc.find("\"job_id\": 4,");
  ASSERT_NE(j3, std::string::npos);
  ASSERT_NE(j4, std::string::npos);
  const std::string first = hacct::RenderJson({killed}, "anchor", false, 0);
  const std::string second = hacct::RenderJson({cancelled}, "anchor", false, 0);
  auto in = [](const std::string& part, const std::string& s) {
    return part.find(s) != std::string::npos;
  };
  EXPECT_TRUE(in(first, "\"status\": \"SIGNALED\",\n"));
  EXPECT_TRUE(in(first, "\"signal_id\": 9,\n"));
  EXPECT_TRUE(in(first, "\"name\": \"Killed\""));
  EXPECT_TRUE(in(first, "\"current\": \"FAILED\",\n"));
  EXPECT_TRUE(in(first, "\"limit\": null,"));
  EXPECT_TRUE(in(first, "\"id\": \"batch\",\n"));
  EXPECT_TRUE(in(first, "\"state\": \"CANCELLED\",\n"));  // the batch step, signalled
  EXPECT_TRUE(in(first, "\"user\": {\n"));
  EXPECT_TRUE(in(second, "\"current\": \"CANCELLED\",\n"));
  EXPECT_TRUE(in(second, "\"limit\": 10,"));
  EXPECT_TRUE(in(second, "\"name\": \"Terminated\""));
  EXPECT_TRUE(in(second, "\"id\": 0,\n"));
  EXPECT_TRUE(in(second, "\"working_directory\": \"/tmp/w\""));
  // -X: no steps.
  const std::string jobs_only = hacct::RenderJson({cancelled}, "anchor", true, 0);
  EXPECT_NE(jobs_only.find("\"steps\": []"), std::string::npos) << jobs_only;
}

}  // namespace
}  // namespace herd
