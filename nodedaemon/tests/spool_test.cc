// herd — tests of the spool directory layout and scan.
#include "nodedaemon/spool.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/base/fs.h"
#include "nodedaemon/proc.h"
#include "nodedaemon/stepd/cgroup.h"

namespace herd::noded {
namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-spool-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(root_).ok()); }
  std::string MakeStep(const std::string& name) {
    std::string d = root_ + "/" + name;
    EXPECT_TRUE(MakeDirs(d).ok());
    return d;
  }
  std::string root_;
};

TEST(SpoolNamesTest, NamesOutsideTheSpoolCarryItsTag) {
  std::string tag = SpoolTag("/var/spool/herd/n1");
  EXPECT_EQ(tag.size(), 8u);
  EXPECT_EQ(tag.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(SpoolTag("/var/spool/herd/n1/"), tag);
  EXPECT_NE(SpoolTag("/tmp/other-cluster/n1"), tag);
  EXPECT_EQ(NodeInstance("n1", "/var/spool/herd/n1/job12.0.3"), "n1." + tag);
  // Two clusters on one host: same node name, same step, different spools.
  std::string mine = StepTmpDir("n1", "/var/spool/herd/n1/job12.0.3");
  std::string theirs = StepTmpDir("n1", "/tmp/other-cluster/n1/job12.0.3");
  EXPECT_NE(mine, theirs);
  if (PathExists("/dev/shm")) {
    EXPECT_EQ(mine, "/dev/shm/herd.n1." + tag + ".job12.0.3");
  }
  std::string cg = JobCgroupPath("n1", "/var/spool/herd/n1/job12.0.3");
  if (!cg.empty()) {
    EXPECT_EQ(cg, FindCgroup2Root() + "/herd/n1." + tag + "/job12.0/step_3");
    EXPECT_NE(cg, JobCgroupPath("n1", "/tmp/other-cluster/n1/job12.0.3"));
  }
  // One group per run of a job, one per step in it.
  EXPECT_EQ(StepCgroupRelPath("n1", "/var/spool/herd/n1/job12.0"),
            "herd/n1." + tag + "/job12.0/step_batch");
  EXPECT_EQ(StepCgroupRelPath("n1", "/var/spool/herd/n1/job12.1.0"),
            "herd/n1." + tag + "/job12.1/step_0");
  EXPECT_EQ(StepCgroupRelPath("n1", "/var/spool/herd/n1/lease"), "");
}

TEST(SpoolNamesTest, StepDirNames) {
  EXPECT_EQ(StepDirName(12, 0), "job12.0");
  uint64_t job = 0;
  uint32_t run = 0;
  EXPECT_TRUE(ParseStepDirName("job12.3", &job, &run));
  EXPECT_EQ(job, 12u);
  EXPECT_EQ(run, 3u);
  for (const char* bad : {"job", "job12", "job.1", "jobx.1", "job12.", "job0.1", "job12.1.new",
                          "xjob1.1", "job-1.0"}) {
    EXPECT_FALSE(ParseStepDirName(bad, &job, &run)) << bad;
  }
  uint32_t step = 0;
  EXPECT_TRUE(ParseStepDirName("job12.3", &job, &run, &step));
  EXPECT_EQ(step, proto::kBatchStep);
  EXPECT_EQ(StepDirName(12, 1, 5), "job12.1.5");
  EXPECT_EQ(StepDirName(12, 1, proto::kBatchStep), "job12.1");
  EXPECT_TRUE(ParseStepDirName("job12.1.5", &job, &run, &step));
  EXPECT_EQ(job, 12u);
  EXPECT_EQ(run, 1u);
  EXPECT_EQ(step, 5u);
  EXPECT_TRUE(ParseStepDirName("job12.1.0", &job, &run, &step));
  EXPECT_EQ(step, 0u);
  for (const char* bad :
       {"job12.1.", "job12.1.x", "job12.1.2.3", "job12..2", "job12.1.4294967291"}) {
    EXPECT_FALSE(ParseStepDirName(bad, &job, &run, &step)) << bad;
  }
  EXPECT_EQ(NodeSpoolDir("/var/spool/herd/%n", "n7"), "/var/spool/herd/n7");
  EXPECT_EQ(NodeSpoolDir("/s/%n/%x", "a"), "/s/a/%x");
}

TEST(SpoolNamesTest, ParsesProcStat) {
  auto st = ParseProcStat(
      "123 (a (weird) name) S 45 123 123 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 1 2 3");
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(st->pid, 123);
  EXPECT_EQ(st->ppid, 45);
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->starttime, 98765u);
  EXPECT_FALSE(ParseProcStat("garbage").ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S 2 3").ok());
}

TEST_F(SpoolTest, ScanClassifiesSteps) {
  // Live: our own pid with its true start time.
  std::string live = MakeStep("job12.0");
  ASSERT_TRUE(WritePidFile(live, getpid()).ok());
  ASSERT_TRUE(WriteFileAtomic(live + "/" + kLaunchFile, "x").ok());
  // Finished: our pid but another start time (pid reuse), and a status.
  std::string done = MakeStep("job13.1");
  auto me = ReadProcStat(getpid());
  ASSERT_TRUE(me.ok());
  ASSERT_TRUE(WriteFileAtomic(done + "/pid", std::to_string(getpid()) + " " +
                                                 std::to_string(me->starttime + 1) + "\n")
                  .ok());
  ASSERT_TRUE(WriteStatusFile(done, 256).ok());
  // Dead: no such process.
  std::string dead = MakeStep("job14.0");
  ASSERT_TRUE(WriteFileAtomic(dead + "/pid", "4194303 12\n").ok());
  // Not steps.
  MakeStep("other");
  ASSERT_TRUE(WriteFileAtomic(root_ + "/job15.0", "a file, not a directory").ok());

  auto scan = ScanSpool(root_);
  ASSERT_TRUE(scan.ok()) << scan.error().ToString();
  ASSERT_EQ(scan->size(), 3u);
  const SpoolStep& a = (*scan)[0];
  EXPECT_EQ(a.job_id, 12u);
  EXPECT_TRUE(a.live);
  EXPECT_TRUE(a.has_launch);
  EXPECT_FALSE(a.has_status);
  const SpoolStep& b = (*scan)[1];
  EXPECT_EQ(b.job_id, 13u);
  EXPECT_EQ(b.run_seq, 1u);
  EXPECT_TRUE(b.has_pid);
  EXPECT_FALSE(b.live);
  EXPECT_TRUE(b.has_status);
  EXPECT_EQ(b.wait_status, 256);
  const SpoolStep& c = (*scan)[2];
  EXPECT_EQ(c.job_id, 14u);
  EXPECT_TRUE(c.has_pid);
  EXPECT_FALSE(c.live);
  EXPECT_FALSE(c.has_status);
  EXPECT_FALSE(c.has_launch);
}

TEST_F(SpoolTest, SmallFiles) {
  std::string d = MakeStep("job1.0");
  EXPECT_EQ(ReadKillWait(d, 30), 30u);
  ASSERT_TRUE(WriteKillWait(d, 5).ok());
  EXPECT_EQ(ReadKillWait(d, 30), 5u);
  ASSERT_TRUE(WriteFileAtomic(d + "/pid", "not a pid\n").ok());
  EXPECT_FALSE(ReadPidFile(d).ok());
  ASSERT_TRUE(WriteFileAtomic(d + "/status", "junk").ok());
  EXPECT_FALSE(ReadStatusFile(d).ok());
  // The reason travels with the status, on one line; an old one-line file still reads.
  ASSERT_TRUE(WriteStatusFile(d, 256, "cannot enter the work directory /x\n(no such file)").ok());
  auto st = ReadStatusFile(d);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->wait_status, 256);
  EXPECT_EQ(st->message, "cannot enter the work directory /x (no such file)");
  ASSERT_TRUE(WriteFileAtomic(d + "/status", "9\n").ok());
  st = ReadStatusFile(d);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->wait_status, 9);
  EXPECT_EQ(st->message, "");
  ASSERT_TRUE(WriteFileAtomic(d + "/status", "junk").ok());
  EXPECT_EQ(InspectStep(root_, 99, 0).error().code(), Code::kNotFound);
  auto s = InspectStep(root_, 1, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_pid);
  EXPECT_FALSE(s->has_status);
}

TEST_F(SpoolTest, StepsOfOneJobRun) {
  std::string batch = MakeStep("job5.0");
  ASSERT_TRUE(WriteFileAtomic(batch + "/" + kLaunchFile, "x").ok());
  std::string step1 = MakeStep("job5.0.1");
  ASSERT_TRUE(WriteFileAtomic(step1 + "/" + kLaunchStepFile, "x").ok());
  std::string step0 = MakeStep("job5.0.0");
  ASSERT_TRUE(WriteFileAtomic(step0 + "/" + kLaunchFile, "wrong kind").ok());
  MakeStep("job5.1.0");
  MakeStep("job6.0.2");

  auto scan = ScanSpool(root_);
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 5u);
  std::vector<SpoolStep> steps = JobRunSteps(root_, 5, 0);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].step_id, 0u);
  EXPECT_FALSE(steps[0].has_launch);  // a step directory needs launch_step.bin
  EXPECT_EQ(steps[1].step_id, 1u);
  EXPECT_TRUE(steps[1].has_launch);
  EXPECT_EQ(steps[1].dir, step1);
  EXPECT_EQ(steps[2].step_id, proto::kBatchStep);  // the batch step sorts last
  EXPECT_TRUE(steps[2].has_launch);
  EXPECT_EQ(JobRunSteps(root_, 5, 1).size(), 1u);
  EXPECT_TRUE(JobRunSteps(root_, 7, 0).empty());
  auto one = InspectStep(root_, 6, 0, 2);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->step_id, 2u);
  EXPECT_EQ(InspectStep(root_, 6, 0).error().code(), Code::kNotFound);
}

TEST(SpoolScanTest, MissingSpoolDirIsAnError) {
  EXPECT_FALSE(ScanSpool("/nonexistent/herd/spool").ok());
}

}  // namespace
}  // namespace herd::noded
