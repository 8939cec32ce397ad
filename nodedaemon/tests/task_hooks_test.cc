// herd — TaskProlog output and herd-task-prolog's command line.
#include "nodedaemon/stepd/task_hooks.h"

#include <gtest/gtest.h>

#include "nodedaemon/stepd/job_env.h"

namespace herd::noded {
namespace {

TEST(TaskPrologOutput, ExportUnsetAndPrintInOrder) {
  std::vector<std::string> env = {"PATH=/bin", "UNSET_ME=x", "KEEP=1"};
  const std::string printed = ApplyTaskPrologOutput(
      "print first line\n"
      "export FROM_TP=hello world\n"
      "unset UNSET_ME\n"
      "junk line\n"
      "export EQ=a=b\n"
      "export FROM_TP=again\n"
      "print  two spaces\n"
      "export 9BAD=x\n"
      "export NOVALUE\n"
      "unset KEEP extra\n"
      "print last without newline",
      &env);
  EXPECT_EQ(printed, "first line\n two spaces\nlast without newline\n");
  std::string v;
  EXPECT_TRUE(FindEnv(env, "FROM_TP", &v));
  EXPECT_EQ(v, "again");
  EXPECT_TRUE(FindEnv(env, "EQ", &v));
  EXPECT_EQ(v, "a=b");
  EXPECT_FALSE(FindEnv(env, "UNSET_ME", &v));
  EXPECT_FALSE(FindEnv(env, "9BAD", &v));
  EXPECT_TRUE(FindEnv(env, "KEEP", &v));  // "KEEP extra" is not a name
  EXPECT_EQ(env.front(), "PATH=/bin");
}

TEST(TaskPrologOutput, EmptyAndExportOfEmptyValue) {
  std::vector<std::string> env = {"A=1"};
  EXPECT_EQ(ApplyTaskPrologOutput("", &env), "");
  EXPECT_EQ(ApplyTaskPrologOutput("export A=\n", &env), "");
  EXPECT_EQ(env, std::vector<std::string>{"A="});
}

TEST(TaskPrologArgv, RoundTrip) {
  TaskPrologCall call{"/etc/herd/tp", {"/usr/bin/env", "env"}, {"env", "-0", "--"}};
  const std::vector<std::string> argv = TaskPrologArgv("/opt/herd/bin/herd-task-prolog", call);
  EXPECT_EQ(argv,
            (std::vector<std::string>{"/opt/herd/bin/herd-task-prolog", "/etc/herd/tp", "--exec",
                                      "/usr/bin/env", "--exec", "env", "--", "env", "-0", "--"}));
  auto back = ParseTaskPrologArgv(argv);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->prolog, call.prolog);
  EXPECT_EQ(back->exec_paths, call.exec_paths);
  EXPECT_EQ(back->argv, call.argv);
}

TEST(TaskPrologArgv, Refusals) {
  EXPECT_FALSE(ParseTaskPrologArgv({"w"}).ok());
  EXPECT_FALSE(ParseTaskPrologArgv({"w", "relative", "--exec", "/x", "--", "x"}).ok());
  EXPECT_FALSE(ParseTaskPrologArgv({"w", "/tp", "--exec", "/x", "--"}).ok());
  EXPECT_FALSE(ParseTaskPrologArgv({"w", "/tp", "--", "x"}).ok());  // no --exec
  EXPECT_FALSE(ParseTaskPrologArgv({"w", "/tp", "--bogus", "/x", "--", "x"}).ok());
  EXPECT_FALSE(ParseTaskPrologArgv({"w", "/tp", "--exec"}).ok());
}

TEST(TaskEpilogEnv, SetsTheContext) {
  auto env = TaskEpilogEnv({"SLURM_JOB_ID=5", "SLURM_SCRIPT_CONTEXT=x"});
  std::string v;
  EXPECT_TRUE(FindEnv(env, "SLURM_SCRIPT_CONTEXT", &v));
  EXPECT_EQ(v, "epilog_task");
  EXPECT_TRUE(FindEnv(env, "HERD_SCRIPT_CONTEXT", &v));
  EXPECT_EQ(v, "epilog_task");
  EXPECT_EQ(TaskEpilogTimeoutS(0), 60u) << "never unbounded: herdstepd's loop waits for it";
  EXPECT_EQ(TaskEpilogTimeoutS(5), 5u);
}

}  // namespace
}  // namespace herd::noded
