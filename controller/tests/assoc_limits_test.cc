// herd — AccountingStorageEnforce: accounts and QOS resolved at submission, the usage the
// state derives from its jobs (kept as they come, start and end; the same rebuilt from a
// checkpoint), the submit limits, and each run-time limit with Slurm's pending reason in
// the scheduler's plan, a held job blocking no other.
#include "controller/sched/assoc_limits.h"

#include <gtest/gtest.h>

#include "controller/sched/scheduler.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using proto::AssocKind;
using testing::SimpleSpec;
using testing::TestConfig;
using Reasons = std::vector<std::pair<uint64_t, PendingReason>>;

class AssocLimitsTest : public ::testing::Test {
 protected:
  AssocLimitsTest() : cfg_(TestConfig()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
    cfg_.enforce.associations = cfg_.enforce.limits = cfg_.enforce.qos = true;
    Account("physics", "root");
    Account("chem", "physics");
    User("bob", {"physics", "chem"});
    User("eve", {"physics"});
  }
  proto::AccountRecord& Account(const std::string& name, const std::string& parent) {
    AssocDefined e;
    e.account.name = name;
    e.account.parent = parent;
    EXPECT_TRUE(state_.Apply(e).ok());
    return const_cast<proto::AccountRecord&>(*state_.assoc().FindAccount(name));
  }
  void User(const std::string& name, const std::vector<std::string>& accounts) {
    AssocDefined e;
    e.kind = AssocKind::kUser;
    e.user.name = name;
    e.user.default_account = accounts.front();
    for (const auto& a : accounts) e.user.accounts[a] = {};
    EXPECT_TRUE(state_.Apply(e).ok());
  }
  // The limits of an entity, changed as hacctmgr modify would (a new definition).
  void SetAccount(const std::string& name, const proto::AssocLimits& l) {
    AssocDefined e;
    e.account = *state_.assoc().FindAccount(name);
    e.account.limits = l;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  void SetUser(const std::string& name, const std::string& account, const proto::AssocLimits& l) {
    AssocDefined e;
    e.kind = AssocKind::kUser;
    e.user = *state_.assoc().FindUser(name);
    e.user.accounts[account].limits = l;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  void SetQos(const std::string& name, const proto::AssocLimits& l) {
    AssocDefined e;
    e.kind = AssocKind::kQos;
    if (const proto::QosRecord* q = state_.assoc().FindQos(name)) e.qos = *q;
    e.qos.name = name;
    e.qos.limits = l;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  uint64_t Submit(const std::string& user, const std::string& account, uint32_t tasks = 1,
                  const std::string& qos = "normal", int64_t limit = -1,
                  const std::string& array = "") {
    Job j;
    j.id = ++last_id_;
    j.user = user;
    j.partition = "debug";
    j.time_limit_s = limit;
    proto::JobSpec spec = SimpleSpec();
    spec.num_tasks = tasks;
    spec.account = account;
    spec.qos = qos;
    j.spec = spec;
    if (!array.empty()) {
      j.array_job_id = j.id;
      j.array_pending = proto::ParseArraySpec(array, 1000)->ranges;
    }
    EXPECT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
    return j.id;
  }
  // Plans and applies the starts as the core would, until a pass starts nothing (an
  // array starts a task a pass); that pass's reasons.
  Reasons Pass() {
    SchedulePlan plan = Schedule(state_, 0);
    if (plan.starts.empty()) return plan.reasons;
    for (PlannedStart& s : plan.starts) {
      JobStarted e;
      e.job_id = s.job_id;
      e.run_seq = 1;
      e.alloc = s.alloc;
      const Job* j = state_.FindJob(s.job_id);
      if (j->IsArrayRemainder()) {
        e.array_task_id = proto::MinTask(j->array_pending);
        e.task_job_id = proto::TaskCount(j->array_pending) == 1 ? j->id : ++last_id_;
      }
      EXPECT_TRUE(state_.Apply(e).ok());
      started_.push_back(e.started_id());
    }
    return Pass();
  }
  void End(uint64_t id) {
    JobEnded e;
    e.job_id = id;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  const UsageCount& Usage(const std::string& user, const std::string& account) const {
    return state_.assoc_usage().User(user, account);
  }

  ClusterConfig cfg_;
  ClusterState state_;
  uint64_t last_id_ = 0;
  std::vector<uint64_t> started_;
};

proto::AssocLimits Limits(void (*set)(proto::AssocLimits*)) {
  proto::AssocLimits l;
  set(&l);
  return l;
}

TEST_F(AssocLimitsTest, ResolveTakesTheDefaultsAndRefusesWithSlurmsWords) {
  std::string account, qos;
  ASSERT_TRUE(ResolveAssoc(state_.assoc(), cfg_.enforce, "bob", &account, &qos).ok());
  EXPECT_EQ(account, "physics");  // bob's DefaultAccount
  EXPECT_EQ(qos, "normal");
  account = "chem";
  EXPECT_TRUE(ResolveAssoc(state_.assoc(), cfg_.enforce, "bob", &account, &qos).ok());
  account = "chem";
  Status s = ResolveAssoc(state_.assoc(), cfg_.enforce, "eve", &account, &qos);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "Invalid account or account/partition combination specified");
  account = "nosuch";
  EXPECT_FALSE(ResolveAssoc(state_.assoc(), cfg_.enforce, "bob", &account, &qos).ok());
  account.clear();  // a user without any association
  EXPECT_FALSE(ResolveAssoc(state_.assoc(), cfg_.enforce, "mallory", &account, &qos).ok());
  account.clear();
  qos = "high";
  s = ResolveAssoc(state_.assoc(), cfg_.enforce, "bob", &account, &qos);
  EXPECT_EQ(s.message(), "Invalid qos specification");
  // Not enforced: all is taken as given.
  AcctEnforce none;
  account = "nosuch";
  EXPECT_TRUE(ResolveAssoc(state_.assoc(), none, "mallory", &account, &qos).ok());
  EXPECT_EQ(account, "nosuch");
}

TEST_F(AssocLimitsTest, UsageFollowsTheJobsAndARestoreRebuildsTheSame) {
  const uint64_t a = Submit("bob", "physics", 2);
  Submit("bob", "physics", 1, "normal", -1, "0-4");  // counts as 5 for the submit limits
  Submit("eve", "physics", 3);
  EXPECT_EQ(Usage("bob", "physics").submit, 6);
  EXPECT_EQ(state_.assoc_usage().Account("physics").submit, 7);
  EXPECT_TRUE(Pass().empty());
  // 2 + 3 cpus and 5 array tasks of one cpu: all start on 16 cpus.
  EXPECT_EQ(Usage("bob", "physics").running, 6);
  EXPECT_EQ(Usage("bob", "physics").submit, 6);  // a task split off keeps the count
  EXPECT_EQ(Usage("bob", "physics").tres.cpu, 7);
  EXPECT_EQ(state_.assoc_usage().Qos("normal").tres.cpu, 10);
  EXPECT_EQ(state_.assoc_usage().QosUser("normal", "eve").running, 1);
  End(a);
  EXPECT_EQ(Usage("bob", "physics").running, 5);
  EXPECT_EQ(Usage("bob", "physics").submit, 5);
  EXPECT_EQ(Usage("bob", "physics").tres.cpu, 5);
  JobRequeued requeued;
  requeued.job_id = started_.back();
  ASSERT_TRUE(state_.Apply(requeued).ok());
  EXPECT_EQ(Usage("bob", "physics").submit + Usage("eve", "physics").submit, 6);

  ClusterState restored(cfg_);
  ASSERT_TRUE(restored.Restore(state_.Snapshot()).ok());
  for (const auto& [name, u] : state_.assoc_usage().accounts()) {
    const UsageCount& r = restored.assoc_usage().Account(name);
    EXPECT_EQ(r.submit, u.submit) << name;
    EXPECT_EQ(r.running, u.running) << name;
    EXPECT_EQ(r.tres.cpu, u.tres.cpu) << name;
    EXPECT_EQ(r.tres.mem, u.tres.mem) << name;
    EXPECT_EQ(r.tres.node, u.tres.node) << name;
  }
  EXPECT_EQ(restored.assoc_usage().User("eve", "physics").running, Usage("eve", "physics").running);
  for (const auto& [id, j] : state_.jobs()) {
    if (!proto::IsFinished(j.state)) End(id);
  }
  EXPECT_TRUE(state_.assoc_usage().accounts().empty()) << "nothing left once all ended";
}

TEST_F(AssocLimitsTest, SubmitLimitsCountArrayTasks) {
  SetUser("bob", "physics", Limits([](proto::AssocLimits* l) { l->max_submit = 3; }));
  Submit("bob", "physics", 1, "normal", -1, "0-1");
  Job next;
  next.user = "bob";
  next.spec.account = "physics";
  next.spec.qos = "normal";
  std::string which;
  EXPECT_TRUE(CheckSubmitLimits(state_.assoc(), state_.assoc_usage(), next, 1, &which).ok());
  Status s = CheckSubmitLimits(state_.assoc(), state_.assoc_usage(), next, 2, &which);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "Job violates accounting/QOS policy (job submit limit, user's size and/or time "
            "limits)");
  EXPECT_EQ(which, "AssocMaxSubmitJobLimit");
  // bob's other account is not limited; a GrpSubmitJobs on physics counts chem's jobs too.
  next.spec.account = "chem";
  which.clear();
  EXPECT_TRUE(CheckSubmitLimits(state_.assoc(), state_.assoc_usage(), next, 2, &which).ok());
  SetAccount("physics", Limits([](proto::AssocLimits* l) { l->grp_submit = 3; }));
  EXPECT_FALSE(CheckSubmitLimits(state_.assoc(), state_.assoc_usage(), next, 2, &which).ok());
  EXPECT_EQ(which, "AssocGrpSubmitJobsLimit");
  which.clear();
  SetQos("normal", Limits([](proto::AssocLimits* l) { l->max_submit = 2; }));
  EXPECT_FALSE(CheckSubmitLimits(state_.assoc(), state_.assoc_usage(), next, 1, &which).ok());
  EXPECT_EQ(which, "QOSMaxSubmitJobPerUserLimit");
}

TEST_F(AssocLimitsTest, GrpJobsHoldsAJobWithoutBlockingOtherUsers) {
  SetUser("bob", "physics", Limits([](proto::AssocLimits* l) { l->grp_jobs = 1; }));
  Submit("bob", "physics");
  const uint64_t held = Submit("bob", "physics");
  const uint64_t other = Submit("eve", "physics");
  EXPECT_EQ(Pass(), (Reasons{{held, PendingReason::kAssocGrpJobsLimit}}));
  EXPECT_EQ(state_.FindJob(other)->state, JobState::kRunning);
  EXPECT_EQ(std::string(PendingReasonName(PendingReason::kAssocGrpJobsLimit)), "AssocGrpJobsLimit");
  // The limit lifted: the next pass starts it.
  SetUser("bob", "physics", {});
  EXPECT_TRUE(Pass().empty());
  EXPECT_EQ(state_.FindJob(held)->state, JobState::kRunning);
}

TEST_F(AssocLimitsTest, NothingIsHeldWithoutLimitsEnforced) {
  cfg_.enforce.limits = false;
  SetUser("bob", "physics", Limits([](proto::AssocLimits* l) { l->grp_jobs = 1; }));
  Submit("bob", "physics");
  Submit("bob", "physics");
  EXPECT_TRUE(Pass().empty());
}

TEST_F(AssocLimitsTest, MaxJobsIsInheritedAndCountsThePlansStarts) {
  SetAccount("physics", Limits([](proto::AssocLimits* l) { l->max_jobs = 2; }));
  Submit("bob", "chem");  // chem inherits physics's MaxJobs, per user
  Submit("bob", "chem");
  const uint64_t third = Submit("bob", "chem");
  Submit("eve", "physics");
  EXPECT_EQ(Pass(), (Reasons{{third, PendingReason::kAssocMaxJobsLimit}}));
  // bob's own MaxJobs overrides the account's.
  SetUser("bob", "chem", Limits([](proto::AssocLimits* l) { l->max_jobs = 3; }));
  EXPECT_TRUE(Pass().empty());
}

TEST_F(AssocLimitsTest, GrpTresOfAnAccountCountsItsSubtree) {
  SetAccount("physics", Limits([](proto::AssocLimits* l) { l->grp_tres = {{"cpu", 6}}; }));
  Submit("eve", "physics", 4);
  const uint64_t chem = Submit("bob", "chem", 3);
  const uint64_t small = Submit("bob", "chem", 2);
  EXPECT_EQ(Pass(), (Reasons{{chem, PendingReason::kAssocGrpCpuLimit}}));
  EXPECT_EQ(state_.FindJob(small)->state, JobState::kRunning);
  SetAccount("physics", Limits([](proto::AssocLimits* l) { l->grp_tres = {{"node", 1}}; }));
  EXPECT_EQ(Pass(), (Reasons{{chem, PendingReason::kAssocGrpNodeLimit}}));
  SetAccount("physics", Limits([](proto::AssocLimits* l) { l->grp_tres = {{"mem", 100}}; }));
  Job* j = const_cast<Job*>(state_.FindJob(chem));
  j->spec.mem_per_node_mb = 200;
  EXPECT_EQ(Pass(), (Reasons{{chem, PendingReason::kAssocGrpMemLimit}}));
}

TEST_F(AssocLimitsTest, PerJobLimitsAndMaxWall) {
  SetUser("bob", "physics", Limits([](proto::AssocLimits* l) {
            l->max_tres_per_job = {{"cpu", 2}};
            l->max_wall_s = 600;
          }));
  const uint64_t wide = Submit("bob", "physics", 4, "normal", 300);
  const uint64_t longer = Submit("bob", "physics", 1, "normal", 1200);
  const uint64_t unlimited = Submit("bob", "physics", 1, "normal", -1);
  const uint64_t fits = Submit("bob", "physics", 2, "normal", 600);
  EXPECT_EQ(Pass(), (Reasons{{wide, PendingReason::kAssocMaxCpuPerJobLimit},
                             {longer, PendingReason::kAssocMaxWallDurationPerJobLimit},
                             {unlimited, PendingReason::kAssocMaxWallDurationPerJobLimit}}));
  EXPECT_EQ(state_.FindJob(fits)->state, JobState::kRunning);
  EXPECT_EQ(EffectiveMaxWall(state_.assoc(), "bob", "physics", "normal"), 600);
  EXPECT_EQ(EffectiveMaxWall(state_.assoc(), "eve", "physics", "normal"), -1);
}

TEST_F(AssocLimitsTest, QosLimitsComeFirstWithTheirOwnReasons) {
  SetQos("high", Limits([](proto::AssocLimits* l) {
           l->grp_jobs = 3;
           l->max_jobs = 1;  // MaxJobsPerUser
         }));
  SetUser("bob", "physics", Limits([](proto::AssocLimits* l) { l->grp_jobs = 1; }));
  Submit("bob", "physics", 1, "high", 30);
  const uint64_t per_user = Submit("bob", "physics", 1, "high", 30);
  Submit("eve", "physics", 1, "high", 30);
  const uint64_t grp = Submit("eve", "physics", 1, "high", 30);
  EXPECT_EQ(Pass(), (Reasons{{per_user, PendingReason::kQosMaxJobsPerUserLimit},
                             {grp, PendingReason::kQosMaxJobsPerUserLimit}}));
  SetQos("high", Limits([](proto::AssocLimits* l) {
           l->grp_jobs = 2;
           l->max_wall_s = 60;
           l->grp_tres = {{"cpu", 1}};
         }));
  const uint64_t wall = Submit("eve", "physics", 1, "high", 120);
  // Two running of GrpJobs=2: the QOS's job limit, before bob's association's.
  EXPECT_EQ(Pass(), (Reasons{{per_user, PendingReason::kQosGrpJobsLimit},
                             {grp, PendingReason::kQosGrpJobsLimit},
                             {wall, PendingReason::kQosMaxWallDurationPerJobLimit}}));
  SetQos("high", Limits([](proto::AssocLimits* l) { l->max_tres_per_job = {{"node", 1}}; }));
  Job* j = const_cast<Job*>(state_.FindJob(wall));
  j->spec.min_nodes = 2;
  EXPECT_EQ(Pass(), (Reasons{{per_user, PendingReason::kAssocGrpJobsLimit},
                             {wall, PendingReason::kQosMaxNodePerJobLimit}}));
  EXPECT_EQ(state_.FindJob(grp)->state, JobState::kRunning);
}

}  // namespace
}  // namespace herd::ctld
