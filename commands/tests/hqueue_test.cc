// herd hqueue — tests of option parsing, job selection, fields, tables and JSON.
#include <gtest/gtest.h>

#include "commands/hqueue/hqueue_format.h"
#include "commands/hqueue/hqueue_options.h"
#include "commands/lib/cli.h"

namespace herd::hqueue {
namespace {

using proto::JobInfo;
using proto::JobState;

JobInfo Running() {
  JobInfo j;
  j.job_id = 12;
  j.name = "train";
  j.user = "alice";
  j.partition = "debug";
  j.state = JobState::kRunning;
  j.start_time = 1000;
  j.submit_time = 900;
  j.time_limit_s = 3600;
  j.num_nodes = 2;
  j.num_cpus = 8;
  j.nodelist = "n[1-2]";
  return j;
}

JobInfo Pending() {
  JobInfo j;
  j.job_id = 13;
  j.name = "a_really_long_job_name";
  j.user = "bob";
  j.partition = "long_partition";
  j.state = JobState::kPending;
  j.reason = "Resources";
  j.time_limit_s = -1;
  j.num_nodes = 1;
  j.nodelist = "n3";
  return j;
}

TEST(HqueueArgs, Filters) {
  auto o = ParseHqueueArgs({"-u", "root", "-p", "a,b", "-j", "1,2", "-n", "x", "-h"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->filter.users, (std::vector<std::string>{"root"}));
  EXPECT_EQ(o->filter.partitions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o->filter.job_ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(o->filter.names, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(o->noheader);
  EXPECT_FALSE(o->filter.include_finished);
  EXPECT_TRUE(ParseHqueueArgs({"--help"})->help);
  EXPECT_TRUE(ParseHqueueArgs({"-V"})->version);
}

TEST(HqueueArgs, UidBecomesName) {
  auto o = ParseHqueueArgs({"--user=0"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->filter.users, (std::vector<std::string>{"root"}));
  EXPECT_EQ(ParseHqueueArgs({"-u", "no_such_user_zz"}).error().message(),
            "Invalid user: no_such_user_zz");
}

TEST(HqueueArgs, States) {
  auto all = ParseHqueueArgs({"-t", "all"});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->all_states);
  EXPECT_TRUE(all->filter.include_finished);
  EXPECT_TRUE(all->filter.states.empty());

  auto some = ParseHqueueArgs({"--states=pd,RUNNING"});
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->filter.states, (std::vector<JobState>{JobState::kPending, JobState::kRunning}));
  EXPECT_FALSE(some->filter.include_finished);

  auto done = ParseHqueueArgs({"-t", "CD,f"});
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->filter.include_finished);

  EXPECT_EQ(ParseHqueueArgs({"-t", "bogus"}).error().message(),
            "Invalid job state specified: bogus");
  EXPECT_FALSE(ParseHqueueArgs({"-j", "x"}).ok());
  EXPECT_TRUE(cli::IsUsageError(ParseHqueueArgs({"--nope"}).error()));
  EXPECT_TRUE(cli::IsUsageError(ParseHqueueArgs({"stray"}).error()));
}

TEST(HqueueSelect, NodeList) {
  auto o = ParseHqueueArgs({"-w", "n[2-3]"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  JobInfo j = Running();
  j.alloc.resize(2);
  j.alloc[0].node = "n1";
  j.alloc[1].node = "n2";
  EXPECT_TRUE(JobSelected(j, *o));
  j.alloc[1].node = "n4";
  EXPECT_FALSE(JobSelected(j, *o));
  j.alloc.clear();  // a pending job is on no node
  EXPECT_FALSE(JobSelected(j, *o));
  EXPECT_FALSE(ParseHqueueArgs({"-w", "n[1-"}).ok());
}

TEST(HqueueSelect, ArrayTaskIds) {
  auto o = ParseHqueueArgs({"-j", "12_4,12_[6-7]"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(QueryFilter(*o).job_ids, (std::vector<uint64_t>{12, 12}));
  JobInfo task = Running();
  task.job_id = 20;
  task.array_job_id = 12;
  task.array_task_id = 4;
  EXPECT_TRUE(JobSelected(task, *o));
  task.array_task_id = 5;
  EXPECT_FALSE(JobSelected(task, *o));
  JobInfo rest = task;  // the pending remainder 12_[5-9%2]
  rest.job_id = 12;
  rest.state = JobState::kPending;
  rest.array_task_id = proto::kNoArrayTask;
  rest.array_pending = "5-9";
  rest.array_throttle = 2;
  ASSERT_TRUE(JobSelected(rest, *o));
  NarrowToTasks(&rest, *o);
  EXPECT_EQ(rest.array_pending, "6-7");
  rest.array_pending = "8-9";
  EXPECT_FALSE(JobSelected(rest, *o));
  // The array's id selects all of it, unnarrowed.
  auto all = ParseHqueueArgs({"-j", "12,12_4"});
  rest.array_pending = "5-9";
  EXPECT_TRUE(JobSelected(rest, *all));
  NarrowToTasks(&rest, *all);
  EXPECT_EQ(rest.array_pending, "5-9");
}

TEST(HqueueSelect, DefaultHidesFinishedJobs) {
  HqueueOptions o;
  JobInfo j = Running();
  EXPECT_TRUE(JobSelected(j, o));
  j.state = JobState::kCompleting;
  EXPECT_TRUE(JobSelected(j, o));
  j.state = JobState::kCompleted;
  EXPECT_FALSE(JobSelected(j, o));
  o.all_states = true;
  EXPECT_TRUE(JobSelected(j, o));
  o.all_states = false;
  o.filter.states = {JobState::kCompleted};
  EXPECT_TRUE(JobSelected(j, o));
  j.state = JobState::kRunning;
  EXPECT_FALSE(JobSelected(j, o));
  o.filter.states.clear();
  o.filter.users = {"bob"};
  EXPECT_FALSE(JobSelected(j, o));
}

// Job arrays as squeue 22.05 shows them: "11_[2-5%2]" for the pending rest, "11_1" for a
// task (its own id in %A), and -r one line per pending task.
TEST(HqueueArrays, IdsAndExpansion) {
  JobInfo rest = Pending();
  rest.job_id = 11;
  rest.array_job_id = 11;
  rest.array_pending = "2-5";
  rest.array_throttle = 2;
  JobInfo task = Running();
  task.job_id = 13;
  task.array_job_id = 11;
  task.array_task_id = 1;
  EXPECT_EQ(JobField('i', rest, 0), "11_[2-5%2]");
  EXPECT_EQ(JobField('K', rest, 0), "2-5%2");
  EXPECT_EQ(JobField('i', task, 0), "11_1");
  EXPECT_EQ(JobField('A', task, 0), "13");
  EXPECT_EQ(JobField('F', task, 0), "11");
  EXPECT_EQ(JobField('K', task, 0), "1");
  EXPECT_EQ(JobField('K', Running(), 0), "N/A");
  EXPECT_EQ(JobField('F', Running(), 0), "12");
  rest.array_pending = "0-99:3";
  rest.array_throttle = 10;
  EXPECT_EQ(JobField('i', rest, 0), "11_[0-99:3%10]");
  std::vector<JobInfo> jobs = {task, rest};
  jobs[1].array_pending = "2,4-5";
  ExpandArrayTasks(&jobs);
  std::vector<std::string> ids;
  for (const JobInfo& j : jobs) ids.push_back(JobField('i', j, 0));
  EXPECT_EQ(ids, (std::vector<std::string>{"11_1", "11_2", "11_4", "11_5"}));
  // -j 11 selects the array's tasks; -r is --array.
  auto o = ParseHqueueArgs({"-j", "11", "-r"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->array_tasks);
  EXPECT_TRUE(JobSelected(task, *o));
  EXPECT_FALSE(JobSelected(Running(), *o));
}

TEST(HqueueFormat, DefaultLooksLikeSqueue) {
  auto t = RenderJobs({Running(), Pending()}, 1125, kDefaultFormat, true);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(*t,
            "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n"
            "                12     debug    train    alice  R       2:05      2 n[1-2]\n"
            "                13 long_part a_really      bob PD       0:00      1 (Resources)\n");
}

// -A and -q as given, "(null)" when not (squeue's %a and %q without accounting).
TEST(HqueueFormat, AccountAndQos) {
  JobInfo with = Running(), without = Pending();
  with.account = "chem";
  with.qos = "low";
  auto t = RenderJobs({with, without}, 1125, "%i %a %q", true);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(*t, "JOBID ACCOUNT QOS\n12 chem low\n13 (null) (null)\n");
}

// squeue 22.05 for sbatch -H --nice=10 -x n3 and for sbatch -H -w n1 --exclusive.
TEST(HqueueFormat, WhatTheJobAskedFor) {
  JobInfo a = Pending(), b = Pending();
  a.nice = 10;
  a.exc_nodes = "n3";
  b.req_nodes = "n1";
  b.exclusive = true;
  b.features = "fast&ib";
  auto t = RenderJobs({a, b}, 1125, "%y|%n|%x|%f|%h|%.10y|%5n", true);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(*t,
            "NICE|REQ_NODES|EXC_NODES|FEATURES|OVER_SUBSCRIBE|      NICE|REQ_N\n"
            "10||n3|(null)|OK|        10|     \n"
            "0|n1||fast&ib|NO|         0|n1   \n");
}

TEST(HqueueArgs, AccountQosAndIterate) {
  auto o = ParseHqueueArgs({"-A", "Chem,bio", "-q", "low", "-i", "5", "-a", "--local"});
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->accounts, (std::vector<std::string>{"chem", "bio"}));
  EXPECT_EQ(o->iterate_s, 5);
  JobInfo j = Running();
  j.account = "chem";
  j.qos = "LOW";
  EXPECT_TRUE(JobSelected(j, *o));
  j.qos = "high";
  EXPECT_FALSE(JobSelected(j, *o));
  EXPECT_FALSE(ParseHqueueArgs({"-i", "0"}).ok());
  EXPECT_FALSE(ParseHqueueArgs({"-i", "x"}).ok());
}

// squeue --start on the Slurm anchor: a reserved job's expected start and nodes, the
// jobs with no expected start last, "(null)" where no nodes are reserved.
TEST(HqueueFormat, StartLooksLikeSqueue) {
  setenv("TZ", "UTC", 1);
  tzset();
  JobInfo reserved = Pending(), waiting = Pending(), later = Pending();
  reserved.job_id = 14;
  reserved.start_time = 1795681837;
  reserved.sched_nodes = "n[1-2]";
  reserved.num_nodes = 2;
  later.job_id = 15;
  later.start_time = 1795682100;
  later.sched_nodes = "n2";
  later.reason = "Priority";
  std::vector<JobInfo> jobs = {waiting, later, reserved};
  SortByStart(&jobs);
  auto t = RenderJobs(jobs, 1125, kStartFormat, true);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_EQ(*t,
            "             JOBID PARTITION     NAME     USER ST          START_TIME  NODES "
            "SCHEDNODES           NODELIST(REASON)\n"
            "                14 long_part a_really      bob PD 2026-11-26T08:30:37      2 "
            "n[1-2]               (Resources)\n"
            "                15 long_part a_really      bob PD 2026-11-26T08:35:00      1 "
            "n2                   (Priority)\n"
            "                13 long_part a_really      bob PD                 N/A      1 "
            "(null)               (Resources)\n");
  auto o = ParseHqueueArgs({"--start"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->start);
  EXPECT_EQ(o->filter.states, std::vector<proto::JobState>{proto::JobState::kPending});
}

TEST(HqueueFormat, Fields) {
  const JobInfo r = Running();
  EXPECT_EQ(JobField('l', r, 0), "1:00:00");
  EXPECT_EQ(JobField('l', Pending(), 0), "UNLIMITED");
  EXPECT_EQ(JobField('L', r, 1600), "50:00");
  EXPECT_EQ(JobField('T', r, 0), "RUNNING");
  EXPECT_EQ(JobField('t', Pending(), 0), "PD");
  EXPECT_EQ(JobField('N', Pending(), 0), "");
  EXPECT_EQ(JobField('N', r, 0), "n[1-2]");
  EXPECT_EQ(JobField('C', r, 0), "8");
  EXPECT_EQ(JobField('r', r, 0), "None");
  EXPECT_EQ(JobField('M', r, 1000 + 86400 + 5), "1-00:00:05");
  JobInfo f = r;
  f.state = JobState::kFailed;
  f.reason = "NonZeroExitCode";
  f.end_time = 1010;
  EXPECT_EQ(JobField('R', f, 5000), "(NonZeroExitCode)");
  EXPECT_EQ(JobField('M', f, 5000), "0:10");
  JobInfo c = r;
  c.state = JobState::kCompleted;
  c.end_time = 1010;
  EXPECT_EQ(JobField('R', c, 5000), "n[1-2]");
  EXPECT_EQ(JobField('S', Pending(), 0), "N/A");
}

TEST(HqueueFormat, CustomAndBadFormats) {
  auto t = RenderJobs({Running()}, 1000, "%i|%T|%u", false);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "12|RUNNING|alice\n");
  auto bad = RenderJobs({}, 0, "%i %s", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Invalid job format: invalid format specification '%s'");
  EXPECT_EQ(*RenderJobs({}, 0, kDefaultFormat, false), "");
}

TEST(HqueueJson, Document) {
  JobInfo j = Running();
  j.name = "we\"ird\nname";
  const std::string json = JobsJson({j, Pending()}, 1100);
  EXPECT_NE(json.find("\"jobs\": ["), std::string::npos);
  EXPECT_NE(json.find("\"job_id\": 12,"), std::string::npos);
  EXPECT_NE(json.find("\"name\": \"we\\\"ird\\nname\""), std::string::npos);
  EXPECT_NE(json.find("\"job_state\": \"RUNNING\""), std::string::npos);
  EXPECT_NE(json.find("\"time_limit\": 60,"), std::string::npos);
  EXPECT_NE(json.find("\"time_limit\": null,"), std::string::npos);
  EXPECT_NE(json.find("\"elapsed\": 100,"), std::string::npos);
  EXPECT_NE(json.find("\"state_reason\": \"Resources\""), std::string::npos);
  EXPECT_EQ(JobsJson({}, 5), "{\n  \"now\": 5,\n  \"jobs\": []\n}\n");
}

}  // namespace
}  // namespace herd::hqueue
