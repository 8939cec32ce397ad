// herd hqueue — tests of squeue's sort keys (-S/--sort, SQUEUE_SORT).
#include "commands/hqueue/hqueue_sort.h"

#include <gtest/gtest.h>

namespace herd::hqueue {
namespace {

using proto::JobInfo;
using proto::JobState;

JobInfo Job(uint64_t id, const std::string& name, JobState state, uint32_t priority) {
  JobInfo j;
  j.job_id = id;
  j.name = name;
  j.partition = "debug";
  j.state = state;
  j.priority = priority;
  return j;
}

std::vector<uint64_t> Ids(const std::vector<JobInfo>& jobs) {
  std::vector<uint64_t> ids;
  for (const JobInfo& j : jobs) ids.push_back(j.job_id);
  return ids;
}

std::vector<uint64_t> Sorted(const std::string& spec, std::vector<JobInfo> jobs) {
  std::vector<std::string> warnings;
  auto keys = ParseSortKeys(spec, &warnings);
  EXPECT_TRUE(keys.ok()) << spec;
  if (!keys.ok()) return {};
  SortJobs(*keys, 0, &jobs);
  return Ids(jobs);
}

std::vector<JobInfo> Three() {
  return {Job(1, "b", JobState::kPending, 10), Job(2, "c", JobState::kRunning, 30),
          Job(3, "a", JobState::kPending, 20)};
}

TEST(HqueueSort, AscendingAndDescendingIds) {
  EXPECT_EQ(Sorted("i", Three()), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(Sorted("-i", Three()), (std::vector<uint64_t>{3, 2, 1}));
  EXPECT_EQ(Sorted("+-i", Three()), (std::vector<uint64_t>{3, 2, 1}));  // the last sign
  EXPECT_EQ(Sorted("-+i", Three()), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(HqueueSort, DefaultIsPartitionStateThenHighestPriority) {
  // pending before running; among the pending, the higher priority first
  EXPECT_EQ(Sorted(kDefaultSort, Three()), (std::vector<uint64_t>{3, 1, 2}));
  // states compare by name, as squeue's: CD < F < PD < R
  std::vector<JobInfo> jobs = {
      Job(1, "x", JobState::kCompleted, 0), Job(2, "x", JobState::kFailed, 0),
      Job(3, "x", JobState::kRunning, 0), Job(4, "x", JobState::kPending, 0)};
  EXPECT_EQ(Sorted(kDefaultSort, jobs), (std::vector<uint64_t>{1, 2, 4, 3}));
  EXPECT_EQ(Sorted("-t", jobs), (std::vector<uint64_t>{3, 4, 2, 1}));
}

TEST(HqueueSort, EqualJobsKeepSqueuesNewestFirstOrder) {
  EXPECT_EQ(Sorted("P", Three()), (std::vector<uint64_t>{3, 2, 1}));
  EXPECT_EQ(Sorted("d", Three()), (std::vector<uint64_t>{3, 2, 1}));  // no such field in herd
}

TEST(HqueueSort, SeveralKeysTheFirstFirst) {
  EXPECT_EQ(Sorted("t,j", Three()), (std::vector<uint64_t>{3, 1, 2}));
  EXPECT_EQ(Sorted("-t,-j", Three()), (std::vector<uint64_t>{2, 1, 3}));
  EXPECT_EQ(Sorted("tj", Three()), (std::vector<uint64_t>{3, 1, 2}));  // a key per letter
}

TEST(HqueueSort, NumbersCompareAsNumbers) {
  std::vector<JobInfo> jobs = {Job(9, "x", JobState::kPending, 0),
                               Job(10, "x", JobState::kPending, 0)};
  EXPECT_EQ(Sorted("i", jobs), (std::vector<uint64_t>{9, 10}));
}

TEST(HqueueSort, UnlimitedTimeLimitSortsLast) {
  std::vector<JobInfo> jobs = Three();
  jobs[0].time_limit_s = -1;
  jobs[1].time_limit_s = 60;
  jobs[2].time_limit_s = 3600;
  EXPECT_EQ(Sorted("l", jobs), (std::vector<uint64_t>{2, 3, 1}));
}

TEST(HqueueSort, BadKeysAsSqueue) {
  std::vector<std::string> warnings;
  auto keys = ParseSortKeys("y", &warnings);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message(), "Invalid sort specification: y");
  keys = ParseSortKeys("%j", &warnings);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message(), "Invalid sort specification: %");
  // b only warns; the keys are checked from the last, so its warning comes first
  keys = ParseSortKeys("a,b", &warnings);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message(), "Invalid sort specification: a");
  EXPECT_EQ(warnings, std::vector<std::string>{"Invalid sort specification: b"});
  warnings.clear();
  keys = ParseSortKeys("b,i", &warnings);
  EXPECT_TRUE(keys.ok());
  EXPECT_EQ(warnings.size(), 1u);
  warnings.clear();
  EXPECT_TRUE(ParseSortKeys("i,,-", &warnings).ok());  // empty items and a trailing sign
}

}  // namespace
}  // namespace herd::hqueue
