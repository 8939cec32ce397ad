// herd — the accounting database on SQLite and on a real PostgreSQL server: schema and
// migrations, idempotent rows, the queries hacct makes.
#include "controller/acct/tests/store_fixture.h"

namespace herd::ctld::acct::testing {
namespace {

TEST_P(StoreTest, NewDatabaseGetsTheCurrentSchema) {
  auto s = Open();
  ASSERT_NE(s, nullptr);
  auto v = s->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, kSchemaVersion);
  // Opening again migrates nothing and fails nothing.
  auto again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*again->SchemaVersion(), kSchemaVersion);
}

TEST_P(StoreTest, EachEarlierVersionMigratesWithItsRowsKept) {
  for (int from = 1; from < kSchemaVersion; ++from) {
    auto old = ConnectOther(from);
    ASSERT_TRUE(old->Migrate(from).ok());
    ASSERT_EQ(*old->SchemaVersion(), from);
    Batch b;
    b.jobs.push_back(MakeJob(from, 1000, 4, 100, 200));
    ASSERT_TRUE(old->Put(b).ok());
    old.reset();
    auto now = ConnectOther(from);
    ASSERT_TRUE(now->Migrate().ok());
    EXPECT_EQ(*now->SchemaVersion(), kSchemaVersion);
    auto jobs = now->Jobs({});
    ASSERT_TRUE(jobs.ok()) << jobs.error().message();
    ASSERT_EQ(jobs->size(), 1u);
    EXPECT_EQ((*jobs)[0].job_id, static_cast<uint64_t>(from));
    // Version 3's rollups are filled from the jobs stored before it: 99 s on 4 cpus.
    auto usage = now->Usage(0, 3600);
    ASSERT_TRUE(usage.ok()) << usage.error().message();
    ASSERT_EQ(usage->size(), 1u);
    EXPECT_EQ((*usage)[0].cpu_s, 99 * 4);
    EXPECT_EQ((*usage)[0].user, "u1000");
  }
}

// The rollups as jobs arrive: split at hour boundaries, per account, user and size; a row
// sent again adds nothing; a run that changed (requeued, ended later) replaces its figures.
TEST_P(StoreTest, HourlyRollupsCountEachJobOnce) {
  auto s = Open();
  Batch b;
  b.jobs.push_back(MakeJob(1, 1000, 4, 3000, 0));  // running: not rolled yet
  b.jobs[0].account = "phys";
  ASSERT_TRUE(s->Put(b).ok());
  EXPECT_TRUE(s->Usage(0, 86400)->empty());
  b.jobs[0].start_time = 3000;
  b.jobs[0].end_time = 4200;                          // 600 s in hour 0, 600 s in hour 1, on 4 cpus
  b.jobs.push_back(MakeJob(2, 1001, 4, 7200, 7300));  // 99 s in hour 2
  b.jobs[1].alloc_cpus = 64;
  ASSERT_TRUE(s->Put(b).ok());
  ASSERT_TRUE(s->Put(b).ok());  // resent
  auto first = s->Usage(0, 3600);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].account, "phys");
  EXPECT_EQ((*first)[0].cpu_s, 600 * 4);
  auto all = s->Usage(0, 3 * 3600);
  ASSERT_EQ(all->size(), 2u);  // by account: job 2's ("") first
  EXPECT_EQ((*all)[1].cpu_s, 1200 * 4);
  EXPECT_EQ((*all)[0].user, "u1001");
  EXPECT_EQ((*all)[0].cpus, 64u);
  EXPECT_EQ((*all)[0].cpu_s, 99 * 64);
  b.jobs[0].end_time = 3600;  // its run changed: only hour 0, 600 s
  ASSERT_TRUE(s->Put(b).ok());
  auto changed = s->Usage(0, 2 * 3600);
  ASSERT_EQ(changed->size(), 1u);
  EXPECT_EQ((*changed)[0].cpu_s, 600 * 4);
  // Requeued: the row goes back to pending (its first run stays counted), then a second
  // run ends in hour 2 and is counted too.
  b.jobs = {MakeJob(1, 1000, /*PENDING*/ 0, 3000, 0)};
  b.jobs[0].account = "phys";
  ASSERT_TRUE(s->Put(b).ok());
  b.jobs[0].start_time = 7200;
  b.jobs[0].end_time = 7300;
  ASSERT_TRUE(s->Put(b).ok());
  auto requeued = s->Usage(0, 3 * 3600);
  ASSERT_EQ(requeued->size(), 2u);
  EXPECT_EQ((*requeued)[1].cpu_s, 600 * 4 + 100 * 4);
  // Another cluster in the same database has rollups of its own.
  EXPECT_TRUE(Open("other")->Usage(0, 86400)->empty());
}

TEST_P(StoreTest, NewerSchemaIsRefused) {
  auto s = Open();
  ASSERT_TRUE(s->conn().Exec("UPDATE herd_meta SET value = 99 WHERE name = 'schema_version'").ok());
  Status m = s->Migrate();
  EXPECT_EQ(m.code(), Code::kFailedPrecondition);
  EXPECT_NE(m.message().find("99"), std::string::npos);
}

TEST_P(StoreTest, ARowSentAgainReplacesItself) {
  auto s = Open();
  Batch b;
  b.jobs.push_back(MakeJob(7, 1000, /*RUNNING*/ 1, 100, 0));
  b.steps.push_back(MakeStep(7, 0));
  b.node_events.push_back({"n1", 50, 0, "DOWN", "broken", 0});
  ASSERT_TRUE(s->Put(b).ok());
  ASSERT_TRUE(s->Put(b).ok());  // resent: after a restart or a failover
  b.jobs[0].state = 4;
  b.jobs[0].end_time = 300;
  b.jobs[0].exit_status = 3 << 8;
  b.steps[0].user_cpu_us = 1500000;
  b.node_events.push_back({"n1", 60, 0, "UP", "", 0});
  ASSERT_TRUE(s->Put(b).ok());
  ASSERT_TRUE(s->Put(b).ok());
  auto jobs = s->Jobs({});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  const JobRow& j = (*jobs)[0];
  EXPECT_EQ(j.state, 4);
  EXPECT_EQ(j.end_time, 300);
  EXPECT_EQ(j.exit_status, 3 << 8);
  EXPECT_EQ(j.nodes, "n[1-2]");
  EXPECT_EQ(j.time_limit_s, 600);
  ASSERT_EQ(j.steps.size(), 1u);
  EXPECT_EQ(j.steps[0].user_cpu_us, 1500000);
  EXPECT_EQ(j.steps[0].max_rss_kb, -1);  // never reported: unknown, not 0
  EventQuery n1;
  n1.nodes = {"n1"};
  auto ev = s->NodeEvents(n1);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].time_end, 60);
}

// The periods hacctmgr show event asks for: by node, state, who, and those overlapping a
// window (an open one always does); "currently in these states" is the open ones.
TEST_P(StoreTest, NodeEventQueries) {
  auto s = Open();
  Batch b;
  b.node_events.push_back({"n1", 100, 0, "DRAIN", "fan", 1000});
  b.node_events.push_back({"n1", 200, 0, "UP", "", 1000});
  b.node_events.push_back({"n2", 150, 0, "DOWN", "Not responding", 0});
  b.node_events.push_back({"n3", 50, 0, "DRAIN", "old", 0});
  b.node_events.push_back({"n3", 60, 0, "UP", "", 0});
  ASSERT_TRUE(s->Put(b).ok());
  auto names = [&](const EventQuery& q) {
    std::vector<std::string> out;
    auto r = s->NodeEvents(q);
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (r.ok()) {
      for (const auto& e : *r) out.push_back(e.node + ":" + e.state);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names({}), (V{"n1:DRAIN", "n2:DOWN", "n3:DRAIN"}));
  EventQuery window;
  window.start = 90;
  EXPECT_EQ(names(window), (V{"n1:DRAIN", "n2:DOWN"})) << "n3's ended before";
  window.end = 120;
  EXPECT_EQ(names(window), (V{"n1:DRAIN"})) << "n2's began after";
  EventQuery open;
  open.open_only = true;
  EXPECT_EQ(names(open), (V{"n2:DOWN"}));
  EventQuery who;
  who.uids = {1000};
  who.states = {"DRAIN"};
  EXPECT_EQ(names(who), (V{"n1:DRAIN"}));
  auto r = s->NodeEvents(who);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].time_end, 200);
  EXPECT_EQ((*r)[0].reason, "fan");
  // A drain resumed in the same second is a period of no length, not one still open.
  Batch quick;
  quick.node_events.push_back({"n4", 300, 0, "DRAIN", "oops", 0});
  quick.node_events.push_back({"n4", 300, 0, "UP", "", 0});
  ASSERT_TRUE(s->Put(quick).ok());
  EventQuery n4;
  n4.nodes = {"n4"};
  auto q = s->NodeEvents(n4);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].time_end, 300);
}

TEST_P(StoreTest, QueriesFilterAsHacctAsks) {
  auto s = Open();
  Batch b;
  b.jobs.push_back(MakeJob(1, 1000, 4, 100, 200));  // ended before the window
  b.jobs.push_back(MakeJob(2, 1000, 5, 100, 1500));
  b.jobs.push_back(MakeJob(3, 1001, 4, 1200, 1300));
  b.jobs.push_back(MakeJob(4, 1000, 1, 1400, 0));  // running
  b.jobs.push_back(MakeJob(5, 1000, 0, 5000, 0));  // submitted after the window
  b.jobs[2].name = "wf-uuid";
  b.jobs[3].start_time = 1401;  // running since
  b.steps.push_back(MakeStep(2, 0));
  b.steps.push_back(MakeStep(2, 1));
  b.steps.push_back(MakeStep(3, 0));
  ASSERT_TRUE(s->Put(b).ok());
  auto ids = [&](const JobQuery& q) {
    std::vector<uint64_t> out;
    auto r = s->Jobs(q);
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (r.ok()) {
      for (const auto& j : *r) out.push_back(j.job_id);
    }
    return out;
  };
  JobQuery window;
  window.start = 1000;
  window.end = 2000;
  EXPECT_EQ(ids(window), (std::vector<uint64_t>{2, 3, 4}));
  window.uids = {1000};
  EXPECT_EQ(ids(window), (std::vector<uint64_t>{2, 4}));
  JobQuery by_name;
  by_name.names = {"wf-uuid"};
  EXPECT_EQ(ids(by_name), (std::vector<uint64_t>{3}));
  JobQuery by_state;
  by_state.states = {4};
  EXPECT_EQ(ids(by_state), (std::vector<uint64_t>{1, 3}));
  // sacct -s over a window: pending or running at any time in it, whatever they are now;
  // an ended state: in it now, and ended in the window.
  by_state.start = 1000;
  by_state.end = 2000;
  by_state.states = {/*RUNNING*/ 1};
  EXPECT_EQ(ids(by_state), (std::vector<uint64_t>{2, 3, 4}));
  by_state.states = {/*PENDING*/ 0};
  EXPECT_EQ(ids(by_state), (std::vector<uint64_t>{3, 4}));
  by_state.states = {/*FAILED*/ 5, /*COMPLETED*/ 4};
  EXPECT_EQ(ids(by_state), (std::vector<uint64_t>{2, 3}));
  by_state.uids = {1001};
  EXPECT_EQ(ids(by_state), (std::vector<uint64_t>{3}));
  JobQuery by_id;
  by_id.job_ids = {5, 2};
  auto r = s->Jobs(by_id);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].steps.size(), 2u);
  EXPECT_EQ((*r)[1].steps.size(), 0u);
}

TEST_P(StoreTest, ClustersShareADatabaseApart) {
  auto a = Open("alpha");
  auto b = Open("beta");
  Batch one;
  one.jobs.push_back(MakeJob(1, 1000, 4, 100, 200));
  ASSERT_TRUE(a->Put(one).ok());
  one.jobs[0].name = "other";
  ASSERT_TRUE(b->Put(one).ok());
  EXPECT_EQ((*a->Jobs({}))[0].name, "job1");
  EXPECT_EQ((*b->Jobs({}))[0].name, "other");
}

TEST_P(StoreTest, OpenStoreFromTheConfigKeys) {
  auto s = OpenStore(Config(), /*read_only=*/false);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(*(*s)->SchemaVersion(), kSchemaVersion);
  StorageConfig bad = Config();
  bad.type = "accounting_storage/mysql";
  auto refused = OpenStore(bad, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("unknown type"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace herd::ctld::acct::testing
