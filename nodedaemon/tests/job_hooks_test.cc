// herd — the Prolog once per job run on a node, its record, and herdd's Epilogs, with real
// programs (/bin/sh scripts) in a scratch spool.
#include "nodedaemon/job_hooks.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include "common/base/fs.h"
#include "nodedaemon/hooks.h"

namespace herd::noded {
namespace {

class JobHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-job-hooks-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    spool_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(spool_); }

  // A program that appends its context and job id to <spool>/log, then exits `code`.
  std::string Program(const std::string& name, int code) {
    const std::string path = spool_ + "/" + name;
    const std::string text = "#!/bin/sh\necho \"$SLURM_SCRIPT_CONTEXT $SLURM_JOB_ID\" >> " +
                             spool_ + "/log\necho first words\nexit " + std::to_string(code) + "\n";
    EXPECT_TRUE(WriteFileAtomic(path, text, false).ok());
    ::chmod(path.c_str(), 0755);
    return path;
  }
  std::string Log() {
    auto text = ReadFile(spool_ + "/log");
    return text.ok() ? *text : "";
  }
  static std::vector<std::string> Env(uint64_t job) {
    return {"SLURM_JOB_ID=" + std::to_string(job), "SLURM_SCRIPT_CONTEXT=prolog_slurmd",
            "HERD_SCRIPT_CONTEXT=prolog_slurmd"};
  }
  // Reaps what NodeEpilogs started until it has none running.
  static std::vector<std::string> ReapAll(NodeEpilogs* epilogs) {
    std::vector<std::string> failures;
    while (epilogs->running()) {
      int status = 0;
      pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) break;
      std::string failure;
      EXPECT_TRUE(epilogs->OnReaped(pid, status, &failure));
      failures.push_back(failure);
    }
    return failures;
  }

  std::string spool_;
};

TEST_F(JobHooksTest, PrologRunsOncePerRunAndTheEpilogAfterTheEnd) {
  const std::string prolog = Program("prolog", 0);
  auto first = RunPrologOnce(spool_, 7, 0, PrologOwner::kStep, prolog, Env(7), 0);
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_TRUE(first->ok);
  EXPECT_TRUE(first->ran_here);
  auto second = RunPrologOnce(spool_, 7, 0, PrologOwner::kStep, prolog, Env(7), 0);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->ok);
  EXPECT_FALSE(second->ran_here);
  auto next_run = RunPrologOnce(spool_, 7, 1, PrologOwner::kStep, prolog, Env(7), 0);
  ASSERT_TRUE(next_run.ok());
  EXPECT_TRUE(next_run->ran_here);
  EXPECT_EQ(Log(), "prolog_slurmd 7\nprolog_slurmd 7\n");

  ClusterConfig config;
  config.hooks.epilog = Program("epilog", 0);
  NodeEpilogs epilogs(config, spool_);
  auto never_busy = [](uint64_t, uint32_t) { return false; };
  epilogs.Poll(never_busy);  // nothing ended yet
  EXPECT_FALSE(epilogs.running());
  EXPECT_FALSE(MarkJobRunEnded(spool_, 8, 0));  // no step of job 8 here
  ASSERT_TRUE(MarkJobRunEnded(spool_, 7, 0));
  epilogs.Poll([](uint64_t, uint32_t) { return true; });  // a step still runs
  EXPECT_FALSE(epilogs.running());
  epilogs.Poll(never_busy);
  EXPECT_TRUE(epilogs.running());
  EXPECT_EQ(ReapAll(&epilogs), std::vector<std::string>{""});
  EXPECT_EQ(Log(), "prolog_slurmd 7\nprolog_slurmd 7\nepilog_slurmd 7\n");
  EXPECT_FALSE(PathExists(JobHookRecordPath(spool_, 7, 0)));
  EXPECT_TRUE(PathExists(JobHookRecordPath(spool_, 7, 1)));  // run 1 has not ended
  epilogs.Poll(never_busy);
  EXPECT_FALSE(epilogs.running());  // once only
}

TEST_F(JobHooksTest, AFailedPrologIsKeptAndGetsNoEpilog) {
  const std::string prolog = Program("prolog", 3);
  auto first = RunPrologOnce(spool_, 9, 0, PrologOwner::kStep, prolog, Env(9), 0);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->ok);
  EXPECT_TRUE(first->ran_here);
  EXPECT_EQ(first->reason, "Prolog error: exited 3: first words");
  auto again = RunPrologOnce(spool_, 9, 0, PrologOwner::kStep, prolog, Env(9), 0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->ok);
  EXPECT_FALSE(again->ran_here);  // the node is drained by the step that ran it
  EXPECT_EQ(again->reason, first->reason);

  ClusterConfig config;
  config.hooks.epilog = Program("epilog", 0);
  NodeEpilogs epilogs(config, spool_);
  ASSERT_TRUE(MarkJobRunEnded(spool_, 9, 0));
  epilogs.Poll([](uint64_t, uint32_t) { return false; });
  EXPECT_FALSE(epilogs.running());
  EXPECT_EQ(Log(), "prolog_slurmd 9\n");
  EXPECT_FALSE(PathExists(JobHookRecordPath(spool_, 9, 0)));
}

TEST_F(JobHooksTest, TheBatchStepKeepsItsOwnEpilog) {
  ASSERT_TRUE(RunPrologOnce(spool_, 4, 0, PrologOwner::kBatch, "", Env(4), 0).ok());
  auto step = RunPrologOnce(spool_, 4, 0, PrologOwner::kStep, Program("prolog", 0), Env(4), 0);
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(step->ran_here);
  ClusterConfig config;
  config.hooks.epilog = Program("epilog", 0);
  NodeEpilogs epilogs(config, spool_);
  ASSERT_TRUE(MarkJobRunEnded(spool_, 4, 0));
  epilogs.Poll([](uint64_t, uint32_t) { return false; });
  EXPECT_FALSE(epilogs.running());
  EXPECT_EQ(Log(), "");
}

TEST_F(JobHooksTest, AFailingOrHungEpilogGivesTheDrainReason) {
  ClusterConfig config;
  config.hooks.epilog = Program("epilog", 2);
  ASSERT_TRUE(RunPrologOnce(spool_, 5, 0, PrologOwner::kStep, "", Env(5), 0).ok());
  NodeEpilogs epilogs(config, spool_);
  ASSERT_TRUE(MarkJobRunEnded(spool_, 5, 0));
  epilogs.Poll([](uint64_t, uint32_t) { return false; });
  EXPECT_EQ(ReapAll(&epilogs), std::vector<std::string>{"Epilog error: exited 2: first words"});

  const std::string hang = spool_ + "/hang";
  ASSERT_TRUE(WriteFileAtomic(hang, "#!/bin/sh\nexec sleep 60\n", false).ok());
  ::chmod(hang.c_str(), 0755);
  config.hooks.epilog = hang;
  config.hooks.prolog_epilog_timeout_s = 1;
  NodeEpilogs bounded(config, spool_);
  ASSERT_TRUE(RunPrologOnce(spool_, 6, 0, PrologOwner::kStep, "", Env(6), 0).ok());
  ASSERT_TRUE(MarkJobRunEnded(spool_, 6, 0));
  bounded.Poll([](uint64_t, uint32_t) { return false; });
  ASSERT_TRUE(bounded.running());
  bounded.Enforce(NodeEpilogs::Clock::now() + std::chrono::seconds(2));
  EXPECT_EQ(ReapAll(&bounded), std::vector<std::string>{"Epilog error: timed out after 1 s"});
}

// The record and its end marker are files: a herdd started again (a new NodeEpilogs) still
// runs the Epilog owed, and one that was running when herdd stopped runs again.
TEST_F(JobHooksTest, AnEpilogOwedOutlivesHerdd) {
  ClusterConfig config;
  config.hooks.epilog = Program("epilog", 0);
  ASSERT_TRUE(RunPrologOnce(spool_, 11, 0, PrologOwner::kStep, "", Env(11), 0).ok());
  {
    NodeEpilogs before(config, spool_);
    ASSERT_TRUE(MarkJobRunEnded(spool_, 11, 0));
  }  // herdd stops before its next timer
  NodeEpilogs after(config, spool_);
  after.Poll([](uint64_t, uint32_t) { return false; });
  ASSERT_TRUE(after.running());
  EXPECT_EQ(ReapAll(&after), std::vector<std::string>{""});
  EXPECT_EQ(Log(), "epilog_slurmd 11\n");
  EXPECT_FALSE(PathExists(JobHookRecordPath(spool_, 11, 0)));
}

TEST_F(JobHooksTest, ConcurrentStepsRunThePrologOnce) {
  const std::string slow = spool_ + "/slow";
  ASSERT_TRUE(WriteFileAtomic(
                  slow,
                  "#!/bin/sh\nsleep 0.3\necho \"$SLURM_SCRIPT_CONTEXT\" >> " + spool_ + "/log\n",
                  false)
                  .ok());
  ::chmod(slow.c_str(), 0755);
  std::vector<std::thread> steps;
  std::vector<int> ran(4, 0);
  for (int i = 0; i < 4; ++i) {
    steps.emplace_back([&, i] {
      auto once = RunPrologOnce(spool_, 3, 0, PrologOwner::kStep, slow, Env(3), 0);
      ran[static_cast<size_t>(i)] = once.ok() && once->ok ? (once->ran_here ? 1 : 2) : 0;
    });
  }
  for (auto& t : steps) t.join();
  EXPECT_EQ(std::count(ran.begin(), ran.end(), 1), 1);
  EXPECT_EQ(std::count(ran.begin(), ran.end(), 2), 3);
  EXPECT_EQ(Log(), "prolog_slurmd\n");
}

// Prolog=<pattern>: every program it matches runs, in the order of their names; the first
// that fails ends the run with its status, and the next ones do not run.
TEST_F(JobHooksTest, APatternRunsItsProgramsInTurnUntilOneFails) {
  ASSERT_TRUE(MakeDirs(spool_ + "/prolog.d", 0755).ok());
  auto add = [&](const std::string& name, int code) {
    const std::string path = spool_ + "/prolog.d/" + name;
    const std::string text = "#!/bin/sh\necho " + name + " >> " + spool_ + "/log\necho " + name +
                             " says no\nexit " + std::to_string(code) + "\n";
    ASSERT_TRUE(WriteFileAtomic(path, text, false).ok());
    ::chmod(path.c_str(), 0755);
  };
  add("20-b", 0);
  add("10-a", 0);
  const std::string pattern = spool_ + "/prolog.d/*";
  EXPECT_EQ(HookPrograms(pattern),
            (std::vector<std::string>{spool_ + "/prolog.d/10-a", spool_ + "/prolog.d/20-b"}));
  auto ok = RunPrologOnce(spool_, 30, 0, PrologOwner::kStep, pattern, Env(30), 0);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(Log(), "10-a\n20-b\n");

  add("15-fails", 4);
  ASSERT_TRUE(WriteFileAtomic(spool_ + "/log", "", false).ok());
  auto failed = RunPrologOnce(spool_, 31, 0, PrologOwner::kStep, pattern, Env(31), 0);
  ASSERT_TRUE(failed.ok());
  EXPECT_FALSE(failed->ok);
  EXPECT_EQ(failed->reason, "Prolog error: exited 4: 15-fails says no");
  EXPECT_EQ(Log(), "10-a\n15-fails\n");

  EXPECT_TRUE(HookPrograms(spool_ + "/none.d/*").empty());
  auto none = RunPrologOnce(spool_, 32, 0, PrologOwner::kStep, spool_ + "/none.d/*", Env(32), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->ok) << "a pattern that matches nothing runs nothing";
}

// A node where none of the job's steps ran gets the Epilog too, from the terminate of the
// ended job: once, with the job's fields and exit code; a step's node gets the exit code.
TEST_F(JobHooksTest, ANodeWhereNothingRanRunsTheEpilogOnceWithTheExitCode) {
  const std::string dump = spool_ + "/dump";
  ASSERT_TRUE(
      WriteFileAtomic(dump, "#!/bin/sh\nenv > " + spool_ + "/env.$SLURM_JOB_ID\n", false).ok());
  ::chmod(dump.c_str(), 0755);
  ClusterConfig config;
  config.hooks.epilog = dump;
  NodeEpilogs epilogs(config, spool_);
  auto never_busy = [](uint64_t, uint32_t) { return false; };

  proto::TerminateJobRequest t;
  t.job_id = 20;
  t.run_seq = 1;
  t.ended = true;
  t.user = "alice";
  t.uid = 1001;
  t.gid = 1002;
  t.name = "sim";
  t.partition = "batch";
  t.nodelist = "n[1-3]";
  t.account = "physics";
  t.constraints = "a,b";
  t.wait_status = 3 << 8;
  HookJob job{"epilog", "n3", "herd", "/etc/herd/herd.conf", "users", t.wait_status};
  auto made = RecordIdleRun(spool_, 20, 1, TerminateHookEnv(t, job));
  ASSERT_TRUE(made.ok()) << made.error().message();
  EXPECT_TRUE(*made);
  EXPECT_FALSE(*RecordIdleRun(spool_, 20, 1, TerminateHookEnv(t, job))) << "one record a run";
  ASSERT_TRUE(MarkJobRunEnded(spool_, 20, 1, &t.wait_status));
  EXPECT_TRUE(JobHookRecordKept(spool_, 20, 1));

  // A node where a step ran the Prolog: the terminate's exit code joins its environment.
  ASSERT_TRUE(RunPrologOnce(spool_, 21, 0, PrologOwner::kStep, "", Env(21), 0).ok());
  const int32_t killed = SIGKILL;
  ASSERT_TRUE(MarkJobRunEnded(spool_, 21, 0, &killed));

  epilogs.Poll(never_busy);
  EXPECT_EQ(ReapAll(&epilogs), (std::vector<std::string>{"", ""}));
  auto env = ReadFile(spool_ + "/env.20");
  ASSERT_TRUE(env.ok());
  for (const char* want :
       {"SLURM_JOB_ID=20", "SLURM_JOB_USER=alice", "SLURM_JOB_UID=1001", "SLURM_JOB_GID=1002",
        "SLURM_JOB_GROUP=users", "SLURM_JOB_NAME=sim", "SLURM_JOB_PARTITION=batch",
        "SLURM_JOB_NODELIST=n[1-3]", "SLURM_JOB_ACCOUNT=physics", "SLURM_JOB_CONSTRAINTS=a,b",
        "SLURM_JOB_EXIT_CODE=768", "SLURM_JOB_EXIT_CODE2=3:0", "SLURM_SCRIPT_CONTEXT=epilog_slurmd",
        "SLURMD_NODENAME=n3", "HERD_NODENAME=n3"}) {
    EXPECT_NE(env->find(std::string(want) + "\n"), std::string::npos) << want;
  }
  auto step_env = ReadFile(spool_ + "/env.21");
  ASSERT_TRUE(step_env.ok());
  EXPECT_NE(step_env->find("SLURM_JOB_EXIT_CODE2=0:9\n"), std::string::npos) << *step_env;
  EXPECT_NE(step_env->find("SLURM_SCRIPT_CONTEXT=epilog_slurmd\n"), std::string::npos);

  // Done: the record is gone, and a terminate sent again starts no second Epilog.
  EXPECT_FALSE(JobHookRecordKept(spool_, 20, 1));
  auto again = RecordIdleRun(spool_, 20, 1, TerminateHookEnv(t, job));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_FALSE(MarkJobRunEnded(spool_, 20, 1, &t.wait_status));
  epilogs.Poll(never_busy);
  EXPECT_FALSE(epilogs.running());
}

TEST(JobHookEnv, StepPrologHasTheJobsFieldsAndEpilogItsContext) {
  proto::LaunchStepRequest launch;
  launch.job_id = 12;
  launch.user = "alice";
  launch.uid = 1001;
  launch.gid = 1002;
  launch.partition = "batch";
  launch.job_name = "sim";
  launch.job_nodelist = "n[1-2]";
  HookJob job{"prolog", "n2", "herd", "/etc/herd/herd.conf", "users", 0};
  const std::vector<std::string> env = StepHookEnv(launch, job);
  for (const char* want :
       {"SLURM_JOB_ID=12", "HERD_JOB_ID=12", "SLURM_JOB_USER=alice", "SLURM_JOB_UID=1001",
        "SLURM_JOB_GID=1002", "SLURM_JOB_GROUP=users", "SLURM_JOB_NAME=sim",
        "SLURM_JOB_PARTITION=batch", "SLURM_JOB_NODELIST=n[1-2]", "HERD_JOB_NODELIST=n[1-2]",
        "SLURM_CLUSTER_NAME=herd", "SLURM_CONF=/etc/herd/herd.conf",
        "SLURM_SCRIPT_CONTEXT=prolog_slurmd", "SLURMD_NODENAME=n2", "HERD_NODENAME=n2"}) {
    EXPECT_NE(std::find(env.begin(), env.end(), want), env.end()) << want;
  }
  const std::vector<std::string> epilog = EpilogEnvFromProlog(env);
  EXPECT_NE(std::find(epilog.begin(), epilog.end(), "SLURM_SCRIPT_CONTEXT=epilog_slurmd"),
            epilog.end());
  EXPECT_NE(std::find(epilog.begin(), epilog.end(), "HERD_SCRIPT_CONTEXT=epilog_slurmd"),
            epilog.end());
  EXPECT_EQ(epilog.size(), env.size());
}

}  // namespace
}  // namespace herd::noded
