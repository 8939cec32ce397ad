// herd — job steps and interactive allocations in the controller core.
#include <sys/wait.h>

#include <csignal>
#include <set>

#include "controller/sched/step_placement.h"
#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

Job JobWith(std::vector<NodeAlloc> alloc) {
  Job j;
  j.id = 7;
  j.state = JobState::kRunning;
  j.alloc = std::move(alloc);
  return j;
}

proto::StepSpec Spec(uint32_t nodes, uint32_t tasks, const std::string& dist = "block") {
  proto::StepSpec s;
  s.num_nodes = nodes;
  s.num_tasks = tasks;
  s.distribution = dist;
  s.argv = {"hostname"};
  s.io_addr = "tcp://127.0.0.1:1";
  s.io_key = std::string(40, 'k');
  return s;
}

TEST(StepPlacement, BlockAndCyclicRanks) {
  Job j = JobWith({{"n1", {0, 1, 2, 3}, 0, 4}, {"n2", {0, 1, 2, 3}, 0, 4}});
  auto block = PlaceStep(j, Spec(2, 4));
  ASSERT_TRUE(block.ok()) << block.error().message();
  EXPECT_EQ((*block)[0].tasks, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ((*block)[1].tasks, (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ((*block)[0].cpus, (std::vector<uint32_t>{0, 1}));
  auto cyclic = PlaceStep(j, Spec(2, 4, "cyclic"));
  ASSERT_TRUE(cyclic.ok());
  EXPECT_EQ((*cyclic)[0].tasks, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ((*cyclic)[1].tasks, (std::vector<uint32_t>{1, 3}));
}

TEST(StepPlacement, StepsDoNotShareCpusUnlessOverlap) {
  Job j = JobWith({{"n1", {0, 1}, 0, 2}});
  StepRecord running;
  running.step_id = 0;
  running.layout = {proto::StepNode{"n1", {0}, {0, 1}, 0}};
  j.steps.push_back(running);
  auto r = PlaceStep(j, Spec(1, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kResourceExhausted);
  proto::StepSpec o = Spec(1, 1);
  o.overlap = true;
  EXPECT_TRUE(PlaceStep(j, o).ok());
}

TEST(StepPlacement, ImpossibleStepsFail) {
  Job j = JobWith({{"n1", {0, 1}, 0, 2}});
  EXPECT_EQ(PlaceStep(j, Spec(2, 2)).error().code(), Code::kFailedPrecondition);
  EXPECT_EQ(PlaceStep(j, Spec(1, 3)).error().code(), Code::kFailedPrecondition);
  proto::StepSpec s = Spec(1, 1);
  s.nodelist = "n5";
  EXPECT_EQ(PlaceStep(j, s).error().code(), Code::kFailedPrecondition);
}

// An allocation of 2 nodes and 4 tasks, as halloc -N2 -n4 asks for.
proto::SubmitJobRequest AllocationRequest() {
  proto::SubmitJobRequest r;
  r.spec.interactive = true;
  r.spec.min_nodes = 2;
  r.spec.num_tasks = 4;
  r.spec.work_dir = "/tmp";
  return r;
}

TEST_F(CoreTest, InteractiveAllocationStartsInTheSubmitReply) {
  RegisterAll();
  auto rep = Call<proto::SubmitJobReply>(AllocationRequest(), 1001);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  EXPECT_EQ(rep->state, JobState::kRunning);
  ASSERT_EQ(rep->alloc.size(), 2u);
  EXPECT_TRUE(sent_.empty()) << "nothing to launch for an allocation";

  proto::StepCreateRequest sc;
  sc.job_id = rep->job_id;
  sc.spec = proto::StepSpec();
  sc.spec.num_tasks = 4;
  sc.spec.argv = {"hostname"};
  sc.spec.io_addr = "tcp://127.0.0.1:9";
  sc.spec.io_key = std::string(40, 'k');
  EXPECT_EQ((Call<proto::StepCreateReply>(sc, 1002).error().code()), Code::kPermissionDenied);
  // Without hrun's CURVE key (an older hrun) the step daemons could not reach it: refused.
  proto::StepCreateRequest keyless = sc;
  keyless.spec.io_key.clear();
  auto refused = Call<proto::StepCreateReply>(keyless, 1001);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("no I/O key"), std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(sent_.empty());
  auto step = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(step.ok()) << step.error().message();
  EXPECT_EQ(step->step_id, 0u);
  EXPECT_EQ(step->num_tasks, 4u);
  EXPECT_EQ(step->token.size(), 32u);
  EXPECT_EQ(sent_.size(), 2u) << "one launch per node of the step";

  for (const auto& n : step->layout) {
    proto::StepCompleteRequest done;
    done.node = n.node;
    done.step = {rep->job_id, 0, 1, true, 0};
    ASSERT_TRUE(Call<proto::StatusReply>(done).ok());
  }
  EXPECT_EQ(core_->state().FindJob(rep->job_id)->steps[0].state, JobState::kCompleted);

  proto::AllocationDoneRequest ad;
  ad.job_id = rep->job_id;
  ad.exit_code = 0;
  ASSERT_TRUE(Call<proto::StatusReply>(ad, 1001).ok());
  EXPECT_EQ(StateOf(rep->job_id), JobState::kCompleted);
}

// A step request sent again with the same token (its answer was lost in a failover) gets
// the step the first one created, also after a restart; a new request gets a new step.
TEST_F(CoreTest, ResentStepCreationGetsTheSameStep) {
  RegisterAll();
  auto rep = Call<proto::SubmitJobReply>(AllocationRequest(), 1001);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  proto::StepCreateRequest sc;
  sc.job_id = rep->job_id;
  sc.spec.num_tasks = 1;
  sc.spec.overlap = true;
  sc.spec.argv = {"hostname"};
  sc.spec.io_addr = "tcp://127.0.0.1:9";
  sc.spec.io_key = std::string(40, 'k');
  sc.token = 0xabcdef0012345678ULL;
  auto first = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(first.ok()) << first.error().message();
  const size_t launches = sent_.size();
  auto again = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->step_id, first->step_id);
  EXPECT_EQ(again->token, first->token) << "the tasks were launched with this token";
  EXPECT_EQ(again->num_tasks, first->num_tasks);
  ASSERT_EQ(again->layout.size(), first->layout.size());
  EXPECT_EQ(again->layout[0].node, first->layout[0].node);
  EXPECT_EQ(sent_.size(), launches) << "nothing launched twice";
  Restart();
  again = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->step_id, first->step_id);
  EXPECT_EQ(again->token, first->token);
  EXPECT_EQ(core_->state().FindJob(rep->job_id)->steps.size(), 1u);
  sc.token = 0x99;  // another hrun in the allocation
  auto other = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(other.ok()) << other.error().message();
  EXPECT_NE(other->step_id, first->step_id);
  EXPECT_NE(other->token, first->token);
}

// A restarted (or new active) controller has lost its outbox: a node that registers
// without a running step whose launch it never confirmed gets the launch again; a node
// that reports the step does not.
TEST_F(CoreTest, UnconfirmedStepLaunchIsSentAgainAfterARestart) {
  RegisterAll();
  auto rep = Call<proto::SubmitJobReply>(AllocationRequest(), 1001);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  proto::StepCreateRequest sc;
  sc.job_id = rep->job_id;
  sc.spec.num_tasks = 4;
  sc.spec.argv = {"hostname"};
  sc.spec.io_addr = "tcp://127.0.0.1:9";
  sc.spec.io_key = std::string(40, 'k');
  auto step = Call<proto::StepCreateReply>(sc, 1001);
  ASSERT_TRUE(step.ok()) << step.error().message();
  ASSERT_EQ(step->layout.size(), 2u);
  auto launches_to = [&](const std::string& node) {
    std::vector<proto::LaunchStepRequest> out;
    const int idx = core_->state().NodeIndex(node);
    for (const OutMsg& m : sent_) {
      auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
      if (!f.ok() || f->type != proto::MsgType::kLaunchStepRequest) continue;
      if (static_cast<int>(m.node) != idx) continue;
      auto body = proto::DecodeBody<proto::LaunchStepRequest>(f->body);
      if (body.ok()) out.push_back(*body);
    }
    return out;
  };
  Restart();
  sent_.clear();
  // The first node runs the step: nothing to send it.
  const std::string& running = step->layout[0].node;
  proto::RegisterNodeRequest r;
  r.name = running;
  r.hw.cpus = cfg_.FindNode(running)->cpus;
  r.hw.memory_mb = cfg_.FindNode(running)->real_memory_mb;
  r.boot_time = 1;
  r.steps = {proto::StepRef{rep->job_id, step->step_id, 1, false, 0}};
  ASSERT_TRUE((Call<proto::RegisterNodeReply>(r).ok()));
  EXPECT_TRUE(launches_to(running).empty());
  // The second never got it.
  const std::string& missing = step->layout[1].node;
  RegisterOne(missing);
  auto again = launches_to(missing);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].step_id, step->step_id);
  EXPECT_EQ(again[0].token, step->token) << "the step token hrun holds";
  // Registering again while that launch waits for its answer does not queue a second one.
  sent_.clear();
  RegisterOne(missing);
  EXPECT_LE(launches_to(missing).size(), 1u);
  EXPECT_EQ(core_->state().FindJob(rep->job_id)->steps.size(), 1u);
  // The allocation itself has no batch step to find on its first node: it lives on.
  EXPECT_EQ(StateOf(rep->job_id), JobState::kRunning);
}

TEST_F(CoreTest, StepFailureAndCancelOfAllocation) {
  RegisterAll();
  proto::SubmitJobRequest r;
  r.spec.interactive = true;
  r.spec.work_dir = "/tmp";
  auto rep = Call<proto::SubmitJobReply>(r);
  proto::StepCreateRequest sc;
  sc.job_id = rep->job_id;
  sc.spec.argv = {"false"};
  sc.spec.io_addr = "tcp://127.0.0.1:9";
  sc.spec.io_key = std::string(40, 'k');
  auto step = Call<proto::StepCreateReply>(sc);
  ASSERT_TRUE(step.ok());
  proto::StepCompleteRequest done;
  done.node = step->layout[0].node;
  done.step = {rep->job_id, 0, 1, true, 1 << 8};
  ASSERT_TRUE(Call<proto::StatusReply>(done).ok());
  EXPECT_EQ(core_->state().FindJob(rep->job_id)->steps[0].state, JobState::kFailed);
  // A step the kernel killed for its memory limit ends OUT_OF_MEMORY.
  auto oom = Call<proto::StepCreateReply>(sc);
  ASSERT_TRUE(oom.ok());
  done.node = oom->layout[0].node;
  done.step = {rep->job_id, oom->step_id, 1, true, proto::kOomWaitStatus};
  done.message = proto::kOutOfMemory;
  ASSERT_TRUE(Call<proto::StatusReply>(done).ok());
  EXPECT_EQ(core_->state().FindJob(rep->job_id)->steps[1].state, JobState::kOutOfMemory);
  proto::CancelJobsRequest c;
  c.filter.job_ids = {rep->job_id};
  ASSERT_TRUE(Call<proto::CancelJobsReply>(c).ok());
  EXPECT_EQ(StateOf(rep->job_id), JobState::kCancelled) << "an allocation ends at once";
}

// A step still running when its allocation ends is cancelled with it; its node's report,
// arriving afterwards, still adds the step's usage (for accounting), once.
TEST_F(CoreTest, LateStepCompletionKeepsItsUsage) {
  RegisterAll();
  proto::SubmitJobRequest r;
  r.spec.interactive = true;
  r.spec.work_dir = "/tmp";
  auto rep = Call<proto::SubmitJobReply>(r);
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  proto::StepCreateRequest sc;
  sc.job_id = rep->job_id;
  sc.spec.argv = {"sleep", "100"};
  sc.spec.io_addr = "tcp://127.0.0.1:9";
  sc.spec.io_key = std::string(40, 'k');
  auto step = Call<proto::StepCreateReply>(sc);
  ASSERT_TRUE(step.ok()) << step.error().message();
  proto::CancelJobsRequest c;
  c.filter.job_ids = {rep->job_id};
  ASSERT_TRUE(Call<proto::CancelJobsReply>(c).ok());
  ASSERT_EQ(StateOf(rep->job_id), JobState::kCancelled);
  ASSERT_EQ(core_->state().FindJob(rep->job_id)->steps[0].state, JobState::kCancelled);

  proto::StepCompleteRequest done;
  done.node = step->layout[0].node;
  done.step = {rep->job_id, step->step_id, 1, true, SIGTERM};
  done.usage.measured = true;
  done.usage.cpu_user_us = 1500000;
  done.usage.mem_peak_bytes = 64 << 20;
  auto first = Call<proto::StatusReply>(done);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(Call<proto::StatusReply>(done).ok()) << "a resend is answered";
  auto check = [&] {
    const Job* j = core_->state().FindJob(rep->job_id);
    ASSERT_NE(j, nullptr);
    const StepRecord& st = j->steps[0];
    EXPECT_EQ(st.state, JobState::kCancelled);
    ASSERT_EQ(st.usage.size(), 1u) << "recorded once";
    EXPECT_EQ(st.usage[0].node, done.node);
    EXPECT_EQ(st.usage[0].usage.cpu_user_us, 1500000u);
    EXPECT_EQ(j->state, JobState::kCancelled);
  };
  check();
  Restart();
  check();
  // Another run of the job is another matter.
  done.step.run_seq = 2;
  EXPECT_FALSE(Call<proto::StatusReply>(done).ok());
}

}  // namespace
}  // namespace herd::ctld

namespace herd::ctld {
namespace {

using testing::SimpleSpec;

class JobHooksCoreTest : public CoreTest {
 protected:
  JobHooksCoreTest() {
    cfg_.hooks.prolog = "/bin/true";
    cfg_.hooks.epilog = "/bin/true";
    Restart();
    RegisterAll();
  }

  uint64_t TwoNodeJob() {
    proto::JobSpec spec = SimpleSpec("hrun -N2 true");
    spec.min_nodes = 2;
    return Submit(spec);
  }
  Result<proto::StepCreateReply> TwoNodeStep(uint64_t id) {
    proto::StepCreateRequest sc;
    sc.job_id = id;
    sc.spec.num_nodes = 2;
    sc.spec.num_tasks = 2;
    sc.spec.argv = {"true"};
    sc.spec.io_addr = "tcp://127.0.0.1:9";
    sc.spec.io_key = std::string(40, 'k');
    return Call<proto::StepCreateReply>(sc);
  }
};

// With a Prolog or an Epilog, every node of a job hears of its end (those where a step ran
// the Prolog then run the Epilog), also when no step was running any more.
TEST_F(JobHooksCoreTest, EveryNodeOfTheJobHearsOfItsEnd) {
  const uint64_t id = TwoNodeJob();
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  auto step = TwoNodeStep(id);
  ASSERT_TRUE(step.ok()) << step.error().message();
  for (const proto::StepNode& n : step->layout) {
    proto::StepCompleteRequest done;
    done.node = n.node;
    done.step = {id, step->step_id, 1, true, 0};
    ASSERT_TRUE(Call<proto::StatusReply>(done).ok());
  }
  ASSERT_TRUE(TerminatedOn(id).empty());
  ASSERT_TRUE(Complete(id, 0).ok());
  EXPECT_EQ(StateOf(id), JobState::kCompleted);
  EXPECT_EQ(TerminatedOn(id).size(), 2u);
}

// The Prolog failed on the second node at the job's first step there: that node is
// drained with the step's reason and the job, whose script is stopped, is requeued (even
// without --requeue) and held.
TEST_F(JobHooksCoreTest, AStepsFailedPrologDrainsItsNodeAndRequeuesTheJob) {
  proto::JobSpec spec = SimpleSpec("hrun -N2 true");
  spec.min_nodes = 2;
  spec.requeue = false;
  const uint64_t id = Submit(spec);
  auto step = TwoNodeStep(id);
  ASSERT_TRUE(step.ok()) << step.error().message();
  const std::string second = step->layout[1].node;
  proto::StepCompleteRequest done;
  done.node = second;
  done.step = {id, step->step_id, 1, true, 1 << 8};
  done.message = proto::kPrologFailed;
  done.drain_reason = "Prolog error: exited 3: no scratch";
  ASSERT_TRUE(Call<proto::StatusReply>(done).ok());
  const NodeRecord* n = core_->state().FindNode(second);
  EXPECT_TRUE(n->drain);
  EXPECT_EQ(n->reason, "Prolog error: exited 3: no scratch");
  const Job* j = core_->state().FindJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->restarts, 1u);
  EXPECT_EQ(j->hold, HoldKind::kLaunchFailed);
  EXPECT_EQ(TerminatedOn(id).size(), 2u) << "the old run is stopped on both nodes";
}

}  // namespace
}  // namespace herd::ctld
