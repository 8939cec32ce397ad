// herd — step mode end to end on one node: a real herdd and herdstepd, with the test as
// the controller and hrun (step_driver.h): output, stdin, binding, exits, the step token,
// signals and terminates of the job, output files, missing programs, an absent hrun.
#include "nodedaemon/tests/step_driver.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/base/fs.h"
#include "nodedaemon/spool.h"

namespace herd::noded::testing {
namespace {

using std::chrono::milliseconds;

TEST_F(StepDriverTest, OutputStdinBindingAndExits) {
  auto req =
      MakeStep(10, 1,
               "echo hi $HERD_PROCID; grep Cpus_allowed_list /proc/self/status; "
               "if [ $HERD_PROCID = 0 ]; then read line; echo got $line; fi; exit $SLURM_PROCID");
  ASSERT_TRUE(CallNode(req).ok());
  ASSERT_TRUE(CallNode(req).ok());  // a resend: the step is already there
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.hellos > 0; }));
  ToStep(v, proto::StdinData{"hello\n", true}, req.token);
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; })) << "no StepNodeDone";
  EXPECT_EQ(v.hellos, 1);
  EXPECT_FALSE(v.bad_token);
  EXPECT_TRUE(Contains(v.out[0], "hi 0\n")) << v.out[0];
  EXPECT_TRUE(Contains(v.out[1], "hi 1\n")) << v.out[1];
  EXPECT_TRUE(Contains(v.out[0], "got hello\n")) << v.out[0];
  // One logical cpu each, mapped onto the host's PUs 0 and 1 (this host has two at least).
  EXPECT_TRUE(Contains(v.out[0], "Cpus_allowed_list:\t0\n")) << v.out[0];
  EXPECT_TRUE(Contains(v.out[1], "Cpus_allowed_list:\t1\n")) << v.out[1];
  EXPECT_EQ(v.err[0], "cpu-bind=CORES task 0 on n1: mask 0x1 set\n");
  EXPECT_EQ(v.err[1], "cpu-bind=CORES task 1 on n1: mask 0x2 set\n");
  EXPECT_EQ(v.exits[0], 0);
  EXPECT_EQ(v.exits[1], 1 << 8);
  EXPECT_TRUE(v.done_message.empty()) << v.done_message;

  proto::StepCompleteRequest c;
  ASSERT_TRUE(ctl_->WaitCompletion(10, 1, &c));
  EXPECT_EQ(c.node, "n1");
  EXPECT_EQ(c.step.job_id, 10u);
  EXPECT_TRUE(c.step.finished);
  EXPECT_EQ(c.step.wait_status, 1 << 8);
  for (int i = 0; i < 50 && PathExists(root_ + "/spool/n1/job10.0.1"); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_FALSE(PathExists(root_ + "/spool/n1/job10.0.1"));
}

TEST_F(StepDriverTest, SignalKillNeedsTheToken) {
  auto req = MakeStep(11, 0, "echo up; sleep 30");
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.out[0] == "up\n" && v.out[1] == "up\n"; }));
  ToStep(v, proto::StepSignal{SIGKILL}, "wrong-token");
  EXPECT_FALSE(Pump(
      v, req.token, [&] { return !v.exits.empty(); }, milliseconds(1500)));
  EXPECT_GE(v.heartbeats, 1);
  ToStep(v, proto::StepSignal{SIGKILL}, req.token);
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  ASSERT_EQ(v.exits.size(), 2u);
  for (const auto& [rank, status] : v.exits) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << rank << ": " << status;
  }
  proto::StepCompleteRequest c;
  ASSERT_TRUE(ctl_->WaitCompletion(11, 0, &c));
  EXPECT_EQ(c.step.wait_status, SIGKILL);
}

TEST_F(StepDriverTest, JobSignalAndTerminateReachTheSteps) {
  auto a = MakeStep(12, 3, "trap 'echo usr1; exit 3' USR1; echo up; while :; do sleep 0.1; done");
  auto b = MakeStep(12, 4, "echo up; exec sleep 30");
  b.spec.cpu_bind = "none";
  ASSERT_TRUE(CallNode(a).ok());
  StepView va;
  ASSERT_TRUE(Pump(va, a.token, [&] { return va.out[0] == "up\n" && va.out[1] == "up\n"; }));
  ASSERT_TRUE(CallNode(b).ok());
  StepView vb;
  std::map<std::string, StepView*> views = {{a.token, &va}, {b.token, &vb}};
  ASSERT_TRUE(PumpAll(views, [&] { return vb.out[0] == "up\n" && vb.out[1] == "up\n"; }));

  proto::SignalJobRequest sig;
  sig.job_id = 12;
  sig.signal = SIGUSR1;
  ASSERT_TRUE(CallNode(sig).ok());
  // Step 3 traps it; step 4's sleep dies of it.
  ASSERT_TRUE(PumpAll(views, [&] { return va.done && vb.done; }));
  EXPECT_FALSE(va.bad_token || vb.bad_token);
  EXPECT_EQ(va.out[0], "up\nusr1\n");
  EXPECT_EQ(va.exits[0], 3 << 8);
  EXPECT_EQ(va.exits[1], 3 << 8);
  EXPECT_TRUE(WIFSIGNALED(vb.exits[0]) && WTERMSIG(vb.exits[0]) == SIGUSR1);

  auto c = MakeStep(12, 5, "echo up; exec sleep 30");
  ASSERT_TRUE(CallNode(c).ok());
  StepView vc;
  views[c.token] = &vc;
  ASSERT_TRUE(PumpAll(views, [&] { return vc.out[0] == "up\n" && vc.out[1] == "up\n"; }));
  proto::TerminateJobRequest term;
  term.job_id = 12;
  term.kill_wait_s = 5;
  ASSERT_TRUE(CallNode(term).ok());
  ASSERT_TRUE(PumpAll(views, [&] { return vc.done; }));
  EXPECT_FALSE(va.bad_token || vb.bad_token || vc.bad_token);
  EXPECT_TRUE(WIFSIGNALED(vc.exits[0]) && WTERMSIG(vc.exits[0]) == SIGTERM) << vc.exits[0];
  EXPECT_EQ(vc.done_message, "terminated");
  proto::StepCompleteRequest done;
  ASSERT_TRUE(ctl_->WaitCompletion(12, 5, &done));
  EXPECT_EQ(done.step.wait_status, SIGTERM);
  for (int i = 0; i < 50 && !JobRunSteps(root_ + "/spool/n1", 12, 0).empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(CallNode(term).code(), Code::kNotFound);  // nothing of job 12 is left
}

TEST_F(StepDriverTest, FilesMissingProgramsAndNoHrun) {
  auto req = MakeStep(13, 0, "");
  req.spec.argv = {"herd-no-such-program"};
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  EXPECT_EQ(v.exits[0], 127 << 8);
  EXPECT_TRUE(Contains(v.err[1], "cannot execute herd-no-such-program")) << v.err[1];

  // Output to files named by patterns; hrun is not there at all.
  auto files = MakeStep(13, 1, "echo out $HERD_PROCID; echo err $HERD_PROCID >&2");
  files.spec.stdout_pattern = "o-%j.%s-%t.txt";
  files.spec.stderr_pattern = root_ + "/e-%N.txt";
  files.spec.cpu_bind = "threads";
  files.spec.io_addr = "tcp://127.0.0.1:" + std::to_string(FreePort());
  ASSERT_TRUE(CallNode(files).ok());
  proto::StepCompleteRequest c;
  ASSERT_TRUE(ctl_->WaitCompletion(13, 1, &c));
  EXPECT_EQ(c.step.wait_status, 0);
  EXPECT_EQ(Slurp(root_ + "/o-13.1-0.txt"), "out 0\n");
  EXPECT_EQ(Slurp(root_ + "/o-13.1-1.txt"), "out 1\n");
  std::string err = Slurp(root_ + "/e-n1.txt");
  EXPECT_TRUE(Contains(err, "err 0\n") && Contains(err, "err 1\n")) << err;
}

TEST_F(StepDriverTest, KillOnBadExitAndTimeLimit) {
  auto req = MakeStep(14, 0, "if [ $HERD_PROCID = 1 ]; then exit 2; fi; exec sleep 30");
  req.spec.kill_on_bad_exit = true;
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  EXPECT_EQ(v.exits[1], 2 << 8);
  EXPECT_TRUE(WIFSIGNALED(v.exits[0]) && WTERMSIG(v.exits[0]) == SIGKILL) << v.exits[0];
  EXPECT_TRUE(Contains(v.done_message, "kill-on-bad-exit")) << v.done_message;

  auto limited = MakeStep(14, 1, "exec sleep 30");
  limited.spec.time_limit_s = 1;
  ASSERT_TRUE(CallNode(limited).ok());
  StepView w;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Pump(w, limited.token, [&] { return w.done; }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(WIFSIGNALED(w.exits[0]) && WTERMSIG(w.exits[0]) == SIGTERM) << w.exits[0];
  EXPECT_EQ(w.done_message, "the step reached its time limit");
}

TEST_F(StepDriverTest, ManyLinesArriveWholeAndInOrder) {
  auto req = MakeStep(16, 0, "seq 1 100000; printf tail");
  req.spec.cpu_bind = "none";
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  std::string want;
  for (int i = 1; i <= 100000; ++i) want += std::to_string(i) + "\n";
  want += "tail";
  EXPECT_TRUE(v.out[0] == want && v.out[1] == want) << v.out[0].size() << " " << v.out[1].size();
}

TEST_F(StepDriverTest, RunsAsTheJobUser) {
  auto req = MakeStep(15, 0, "id -un; id -u; echo home=$HOME; id -u > mine-$HERD_PROCID");
  if (!AsTestUser(&req)) GTEST_SKIP() << "needs root and the user herdtest";
  ASSERT_TRUE(CallNode(req).ok());
  StepView v;
  ASSERT_TRUE(Pump(v, req.token, [&] { return v.done; }));
  std::string uid = std::to_string(req.uid);
  std::string home = getpwnam(req.user.c_str())->pw_dir;
  EXPECT_EQ(v.out[0], req.user + "\n" + uid + "\nhome=" + home + "\n");
  EXPECT_TRUE(Contains(v.out[1], req.user + "\n" + uid + "\n")) << v.out[1];
  EXPECT_EQ(v.exits[0], 0) << v.err[0];
  EXPECT_EQ(Slurp(req.spec.cwd + "/mine-1"), uid + "\n");
  struct stat st;
  ASSERT_EQ(stat((req.spec.cwd + "/mine-0").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, req.uid);
}

}  // namespace
}  // namespace herd::noded::testing
