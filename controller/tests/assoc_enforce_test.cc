// herd — AccountingStorageEnforce through the controller core: accounts and QOS refused
// with Slurm's words at submission, the default account and MaxWall filled in, a submit
// limit refused, a job held by GrpJobs with its reason as queries show it, all of it the
// same after a restart, and a limit lifted by hacctmgr starting the held job.
#include <gtest/gtest.h>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::AssocKind;
using proto::AssocOp;
using testing::SimpleSpec;

class EnforceCoreTest : public CoreTestOn<> {
 protected:
  EnforceCoreTest() {
    cfg_.enforce.associations = cfg_.enforce.limits = cfg_.enforce.qos = true;
    RegisterAll();
  }
  void Assoc(AssocOp op, AssocKind kind, const std::string& name,
             std::vector<std::pair<std::string, std::string>> set,
             std::vector<std::pair<std::string, std::string>> where = {}) {
    proto::AssocUpdateRequest r;
    r.op = op;
    r.kind = kind;
    r.names = {name};
    for (const auto& p : set) {
      r.keys.push_back(p.first);
      r.values.push_back(p.second);
    }
    for (const auto& p : where) {
      r.where_keys.push_back(p.first);
      r.where_values.push_back(p.second);
    }
    auto rep = Call<proto::AssocUpdateReply>(r);
    ASSERT_TRUE(rep.ok()) << rep.error().message();
  }
  Result<proto::SubmitJobReply> TrySubmit(const std::string& account, const std::string& qos = "") {
    proto::SubmitJobRequest r;
    r.spec = SimpleSpec();
    r.spec.account = account;
    r.spec.qos = qos;
    return Call<proto::SubmitJobReply>(r);
  }
};

TEST_F(EnforceCoreTest, SubmissionAndGrpJobsAcrossARestart) {
  Assoc(AssocOp::kAdd, AssocKind::kAccount, "physics", {});
  Assoc(AssocOp::kAdd, AssocKind::kUser, "root", {{"account", "physics"}});
  Assoc(AssocOp::kModify, AssocKind::kUser, "root",
        {{"GrpJobs", "1"}, {"MaxSubmitJobs", "2"}, {"MaxWall", "10"}}, {{"account", "physics"}});

  auto plain = TrySubmit("");
  ASSERT_TRUE(plain.ok());
  const Job* j = core_->state().FindJob(plain->job_id);
  EXPECT_EQ(j->spec.account.str(), "root");  // root's DefaultAccount
  EXPECT_EQ(j->spec.qos.str(), "normal");
  EXPECT_EQ(j->time_limit_s, -1);  // no MaxWall on root's own association

  auto bad = TrySubmit("nosuch");
  EXPECT_EQ(bad.error().message(), "Invalid account or account/partition combination specified");
  EXPECT_EQ(TrySubmit("", "nosuch").error().message(), "Invalid qos specification");

  auto first = TrySubmit("physics");
  auto second = TrySubmit("physics");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(StateOf(first->job_id), JobState::kRunning);
  EXPECT_EQ(core_->state().FindJob(first->job_id)->time_limit_s, 600);  // MaxWall=10
  EXPECT_EQ(InfoOf(second->job_id).reason, "AssocGrpJobsLimit");
  auto third = TrySubmit("physics");
  EXPECT_EQ(third.error().message(),
            "Job violates accounting/QOS policy (job submit limit, user's size and/or time "
            "limits)");

  Restart();
  RegisterAll(/*with_runs=*/true);
  EXPECT_EQ(StateOf(first->job_id), JobState::kRunning);
  EXPECT_EQ(InfoOf(second->job_id).reason, "AssocGrpJobsLimit");
  EXPECT_FALSE(TrySubmit("physics").ok());
  EXPECT_FALSE(TrySubmit("nosuch").ok());

  Assoc(AssocOp::kModify, AssocKind::kUser, "root", {{"GrpJobs", "-1"}}, {{"account", "physics"}});
  EXPECT_EQ(StateOf(second->job_id), JobState::kRunning);
}

}  // namespace
}  // namespace herd::ctld
