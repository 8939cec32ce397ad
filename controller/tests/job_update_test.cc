// herd — scontrol update JobId=: what may change when, who may raise a time limit, and
// that an update is journaled (it survives a restart).
#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;

class JobUpdateTest : public CoreTest {
 protected:
  Status Update(uint64_t id, const std::vector<std::pair<std::string, std::string>>& kv,
                uint32_t uid = 1001) {
    proto::UpdateJobRequest r;
    r.job_id = id;
    for (const auto& [k, v] : kv) {
      r.keys.push_back(k);
      r.values.push_back(v);
    }
    return Call<proto::StatusReply>(r, uid).status();
  }
  uint64_t Held(uint32_t uid = 1001) {
    proto::JobSpec spec = SimpleSpec("sleep 100");
    spec.hold = true;
    spec.time_limit_s = 30 * 60;
    return Submit(spec, uid);
  }
};

TEST_F(JobUpdateTest, PendingJobFieldsChangeAndSurviveARestart) {
  RegisterAll();
  const uint64_t id = Held();
  ASSERT_TRUE(Update(id, {{"TimeLimit", "10"},
                          {"JobName", "renamed"},
                          {"Nice", "50"},
                          {"NumNodes", "2"},
                          {"NumTasks", "4"},
                          {"ExcNodeList", "n1"},
                          {"Features", ""}})
                  .ok());
  auto check = [&] {
    const Job* j = core_->state().FindJob(id);
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->time_limit_s, 600);
    EXPECT_EQ(j->spec.name.str(), "renamed");
    EXPECT_EQ(j->spec.nice, 50);
    EXPECT_EQ(j->spec.min_nodes, 2u);
    EXPECT_EQ(j->spec.num_tasks, 4u);
    EXPECT_EQ(j->spec.exclude.str(), "n1");
  };
  check();
  EXPECT_EQ(InfoOf(id).name, "renamed");
  Restart();
  check();
}

TEST_F(JobUpdateTest, AnAdminSetsAPriorityThatSurvivesARestart) {
  RegisterAll();
  const uint64_t id = Held();
  EXPECT_EQ(Update(id, {{"Priority", "500"}}).code(), Code::kPermissionDenied);
  EXPECT_EQ(Update(id, {{"Priority", "0"}}, 0).code(), Code::kInvalidArgument);
  EXPECT_EQ(Update(id, {{"Priority", "x"}}, 0).code(), Code::kInvalidArgument);
  ASSERT_TRUE(Update(id, {{"Priority", "500"}}, 0).ok());
  EXPECT_EQ(core_->state().FindJob(id)->priority, 500u);
  ASSERT_TRUE(Update(id, {{"Nice", "10"}}).ok());  // a later update keeps it
  Restart();
  EXPECT_EQ(core_->state().FindJob(id)->admin_priority, 500u);
  EXPECT_EQ(core_->state().FindJob(id)->priority, 500u);
}

TEST_F(JobUpdateTest, UsersMayOnlyLowerATimeLimit) {
  RegisterAll();
  const uint64_t id = Held();
  EXPECT_EQ(Update(id, {{"TimeLimit", "60"}}).code(), Code::kPermissionDenied);
  EXPECT_EQ(Update(id, {{"TimeLimit", "UNLIMITED"}}).code(), Code::kPermissionDenied);
  EXPECT_TRUE(Update(id, {{"TimeLimit", "5"}}).ok());
  EXPECT_TRUE(Update(id, {{"TimeLimit", "60"}}, 0).ok()) << "root may raise it";
  EXPECT_EQ(core_->state().FindJob(id)->time_limit_s, 3600);
  EXPECT_EQ(Update(id, {{"Nice", "-5"}}).code(), Code::kPermissionDenied);
  EXPECT_EQ(Update(id, {{"JobName", "x"}}, 1002).code(), Code::kPermissionDenied)
      << "another user's job";
}

TEST_F(JobUpdateTest, RunningJobsTakeOnlyNameAndALowerLimit) {
  RegisterAll();
  proto::JobSpec spec = SimpleSpec("sleep 100");
  spec.time_limit_s = 30 * 60;
  const uint64_t id = Submit(spec, 1001);
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  Status s = Update(id, {{"Partition", "other"}});
  EXPECT_EQ(s.message(), "Job is no longer pending execution");
  EXPECT_TRUE(Update(id, {{"Partition", "debug"}}).ok()) << "its own partition: no change";
  EXPECT_EQ(Update(id, {{"NumTasks", "2"}}).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(Update(id, {{"JobName", "r2"}, {"TimeLimit", "20"}}).ok());
  EXPECT_EQ(core_->state().FindJob(id)->time_limit_s, 1200);
  EXPECT_EQ(Update(id, {{"TimeLimit", "40"}}, 0).code(), Code::kFailedPrecondition)
      << "raising a running job's limit is refused, not half done";
}

TEST_F(JobUpdateTest, BadRequestsChangeNothing) {
  RegisterAll();
  const uint64_t id = Held();
  EXPECT_EQ(Update(99999, {{"TimeLimit", "1"}}).message(), "Invalid job id specified");
  EXPECT_EQ(Update(id, {{"TimeLimit", "abc"}}).code(), Code::kInvalidArgument);
  EXPECT_EQ(Update(id, {{"Partition", "nope"}}).message(), "Invalid partition name specified");
  EXPECT_EQ(Update(id, {{"Bogus", "1"}}).message(),
            "Update of this parameter is not supported: Bogus=1");
  // A shape no node set can run is refused as at submission; the name given with it too.
  EXPECT_FALSE(Update(id, {{"JobName", "x"}, {"NumNodes", "99"}}).ok());
  EXPECT_NE(core_->state().FindJob(id)->spec.name.str(), "x");
  EXPECT_EQ(core_->state().FindJob(id)->spec.min_nodes, 0u);
}

}  // namespace
}  // namespace herd::ctld
