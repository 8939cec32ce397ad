// herd — accounting's retention on SQLite and on a real PostgreSQL server: what a purge
// deletes and when, archive files that hold exactly what left the database and load back,
// and a purge that cannot archive deleting nothing.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "controller/acct/acct_archive.h"
#include "controller/acct/acct_purge.h"
#include "controller/acct/tests/store_fixture.h"

namespace herd::ctld::acct::testing {
namespace {

constexpr int64_t kNow = 1796651110;  // 2026-12-07T13:45:10Z
constexpr int kCompleted = 4;

PurgeAfter After(PurgeAfter::Unit unit, uint32_t count) {
  PurgeAfter a;
  a.unit = unit;
  a.count = count;
  return a;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PurgeTimes, CutoffsAreWholeIntervalsBackFromTheCurrentOne) {
  EXPECT_EQ(PurgeCutoff(After(PurgeAfter::kMonths, 12), kNow), 1764547200);       // 2025-12-01
  EXPECT_EQ(PurgeCutoff(After(PurgeAfter::kDays, 7), kNow), 1795996800);          // 2026-11-30
  EXPECT_EQ(PurgeCutoff(After(PurgeAfter::kHours, 36), kNow), 1796518800);        // 12-06 01:00
  EXPECT_EQ(PurgeCutoff(After(PurgeAfter::kMonths, 2), 1768464000), 1761955200);  // 01-15 -> 11-01
  EXPECT_EQ(PurgeCutoff(PurgeAfter{}, kNow), 0);
}

TEST(PurgeTimes, TheNextPurgeIsAtTheStartOfTheFinestInterval) {
  AcctPurgeConfig p;
  EXPECT_EQ(NextPurge(p, kNow), 0);
  p.jobs = After(PurgeAfter::kMonths, 12);
  p.events = After(PurgeAfter::kDays, 7);
  EXPECT_EQ(NextPurge(p, kNow), 1796688000);  // 2026-12-08T00:00
  p.usage = After(PurgeAfter::kHours, 48);
  EXPECT_EQ(NextPurge(p, kNow), 1796652000);  // 14:00
}

TEST(ArchiveFields, EscapesRoundTripAndBadOnesAreRefused) {
  const std::string odd = "a\tb\nc\\d\re \\N";
  EXPECT_EQ(EscapeArchiveField(odd), "a\\tb\\nc\\\\d\\re \\\\N");
  EXPECT_EQ(*UnescapeArchiveField(EscapeArchiveField(odd)), odd);
  EXPECT_FALSE(UnescapeArchiveField("x\\").ok());
  EXPECT_FALSE(UnescapeArchiveField("\\q").ok());
}

TEST(ArchiveWriterTest, FilesHoldAtMostTheirRowsAndNeverReplaceAnother) {
  char tmpl[] = "/tmp/herd-archive-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/archive";  // made by the writer
  const ArchiveTable& usage = *FindArchiveTable("usage_hourly");
  SqlRow row;
  row.cols = {SqlValue::Int(0), SqlValue::Text("phys"), SqlValue::Text("u1"),
              SqlValue::Int(1), SqlValue::Int(4),       SqlValue::Int(3600)};
  std::vector<std::string> files;
  for (int round = 0; round < 2; ++round) {
    ArchiveWriter w(dir, "c1", usage, 0, 7200);
    for (uint64_t i = 0; i < kArchiveRowsPerFile + 1; ++i) ASSERT_TRUE(w.Add(row).ok());
    ASSERT_TRUE(w.Finish(&files).ok());
  }
  const std::string base = dir + "/c1_usage_table_archive_1970-01-01T00:00:00_1970-01-01T02:00:00";
  EXPECT_EQ(files, (std::vector<std::string>{base, base + ".2", base + ".3", base + ".4"}));
  const std::string first = ReadFile(files[0]);
  EXPECT_EQ(first.substr(0, first.find("\n0\t")),
            "herd accounting archive\t1\ncluster\tc1\ntable\tusage_hourly\n"
            "columns\thour\taccount\tuser_name\tuid\tcpus\tcpu_s");
  EXPECT_NE(first.find("\nend\t50000\n"), std::string::npos);
  EXPECT_EQ(ReadFile(files[1]).substr(ReadFile(files[1]).rfind("end")), "end\t1\n");
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(stat((base + ".tmp").c_str(), &st), 0);
  (void)std::system(("rm -rf " + std::string(tmpl)).c_str());
}

class PurgeTest : public StoreTest {
 protected:
  // Job 1 ended long ago, job 2 last week, job 3 still runs; each has a step; node n1 was
  // down long ago and n2 is down now.
  void Fill(AcctStore* s) {
    Batch b;
    b.jobs.push_back(MakeJob(1, 1000, kCompleted, 1700000000, 1700003600));
    b.jobs[0].name = "odd\tname\\with\nbreaks";
    b.jobs[0].account = "phys";
    b.jobs.push_back(MakeJob(2, 1000, kCompleted, kNow - 7 * 86400, kNow - 6 * 86400));
    b.jobs.push_back(MakeJob(3, 1001, /*RUNNING*/ 1, kNow - 600, 0));
    for (uint64_t id = 1; id <= 3; ++id) {
      StepRow st = MakeStep(id, 0);
      st.start_time = b.jobs[id - 1].start_time;
      st.end_time = b.jobs[id - 1].end_time;
      b.steps.push_back(st);
    }
    b.steps[0].user_cpu_us = 1234;  // the others' usage unknown: NULL
    b.steps[0].max_rss_node = "n1";
    b.node_events.push_back({"n1", 1700000000, 1700000500, "DOWN", "not responding", 0});
    b.node_events.push_back({"n2", kNow - 100, 0, "DRAIN", "disk", 0});
    ASSERT_TRUE(s->Put(b).ok());
  }
  static std::vector<JobRow> AllJobs(AcctStore* s) {
    auto r = s->Jobs({});
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : std::vector<JobRow>{};
  }
  static std::vector<uint64_t> JobIds(AcctStore* s) {
    std::vector<uint64_t> ids;
    for (const JobRow& j : AllJobs(s)) ids.push_back(j.job_id);
    return ids;
  }
};

TEST_P(PurgeTest, OldJobsGoWithTheirStepsAndTheRollupsStay) {
  auto s = Open();
  Fill(s.get());
  const auto usage_before = *s->Usage(0, kNow + 3600);
  AcctPurgeConfig p;
  p.jobs = After(PurgeAfter::kMonths, 12);
  p.events = After(PurgeAfter::kMonths, 1);
  PurgeReport r;
  ASSERT_TRUE(s->Purge(p, kNow, &r).ok());
  EXPECT_EQ(r.jobs, 1u);
  EXPECT_EQ(r.steps, 1u);
  EXPECT_EQ(r.events, 1u);
  EXPECT_TRUE(r.files.empty());
  EXPECT_EQ(JobIds(s.get()), (std::vector<uint64_t>{2, 3}));
  for (const JobRow& j : AllJobs(s.get())) EXPECT_EQ(j.steps.size(), 1u) << j.job_id;
  EXPECT_EQ(s->NodeEvents({})->size(), 1u);  // the open one stays
  const auto usage_after = *s->Usage(0, kNow + 3600);
  ASSERT_EQ(usage_after.size(), usage_before.size());
  for (size_t i = 0; i < usage_after.size(); ++i) {
    EXPECT_EQ(usage_after[i].cpu_s, usage_before[i].cpu_s);
  }
  // Again: nothing more; then a week's steps and the rollups of the purged hours.
  PurgeReport again;
  ASSERT_TRUE(s->Purge(p, kNow, &again).ok());
  EXPECT_EQ(again.jobs + again.steps + again.events, 0u);
  p.steps = After(PurgeAfter::kDays, 3);
  p.usage = After(PurgeAfter::kMonths, 12);
  PurgeReport more;
  ASSERT_TRUE(s->Purge(p, kNow, &more).ok());
  EXPECT_EQ(more.steps, 1u);  // job 2's; job 3's runs on
  EXPECT_EQ(more.usage, 2u);  // the two hours job 1 ran in
  EXPECT_EQ(JobIds(s.get()), (std::vector<uint64_t>{2, 3}));
  EXPECT_TRUE(s->Usage(0, 1764547200)->empty());
}

TEST_P(PurgeTest, ArchivedRowsLoadBackAsTheyWere) {
  auto s = Open();
  Fill(s.get());
  const auto before = AllJobs(s.get());
  const auto events_before = *s->NodeEvents({});
  AcctPurgeConfig p;
  p.jobs = p.events = p.usage = After(PurgeAfter::kDays, 1);
  p.archive_jobs = p.archive_steps = p.archive_events = p.archive_usage = true;
  p.archive_dir = dir_ + "/archive";
  PurgeReport r;
  ASSERT_TRUE(s->Purge(p, kNow, &r).ok());
  EXPECT_EQ(JobIds(s.get()), (std::vector<uint64_t>{3}));
  ASSERT_EQ(r.files.size(), 4u);  // steps, jobs, events, usage
  EXPECT_NE(r.files[1].find("/c1_job_table_archive_2023-11-14T23:13:20_2026-12-06T00:00:00"),
            std::string::npos)
      << r.files[1];
  ArchiveLoad loaded;
  for (const std::string& f : r.files) {
    auto l = s->LoadArchive(f);
    ASSERT_TRUE(l.ok()) << f << ": " << l.error().message();
    EXPECT_EQ(l->inserted, l->rows) << f;
    if (l->table == "jobs") loaded = *l;
  }
  EXPECT_EQ(loaded.rows, 2u);
  const auto after = AllJobs(s.get());
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    const JobRow& a = after[i];
    const JobRow& b = before[i];
    EXPECT_EQ(a.job_id, b.job_id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.array_job_id, b.array_job_id);
    EXPECT_EQ(a.account, b.account);
    EXPECT_EQ(a.end_time, b.end_time);
    EXPECT_EQ(a.time_limit_s, b.time_limit_s);
    ASSERT_EQ(a.steps.size(), b.steps.size());
    for (size_t k = 0; k < a.steps.size(); ++k) {
      EXPECT_EQ(a.steps[k].user_cpu_us, b.steps[k].user_cpu_us);
      EXPECT_EQ(a.steps[k].sys_cpu_us, b.steps[k].sys_cpu_us);  // NULL stays NULL
      EXPECT_EQ(a.steps[k].max_rss_node, b.steps[k].max_rss_node);
    }
  }
  EXPECT_EQ(s->NodeEvents({})->size(), events_before.size());
  EXPECT_FALSE(s->Usage(0, kNow)->empty());
  // Loaded again: every row is there already.
  auto twice = s->LoadArchive(r.files[1]);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->inserted, 0u);
  // Another cluster's database connection loads into the file's cluster.
  EXPECT_TRUE(Open("other")->Jobs({})->empty());
}

TEST_P(PurgeTest, APurgeThatCannotArchiveDeletesNothing) {
  auto s = Open();
  Fill(s.get());
  AcctPurgeConfig p;
  p.jobs = After(PurgeAfter::kDays, 1);
  p.archive_jobs = true;
  std::ofstream(dir_ + "/a-file") << "not a directory\n";
  p.archive_dir = dir_ + "/a-file/archive";  // under a file: cannot be made
  PurgeReport r;
  Status st = s->Purge(p, kNow, &r);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("archive"), std::string::npos) << st.message();
  EXPECT_EQ(r.jobs, 0u);
  EXPECT_EQ(JobIds(s.get()), (std::vector<uint64_t>{1, 2, 3}));
  for (const JobRow& j : AllJobs(s.get())) EXPECT_EQ(j.steps.size(), 1u);
}

TEST_P(PurgeTest, DamagedArchiveFilesAreRefusedWholly) {
  auto s = Open();
  Fill(s.get());
  AcctPurgeConfig p;
  p.jobs = After(PurgeAfter::kDays, 1);
  p.archive_jobs = true;
  p.archive_dir = dir_ + "/archive";
  PurgeReport r;
  ASSERT_TRUE(s->Purge(p, kNow, &r).ok());
  ASSERT_EQ(r.files.size(), 1u);
  const std::string good = ReadFile(r.files[0]);
  auto refused = [&](const std::string& text, const std::string& why) {
    const std::string path = dir_ + "/bad";
    std::ofstream(path) << text;
    auto l = s->LoadArchive(path);
    EXPECT_FALSE(l.ok()) << why;
    if (!l.ok()) {
      EXPECT_NE(l.error().message().find(why), std::string::npos) << l.error().message();
    }
  };
  refused(good.substr(0, good.rfind("end")), "cut short");
  refused(good.substr(0, good.rfind("end")) + "end\t7\n", "another number of rows");
  refused(good + "1\t2\n", "after its end line");
  std::string renamed = good;
  renamed.replace(renamed.find("\tsubmit_line"), 12, "\tpassword");
  refused(renamed, "no column password");
  std::string newer = good;
  newer.replace(newer.find("archive\t1"), 9, "archive\t9");
  refused(newer, "newer herd");
  refused("job_id\tname\n", "not a herd accounting archive");
  EXPECT_EQ(JobIds(s.get()), (std::vector<uint64_t>{3}));  // nothing of them stored
}

INSTANTIATE_TEST_SUITE_P(Backends, PurgeTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace herd::ctld::acct::testing
