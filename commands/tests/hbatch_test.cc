// herd hbatch — tests of option parsing, directives, --export and the JobSpec.
#include <gtest/gtest.h>

#include "commands/hbatch/hbatch_options.h"
#include "commands/hbatch/hbatch_script.h"
#include "commands/lib/cli.h"

namespace herd::hbatch {
namespace {

const std::vector<std::string> kEnv = {"PATH=/bin", "HOME=/home/u", "FOO=1", "X=a=b"};

Result<Submission> Submit(const std::vector<std::string>& args, const std::string& script,
                          const std::vector<std::string>& env = kEnv) {
  auto cl = ParseHbatchCommandLine(args);
  if (!cl.ok()) return cl.error();
  return BuildSubmission(*cl, script, env, "/home/u/work");
}

std::string ErrorOf(const std::vector<std::string>& args,
                    const std::string& script = "#!/bin/sh\n") {
  auto s = Submit(args, script);
  return s.ok() ? "" : s.error().message();
}

TEST(Hbatch, DefaultsFromAPlainScript) {
  auto s = Submit({"job.sh", "a1", "-n", "3"}, "#!/bin/bash\necho hi\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  const proto::JobSpec& j = s->spec;
  EXPECT_EQ(j.name, "job.sh");
  EXPECT_EQ(j.argv, (std::vector<std::string>{"a1", "-n", "3"}));  // script args, not options
  EXPECT_EQ(j.num_tasks, 0u);
  EXPECT_EQ(j.cpus_per_task, 1u);
  EXPECT_EQ(j.time_limit_s, -2);
  EXPECT_EQ(j.submit_dir, "/home/u/work");
  EXPECT_EQ(j.work_dir, "/home/u/work");
  EXPECT_EQ(j.stdout_pattern, "herd-%j.out");
  EXPECT_EQ(j.stderr_pattern, "");
  EXPECT_EQ(j.export_spec, "ALL");
  EXPECT_EQ(j.env, kEnv);
  EXPECT_TRUE(j.requeue);
  EXPECT_FALSE(j.hold);
  EXPECT_EQ(j.script, "#!/bin/bash\necho hi\n");
  EXPECT_FALSE(s->parsable);
}

TEST(Hbatch, NameIsTheScriptBaseName) {
  auto s = Submit({"/tmp/dir/run.sh"}, "#!/bin/sh\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->spec.name, "run.sh");
}

TEST(Hbatch, AllOptions) {
  auto s = Submit({"-J",
                   "n1",
                   "-p",
                   "debug",
                   "-N",
                   "2-4",
                   "-n",
                   "8",
                   "-c",
                   "2",
                   "--ntasks-per-node=4",
                   "--mem=2G",
                   "-t",
                   "1-02:03:04",
                   "-o",
                   "out.%j",
                   "-e",
                   "err.%j",
                   "-D",
                   "sub",
                   "-H",
                   "--parsable",
                   "-w",
                   "n[1-2]",
                   "-x",
                   "n3",
                   "--exclusive",
                   "--no-requeue",
                   "-C",
                   "ib&gpu",
                   "--nice=5",
                   "job.sh"},
                  "#!/bin/sh\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  const proto::JobSpec& j = s->spec;
  EXPECT_EQ(j.name, "n1");
  EXPECT_EQ(j.partition, "debug");
  EXPECT_EQ(j.min_nodes, 2u);
  EXPECT_EQ(j.max_nodes, 4u);
  EXPECT_EQ(j.num_tasks, 8u);
  EXPECT_EQ(j.cpus_per_task, 2u);
  EXPECT_EQ(j.ntasks_per_node, 4u);
  EXPECT_EQ(j.mem_per_node_mb, 2048u);
  EXPECT_EQ(j.time_limit_s, 93784);
  EXPECT_EQ(j.stdout_pattern, "out.%j");
  EXPECT_EQ(j.stderr_pattern, "err.%j");
  EXPECT_EQ(j.work_dir, "/home/u/work/sub");
  EXPECT_TRUE(j.hold);
  EXPECT_TRUE(s->parsable);
  EXPECT_EQ(j.nodelist, "n[1-2]");
  EXPECT_EQ(j.exclude, "n3");
  EXPECT_TRUE(j.exclusive);
  EXPECT_FALSE(j.requeue);
  EXPECT_EQ(j.constraints, (std::vector<std::string>{"ib", "gpu"}));
  EXPECT_EQ(j.nice, 5);
}

TEST(Hbatch, DependencyBeginAndKillOnInvalidDep) {
  auto s = Submit(
      {"-d", "afterok:4?afternotok:5", "--begin=now+60", "--kill-on-invalid-dep=yes", "job.sh"},
      "#!/bin/sh\n#SBATCH -d singleton\n#SBATCH --kill-on-invalid-dep=no\n");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->spec.dependency, "afterok:4?afternotok:5") << "the command line wins";
  EXPECT_EQ(s->spec.kill_on_invalid_dep, 1);
  EXPECT_GT(s->spec.begin_time, 0);
  auto d = Submit({"job.sh"}, "#!/bin/sh\n#SBATCH --dependency=singleton\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->spec.dependency, "singleton");
  EXPECT_EQ(d->spec.begin_time, 0);
  EXPECT_EQ(d->spec.kill_on_invalid_dep, -1) << "the cluster's DependencyParameters decide";
  auto bad = Submit({"--kill-on-invalid-dep=maybe", "job.sh"}, "#!/bin/sh\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("--kill-on-invalid-dep"), std::string::npos);
  auto late = Submit({"--begin=soonish", "job.sh"}, "#!/bin/sh\n");
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("Invalid --begin specification"), std::string::npos);
}

TEST(Hbatch, Wrap) {
  auto cl = ParseHbatchCommandLine({"--wrap=echo hello | wc"});
  ASSERT_TRUE(cl.ok());
  const std::string script = WrapScript(*cl->options.wrap);
  EXPECT_EQ(script, "#!/bin/sh\necho hello | wc\n");
  auto s = BuildSubmission(*cl, script, kEnv, "/w");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->spec.name, "wrap");
  EXPECT_EQ(ParseHbatchCommandLine({"--wrap=x", "script"}).error().message(),
            "Script arguments not permitted with --wrap option");
}

TEST(Hbatch, StdinScriptName) {
  auto s = Submit({}, "#!/bin/sh\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->spec.name, "hbatch");
}

TEST(Hbatch, DirectivesAndPrecedence) {
  const std::string script =
      "#!/bin/bash\n"
      "# a comment\n"
      "\n"
      "#SBATCH -J from_script --time=10\n"
      "#HERD --partition=p1   # trailing comment\n"
      "#SBATCH --output=\"my out.txt\"\n"
      "#SBATCHED --ntasks=9\n"
      "#SBATCH --mem-per-cpu=100\n"
      "echo start\n"
      "#SBATCH --ntasks=7\n";
  auto s = Submit({"-t", "20", "script.sh"}, script);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->spec.name, "from_script");
  EXPECT_EQ(s->spec.time_limit_s, 1200);  // the command line wins
  EXPECT_EQ(s->spec.partition, "p1");
  EXPECT_EQ(s->spec.stdout_pattern, "my out.txt");
  EXPECT_EQ(s->spec.num_tasks, 0u);  // after the first command / not a directive
  EXPECT_EQ(s->spec.mem_per_cpu_mb, 100u);

  // --mem on the command line replaces --mem-per-cpu from the script.
  auto m = Submit({"--mem=1G", "script.sh"}, script);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->spec.mem_per_node_mb, 1024u);
  EXPECT_EQ(m->spec.mem_per_cpu_mb, 0u);
}

TEST(Hbatch, ExtractDirectives) {
  auto d = ExtractDirectives(
      "#!/bin/sh\n#SBATCH -N 2 -J 'a b'\n  # indented comment\n"
      "#HERD\n#SBATCH --x # y\nrun\n#SBATCH -n 1\n");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 2u);
  EXPECT_EQ((*d)[0].line, 2);
  EXPECT_EQ((*d)[0].words, (std::vector<std::string>{"-N", "2", "-J", "a b"}));
  EXPECT_EQ((*d)[1].line, 5);
  EXPECT_EQ((*d)[1].words, (std::vector<std::string>{"--x"}));
  EXPECT_FALSE(ExtractDirectives("#!/bin/sh\n#SBATCH -J \"open\n").ok());
}

TEST(Hbatch, DirectiveErrorsNameTheLine) {
  EXPECT_EQ(ErrorOf({"s.sh"}, "#!/bin/sh\n#SBATCH --bogus\n"),
            "batch script line 2: unrecognized option '--bogus'");
  EXPECT_EQ(ErrorOf({"s.sh"}, "#!/bin/sh\n\n#SBATCH -t abc\n").substr(0, 36),
            "batch script line 3: --time: invalid");
  EXPECT_EQ(ErrorOf({"s.sh"}, "#!/bin/sh\n#SBATCH -N 1 extra\n"),
            "batch script line 2: unexpected word 'extra' in directive");
  EXPECT_NE(ErrorOf({"s.sh"}, "#!/bin/sh\n#SBATCH --wrap=x\n"), "");
  EXPECT_EQ(ErrorOf({"s.sh"}, "#!/bin/sh\n#SBATCH --mem=1 --mem-per-cpu=1\n"),
            "batch script: --mem and --mem-per-cpu are mutually exclusive");
}

TEST(Hbatch, ScriptChecks) {
  EXPECT_EQ(ErrorOf({}, "echo hi\n"),
            "This does not look like a batch script.  The first\n"
            "line must start with #! followed by the path to an interpreter.\n"
            "For instance: #!/bin/sh");
  EXPECT_EQ(ErrorOf({}, ""), "Batch script is empty!");
  EXPECT_NE(ErrorOf({}, "#!/bin/sh\r\necho\r\n").find("DOS line breaks"), std::string::npos);
  EXPECT_NE(ErrorOf({}, std::string("#!/bin/sh\n\0", 11)), "");
}

TEST(Hbatch, BadValuesFailBeforeSending) {
  EXPECT_EQ(ErrorOf({"-t", "abc"}).substr(0, 21), "--time: invalid time ");
  EXPECT_EQ(ErrorOf({"-t", "1:99:00"}).substr(0, 21), "--time: invalid time ");
  EXPECT_EQ(ErrorOf({"--mem=12X"}).substr(0, 27), "--mem: invalid memory size ");
  EXPECT_EQ(ErrorOf({"--mem-per-cpu=-1"}).substr(0, 35), "--mem-per-cpu: invalid memory size ");
  EXPECT_EQ(ErrorOf({"-n", "many"}), "invalid numeric value 'many' for --ntasks");
  EXPECT_EQ(ErrorOf({"-c", "0"}), "invalid value '0' for --cpus-per-task: must be at least 1");
  EXPECT_EQ(ErrorOf({"-N", "0"}), "invalid value '0' for --nodes: must be at least 1");
  EXPECT_NE(ErrorOf({"-N", "4-2"}), "");
  EXPECT_NE(ErrorOf({"-N", "2-"}), "");
  EXPECT_NE(ErrorOf({"-w", "n[1-"}), "");
  EXPECT_NE(ErrorOf({"-C", "a|"}), "");
  EXPECT_NE(ErrorOf({"--nice=x"}), "");
  EXPECT_NE(ErrorOf({"--exclusive=user"}), "");
  EXPECT_EQ(ErrorOf({"--mem=1G", "--mem-per-cpu=1"}),
            "--mem and --mem-per-cpu are mutually exclusive");
  auto usage = ParseHbatchCommandLine({"--x"});
  ASSERT_FALSE(usage.ok());
  EXPECT_TRUE(cli::IsUsageError(usage.error()));
  EXPECT_EQ(usage.error().message(), "unrecognized option '--x'");
}

TEST(Hbatch, TimeForms) {
  auto t = [](const std::string& v) {
    auto s = Submit({"-t", v}, "#!/bin/sh\n");
    return s.ok() ? s->spec.time_limit_s : -100;
  };
  EXPECT_EQ(t("5"), 300);
  EXPECT_EQ(t("5:30"), 330);
  EXPECT_EQ(t("1:00:00"), 3600);
  EXPECT_EQ(t("2-0"), 172800);
  EXPECT_EQ(t("UNLIMITED"), -1);
  EXPECT_EQ(t("0"), -1);  // zero asks for no limit
}

TEST(Hbatch, MemoryUnits) {
  auto m = [](const std::string& v) {
    auto s = Submit({"--mem=" + v}, "#!/bin/sh\n");
    return s.ok() ? s->spec.mem_per_node_mb : 999999;
  };
  EXPECT_EQ(m("100"), 100u);
  EXPECT_EQ(m("100M"), 100u);
  EXPECT_EQ(m("1g"), 1024u);
  EXPECT_EQ(m("1T"), 1024u * 1024u);
  EXPECT_EQ(m("2048K"), 2u);
}

TEST(Hbatch, NiceAndHelp) {
  auto s = Submit({"--nice"}, "#!/bin/sh\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->spec.nice, 100);
  auto n = Submit({"--nice=-5"}, "#!/bin/sh\n");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->spec.nice, -5);
  auto h = ParseHbatchCommandLine({"-h"});
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->options.help);
  EXPECT_TRUE(ParseHbatchCommandLine({"--version"})->options.version);
}

TEST(Export, AllNoneAndLists) {
  EXPECT_EQ(*ExportEnvironment("ALL", kEnv), kEnv);
  EXPECT_EQ(*ExportEnvironment("", kEnv), kEnv);
  EXPECT_TRUE(ExportEnvironment("NONE", kEnv)->empty());
  // A list without ALL exports only what it names.
  EXPECT_EQ(*ExportEnvironment("FOO,BAR=2,MISSING", kEnv),
            (std::vector<std::string>{"FOO=1", "BAR=2"}));
  EXPECT_EQ(*ExportEnvironment("ALL,FOO=9,NEW=x=y", kEnv),
            (std::vector<std::string>{"PATH=/bin", "HOME=/home/u", "FOO=9", "X=a=b", "NEW=x=y"}));
  EXPECT_EQ(*ExportEnvironment("X", kEnv), (std::vector<std::string>{"X=a=b"}));
  EXPECT_FALSE(ExportEnvironment("1BAD=2", kEnv).ok());
  EXPECT_FALSE(ExportEnvironment("=x", kEnv).ok());

  auto s = Submit({"--export=NONE"}, "#!/bin/sh\n");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->spec.env.empty());
  EXPECT_EQ(s->spec.export_spec, "NONE");
}

TEST(Constraint, Forms) {
  EXPECT_EQ(*ParseConstraint("a&b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*ParseConstraint("ib"), (std::vector<std::string>{"ib"}));
  EXPECT_FALSE(ParseConstraint("a&&b").ok());
  EXPECT_FALSE(ParseConstraint("").ok());
  EXPECT_FALSE(ParseConstraint("[a|b").ok());
  // Expressions go to the controller whole (Slurm's forms).
  EXPECT_EQ(*ParseConstraint("[a|b]"), (std::vector<std::string>{"[a|b]"}));
  EXPECT_EQ(*ParseConstraint(" ib&(a|b) "), (std::vector<std::string>{"ib&(a|b)"}));
  EXPECT_EQ(*ParseConstraint("gpu*2"), (std::vector<std::string>{"gpu*2"}));
  EXPECT_EQ(ParseConstraint("a*2|b").error().message().rfind("Invalid feature specification", 0),
            0u);
}

}  // namespace
}  // namespace herd::hbatch
