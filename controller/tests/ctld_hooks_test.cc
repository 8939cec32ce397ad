// herd — PrologSlurmctld and EpilogSlurmctld run by the controller (controller/ctld_hooks.h)
// with real programs: the launch waits for the prolog, a failing one requeues, an allocation
// is granted after it; the epilog keeps the job COMPLETING; what is owed is run again after
// a restart, what ended is not; a Job of version 10 reads with nothing owed.
#include <poll.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/base/fs.h"
#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::FromHex;
using testing::SimpleSpec;

class CtldHooksTest : public CoreTest {
 protected:
  CtldHooksTest() {
    cfg_.state_dir = dir_;
    // Each run appends its context and job to `runs`, writes its environment to
    // env.<context>.<job>, waits while `gate` exists and fails once when `fail` exists.
    const std::string script =
        "#!/bin/sh\n"
        "echo \"$SLURM_SCRIPT_CONTEXT $SLURM_JOB_ID\" >>" +
        dir_ + "/runs\n/usr/bin/env >" + dir_ +
        "/env.$SLURM_SCRIPT_CONTEXT.$SLURM_JOB_ID\n"
        "while [ -e " +
        dir_ + "/gate ]; do /bin/sleep 0.05; done\n[ -e " + dir_ + "/fail ] && { /bin/rm " + dir_ +
        "/fail; echo no licence server; exit 3; }\nexit 0\n";
    EXPECT_TRUE(WriteFileAtomic(dir_ + "/hook.sh", script).ok());
    ::chmod((dir_ + "/hook.sh").c_str(), 0755);
    cfg_.hooks.prolog_slurmctld = dir_ + "/hook.sh";
    cfg_.hooks.epilog_slurmctld = dir_ + "/hook.sh";
    Restart();
    RegisterAll();
  }

  // Waits (bounded) until a hook ended, then lets the core take the results.
  void AwaitHook() {
    pollfd p{core_->ctld_hooks_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 20000), 1) << "no hook ended";
    core_->HandleCtldHooks();
    last_ = core_->Flush();
    for (auto& m : last_.node_messages) sent_.push_back(m);
  }
  void Touch(const std::string& name) { ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + name, "").ok()); }
  std::string Read(const std::string& name) {
    auto r = ReadFile(dir_ + "/" + name);
    return r.ok() ? *r : "";
  }
  size_t Launches() { return SentOfType(proto::MsgType::kLaunchBatchRequest).size(); }
};

TEST_F(CtldHooksTest, TheLaunchWaitsForPrologSlurmctldWithSlurmsEnvironment) {
  proto::JobSpec spec = SimpleSpec();
  spec.name = "gated";
  spec.account = "physics";
  const uint64_t id = Submit(spec, 1001);
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  EXPECT_EQ(InfoOf(id).state, JobState::kConfiguring);
  EXPECT_EQ(Launches(), 0u) << "launched before its PrologSlurmctld ended";
  AwaitHook();
  EXPECT_EQ(InfoOf(id).state, JobState::kRunning);
  EXPECT_EQ(Launches(), 1u);
  const std::string env = Read("env.prolog_slurmctld." + std::to_string(id));
  for (const std::string& want :
       {"SLURM_JOB_ID=" + std::to_string(id), std::string("SLURM_JOB_UID=1001"),
        std::string("SLURM_JOB_NAME=gated"), std::string("SLURM_JOB_ACCOUNT=physics"),
        std::string("SLURM_JOB_PARTITION=debug"), std::string("SLURM_JOB_NUM_NODES=1"),
        std::string("SLURM_JOB_RESTART_COUNT=0"), std::string("HERD_JOB_NAME=gated"),
        std::string("SLURM_SCRIPT_CONTEXT=prolog_slurmctld"),
        "SLURM_JOB_NODELIST=" + core_->state().FindJob(id)->alloc.front().node}) {
    EXPECT_NE(env.find(want + "\n"), std::string::npos) << want << " not in\n" << env;
  }
  EXPECT_EQ(env.find("PATH="), std::string::npos) << "no search path, as in Slurm";
}

TEST_F(CtldHooksTest, AFailingPrologSlurmctldRequeuesTheJobUnheld) {
  Touch("fail");
  const uint64_t id = Submit(SimpleSpec());
  AwaitHook();
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->restarts, 1u) << "requeued";
  EXPECT_EQ(j->hold, HoldKind::kNone) << "Slurm requeues it without holding it";
  EXPECT_EQ(Launches(), 0u);
  // Started again at once (nothing holds it), its PrologSlurmctld runs again.
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  AwaitHook();
  EXPECT_EQ(Launches(), 1u);
  EXPECT_EQ(Read("runs"), "prolog_slurmctld " + std::to_string(id) + "\nprolog_slurmctld " +
                              std::to_string(id) + "\n");
}

TEST_F(CtldHooksTest, AnAllocationIsGrantedAfterItsPrologSlurmctld) {
  Touch("gate");
  proto::SubmitJobRequest r;  // as halloc asks
  r.spec.interactive = true;
  r.spec.work_dir = "/tmp";
  auto rep = Call<proto::SubmitJobReply>(r);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  EXPECT_EQ(rep->state, JobState::kConfiguring) << "halloc waits";
  ASSERT_TRUE(RemoveTree(dir_ + "/gate").ok());
  AwaitHook();
  EXPECT_EQ(InfoOf(rep->job_id).state, JobState::kRunning);
  EXPECT_EQ(Launches(), 0u) << "an allocation has no batch launch";
}

TEST_F(CtldHooksTest, ACancelWhileConfiguringEndsTheJobAtOnce) {
  Touch("gate");
  const uint64_t id = Submit(SimpleSpec());
  proto::CancelJobsRequest c;
  c.filter.job_ids = {id};
  ASSERT_TRUE((Call<proto::CancelJobsReply>(c).ok()));
  EXPECT_EQ(StateOf(id), JobState::kCancelled);
  ASSERT_TRUE(RemoveTree(dir_ + "/gate").ok());
  AwaitHook();  // the prolog's end changes nothing; the epilog runs
  EXPECT_EQ(Launches(), 0u);
}

// Its batch host registering again (herdd restarted) while PrologSlurmctld runs does not
// take the launch that was never sent for a lost one, even for a job that may not be
// requeued.
TEST_F(CtldHooksTest, ANodeRegisteringWhileConfiguringLeavesTheJobAlone) {
  Touch("gate");
  proto::JobSpec spec = SimpleSpec();
  spec.requeue = false;
  const uint64_t id = Submit(spec);
  RegisterAll();
  EXPECT_EQ(InfoOf(id).state, JobState::kConfiguring);
  EXPECT_EQ(Launches(), 0u);
  ASSERT_TRUE(RemoveTree(dir_ + "/gate").ok());
  AwaitHook();
  EXPECT_EQ(InfoOf(id).state, JobState::kRunning);
  EXPECT_EQ(Launches(), 1u);
}

TEST_F(CtldHooksTest, EpilogSlurmctldKeepsTheJobCompletingWithItsExitCode) {
  cfg_.hooks.prolog_slurmctld.clear();
  Restart();
  RegisterAll();
  Touch("gate");
  const uint64_t id = Submit(SimpleSpec("exit 3"));
  ASSERT_TRUE(Complete(id, 3 << 8).ok());
  EXPECT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleting);
  ASSERT_TRUE(RemoveTree(dir_ + "/gate").ok());
  AwaitHook();
  EXPECT_EQ(InfoOf(id).state, JobState::kFailed);
  const std::string env = Read("env.epilog_slurmctld." + std::to_string(id));
  for (const char* want : {"SLURM_JOB_EXIT_CODE=768", "SLURM_JOB_EXIT_CODE2=3:0",
                           "SLURM_JOB_DERIVED_EC=3", "SLURM_SCRIPT_CONTEXT=epilog_slurmctld"}) {
    EXPECT_NE(env.find(std::string(want) + "\n"), std::string::npos) << want << " not in\n" << env;
  }
}

// A hook running when the controller stops is run again, from its start, by the next one
// (it was owed: CtldHookOwed without CtldHookDone); one that ended is not.
TEST_F(CtldHooksTest, ARestartRunsAnOwedHookAgainAndNotAnEndedOne) {
  Touch("gate");
  const uint64_t id = Submit(SimpleSpec());
  Restart();  // the first run's end is never taken
  RegisterAll(/*with_runs=*/false);
  ASSERT_TRUE(core_->state().FindJob(id)->ctld_prolog_owed);
  ASSERT_TRUE(RemoveTree(dir_ + "/gate").ok());
  clock_.Advance(2000);
  core_->Tick();  // starts what is owed
  AwaitHook();
  EXPECT_FALSE(core_->state().FindJob(id)->ctld_prolog_owed);
  EXPECT_EQ(Launches(), 1u);
  ASSERT_TRUE(Complete(id, 0).ok());
  AwaitHook();  // its epilog
  EXPECT_EQ(InfoOf(id).state, JobState::kCompleted);
  Restart();
  clock_.Advance(2000);
  core_->Tick();
  const Job* j = core_->state().FindJob(id);
  EXPECT_FALSE(j->ctld_prolog_owed || j->ctld_epilog_owed) << "nothing owed after a restart";
  pollfd p{core_->ctld_hooks_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 0), 0) << "nothing was started again";
}

// Job version 10, as the controller before PrologSlurmctld wrote it: job 21 of dave, "ctl",
// COMPLETED on n1 (cpus 0-1), run 1.
const char kJobV10[] =
    "000a0000001500000000000000e8030000e8030000040000000000000064617665000400000003000000"
    "0000000063746c000000000000000002000000000000002f770000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000feffffffffffffff000000000000000000000000"
    "01000000000000000000000000000100ffff000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000ff000000000000000005000000000000006465627567ffffffff"
    "ffffffff04000000000000000000000000000000010000000000000000000000000000000a0000000000"
    "000014000000000000000000000000000000000100000000000000000000000000000000020000000000"
    "00006e310200000000000000000000000100000064000000000000000200000000000000070000000000"
    "000000000000000000000003000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000feffffff000000000000"
    "00000000000000000000000000000000000000000000000000000000000000";

TEST(CtldHookRecords, JobVersion10ReadsWithNothingOwed) {
  auto j = proto::DecodeBodyAs<Job>(FromHex(kJobV10), "Job");
  ASSERT_TRUE(j.ok()) << j.error().message();
  EXPECT_EQ(j->id, 21u);
  EXPECT_EQ(j->user, "dave");
  EXPECT_EQ(j->state, JobState::kCompleted);
  EXPECT_FALSE(j->ctld_prolog_owed);
  EXPECT_FALSE(j->ctld_epilog_owed);
  Job now = *j;
  now.ctld_epilog_owed = true;
  auto back = proto::DecodeBodyAs<Job>(proto::EncodeBody(now), "Job");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->ctld_epilog_owed);
  EXPECT_FALSE(back->ctld_prolog_owed);
  EXPECT_EQ(ShownState(*back), JobState::kCompleting);
}

}  // namespace
}  // namespace herd::ctld
