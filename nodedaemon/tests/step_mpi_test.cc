// herd — MPI steps through herdd and herdstepd with the mpi/pmix plugin: Open MPI programs
// launched directly (no mpirun) on one node and across two nodes of this host, with the
// test relaying PMIx fences as hrun does, and MPI_Abort ending the step (step_driver.h).
#include <signal.h>
#include <sys/wait.h>

#include "nodedaemon/tests/step_driver.h"

namespace herd::noded::testing {
namespace {

class StepMpiTest : public StepDriverTest {
 protected:
  proto::LaunchStepRequest MpiStep(uint64_t job, const char* program) {
    proto::LaunchStepRequest r = MakeStep(job, 0, "");
    r.spec.argv = {program};
    r.spec.mpi = "pmix";
    r.spec.cpu_bind = "cores";
    r.spec.env.push_back("OMPI_ALLOW_RUN_AS_ROOT=1");
    r.spec.env.push_back("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1");
    return r;
  }
};

TEST_F(StepMpiTest, TwoRanksOnOneNode) {
  auto req = MpiStep(20, HERD_MPI_HELLO);
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  for (uint32_t rank : {0u, 1u}) {
    EXPECT_TRUE(Contains(v.out[rank], "rank " + std::to_string(rank) + "/2 ")) << v.out[rank];
    EXPECT_TRUE(Contains(v.out[rank], "cpus=" + std::to_string(rank) + " ")) << v.out[rank];
    EXPECT_TRUE(Contains(v.out[rank], "allreduce=3 expect=3")) << v.out[rank];
    EXPECT_EQ(v.exits[rank], 0) << v.err[rank];
  }
  proto::StepCompleteRequest c;
  ASSERT_TRUE(ctl_->WaitCompletion(20, 0, &c));
  EXPECT_EQ(c.step.wait_status, 0);
}

TEST_F(StepMpiTest, TwoNodesFenceThroughHrun) {
  auto req = MpiStep(21, HERD_MPI_HELLO);
  req.layout = {{"n1", {0}, {0}, 0}, {"n2", {1}, {1}, 0}};
  req.job_nodelist = "n[1-2]";
  req.job_alloc = {{"n1", {0}, 0, 1}, {"n2", {1}, 0, 1}};
  ASSERT_TRUE(CallNode(req, "n1").ok());
  ASSERT_TRUE(CallNode(req, "n2").ok());
  StepView v;
  v.nodes = 2;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  EXPECT_GE(v.fences_done, 1);
  for (uint32_t rank : {0u, 1u}) {
    EXPECT_TRUE(Contains(v.out[rank], "rank " + std::to_string(rank) + "/2 ")) << v.out[rank];
    EXPECT_TRUE(Contains(v.out[rank], "allreduce=3 expect=3")) << v.out[rank];
    EXPECT_EQ(v.exits[rank], 0) << v.err[rank];
  }
  proto::StepCompleteRequest c;
  ASSERT_TRUE(ctl_->WaitCompletion(21, 0, &c, "n1"));
  ASSERT_TRUE(ctl_->WaitCompletion(21, 0, &c, "n2"));
  EXPECT_EQ(c.step.wait_status, 0);
}

TEST_F(StepMpiTest, RanksOfAnUnprivilegedUser) {
  auto req = MpiStep(23, HERD_MPI_HELLO);
  if (!AsTestUser(&req)) GTEST_SKIP() << "needs root and the user herdtest";
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  for (uint32_t rank : {0u, 1u}) {
    EXPECT_TRUE(Contains(v.out[rank], "allreduce=3 expect=3")) << v.out[rank];
    EXPECT_EQ(v.exits[rank], 0) << v.err[rank];
  }
  EXPECT_FALSE(Contains(v.err[0] + v.err[1], "PMIX ERROR")) << v.err[0] << v.err[1];
}

TEST_F(StepMpiTest, MpiAbortEndsTheStep) {
  auto req = MpiStep(22, HERD_MPI_ABORT);
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  EXPECT_TRUE(v.aborted);
  EXPECT_EQ(v.abort_code, 7);
  EXPECT_TRUE(Contains(v.out[1], "rank 1 aborting")) << v.out[1];
  EXPECT_FALSE(Contains(v.out[0], "was not killed")) << v.out[0];
  EXPECT_EQ(v.exits.size(), 2u);
  EXPECT_TRUE(Contains(v.done_message, "MPI abort")) << v.done_message;
}

}  // namespace
}  // namespace herd::noded::testing
