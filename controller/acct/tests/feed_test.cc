// herd — the controller's accounting feed on each back-end: jobs reach the database once
// with their outcome, a database that is away holds nothing up and loses nothing, and a
// restart sends again without adding rows.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "controller/acct/acct_feed.h"
#include "controller/acct/tests/store_fixture.h"
#include "controller/tests/core_fixture.h"

namespace herd::ctld::acct::testing {
namespace {

using ctld::testing::SimpleSpec;

class FeedTest : public CoreTestOn<StoreTest> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    cfg_.acct_type = "accounting_storage/sqlite";  // the state keeps node changes for it
    Restart();
    RegisterAll();
  }
  void TearDown() override {
    core_.reset();
    feed_.reset();
    StoreTest::TearDown();
  }
  void BeforeRecover() override {
    feed_.reset();
    StorageConfig sc = Config();
    sc.cluster = cfg_.cluster_name;
    feed_ = std::make_unique<AcctFeed>(core_->state(), clock_, "test", [this, sc] {
      if (db_down_) return Result<std::unique_ptr<AcctStore>>(Unavailable("database away"));
      return OpenStore(sc, false);
    });
    feed_->set_purge(purge_);
    core_->set_acct(feed_.get());
  }

  // Flushes (the clock going a second each time, past any retry delay) until every
  // finished job is stored and nothing waits, or a real-time bound.
  bool DrainFeed() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      clock_.Advance(1000);
      last_ = core_->Flush();
      bool all_stored = true;
      for (const auto& [id, j] : core_->state().jobs()) {
        all_stored = all_stored && (!proto::IsFinished(j.state) || j.acct_stored);
      }
      if (all_stored && feed_->idle()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }
  // Flushes until the worker has answered the batch it has (real time bound).
  void FlushFor(int rounds) {
    for (int i = 0; i < rounds; ++i) {
      last_ = core_->Flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::vector<JobRow> Stored() {
    auto s = Open("test");  // TestConfig's ClusterName
    auto r = s->Jobs({});
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : std::vector<JobRow>{};
  }

  std::atomic<bool> db_down_{false};
  std::unique_ptr<AcctFeed> feed_;
  AcctPurgeConfig purge_;
};

TEST_P(FeedTest, FinishedJobsAreStoredOnceThenForgotten) {
  uint64_t ok = Submit(SimpleSpec());
  uint64_t fails = Submit(SimpleSpec());
  uint64_t held = Submit([] {
    auto s = SimpleSpec();
    s.hold = true;
    return s;
  }());
  ASSERT_EQ(StateOf(ok), JobState::kRunning);
  ASSERT_TRUE(Complete(ok, 0).ok());
  ASSERT_TRUE(Complete(fails, 3 << 8).ok());
  ASSERT_TRUE(DrainFeed());
  auto rows = Stored();
  ASSERT_EQ(rows.size(), 3u);  // the pending one too, as it is now
  EXPECT_EQ(rows[2].job_id, held);
  EXPECT_EQ(rows[2].state, static_cast<int>(JobState::kPending));
  EXPECT_EQ(rows[0].job_id, ok);
  EXPECT_EQ(rows[0].state, static_cast<int>(JobState::kCompleted));
  EXPECT_EQ(rows[0].user, core_->state().FindJob(ok)->user.str());
  EXPECT_GT(rows[0].end_time, 0);
  EXPECT_EQ(rows[0].alloc_cpus, 1u);
  EXPECT_EQ(rows[1].state, static_cast<int>(JobState::kFailed));
  EXPECT_EQ(rows[1].exit_status, 3 << 8);
  EXPECT_TRUE(core_->state().FindJob(ok)->acct_stored);
  // Stored: forgotten after MinJobAge as without accounting.
  clock_.Advance(301 * 1000);
  core_->Tick();
  EXPECT_EQ(core_->state().FindJob(ok), nullptr);
  EXPECT_EQ(core_->state().FindJob(fails), nullptr);
}

TEST_P(FeedTest, AbsentDatabaseHoldsNothingUpAndLosesNothing) {
  db_down_ = true;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(Submit(SimpleSpec()));
    ASSERT_EQ(StateOf(ids.back()), JobState::kRunning);
    ASSERT_TRUE(Complete(ids.back(), 0).ok());
  }
  // The jobs ran and ended (scheduling went on) ...
  for (uint64_t id : ids) EXPECT_NE(StateOf(id), JobState::kPending) << id;
  FlushFor(20);
  proto::HaStatusReply st;
  feed_->Describe(&st);
  EXPECT_EQ(st.acct_link, "down");
  EXPECT_NE(st.acct_error.find("database away"), std::string::npos);
  EXPECT_GE(st.acct_backlog, 20u);
  // ... and are kept past MinJobAge while they are not stored.
  clock_.Advance(400 * 1000);
  core_->Tick();
  for (uint64_t id : ids) ASSERT_NE(core_->state().FindJob(id), nullptr) << id;
  db_down_ = false;
  ASSERT_TRUE(DrainFeed());
  EXPECT_EQ(Stored().size(), ids.size());
  feed_->Describe(&st);
  EXPECT_EQ(st.acct_link, "up");
  EXPECT_EQ(st.acct_backlog, 0u);
  core_->Tick();
  for (uint64_t id : ids) EXPECT_EQ(core_->state().FindJob(id), nullptr) << id;
}

TEST_P(FeedTest, RestartSendsAgainWithoutASecondRow) {
  uint64_t a = Submit(SimpleSpec());
  ASSERT_TRUE(DrainFeed());  // stored while running
  db_down_ = true;
  ASSERT_TRUE(Complete(a, 0).ok());
  uint64_t b = Submit(SimpleSpec());
  FlushFor(5);
  Restart();  // the feed's memory is gone; the journal has the jobs
  db_down_ = false;
  ASSERT_TRUE(DrainFeed());
  auto rows = Stored();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].job_id, a);
  EXPECT_EQ(rows[0].state, static_cast<int>(JobState::kCompleted));
  EXPECT_EQ(rows[1].job_id, b);
  // Once more: everything stored is in the journal as such, nothing is sent again.
  Restart();
  EXPECT_TRUE(core_->state().FindJob(a)->acct_stored);
  ASSERT_TRUE(DrainFeed());
  EXPECT_EQ(Stored().size(), 2u);
}

std::vector<NodeEventRow> EventsOf(AcctStore& s, const std::string& node) {
  EventQuery q;
  q.nodes = {node};
  auto ev = s.NodeEvents(q);
  EXPECT_TRUE(ev.ok());
  return ev.ok() ? *ev : std::vector<NodeEventRow>{};
}

TEST_P(FeedTest, NodeChangesAreStoredAsPeriods) {
  proto::UpdateNodeRequest down;
  down.names = {"n2"};
  down.state = "DRAIN";
  down.reason = "fan";
  ASSERT_TRUE((Call<proto::StatusReply>(down).ok()));
  clock_.Advance(5000);
  proto::UpdateNodeRequest up;
  up.names = {"n2"};
  up.state = "RESUME";
  ASSERT_TRUE((Call<proto::StatusReply>(up).ok()));
  ASSERT_TRUE(DrainFeed());
  auto ev = EventsOf(*Open("test"), "n2");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].state, "DRAIN");
  EXPECT_EQ(ev[0].reason, "fan");
  EXPECT_EQ(ev[0].reason_uid, 0u) << "the test's caller is root";
  EXPECT_GT(ev[0].time_end, ev[0].time_start);
  EXPECT_TRUE(core_->state().FindNode("n2")->acct_pending.empty()) << "stored: forgotten";
}

// Node changes made while the database is away survive a restart of the controller (they
// are in its journal and checkpoint until stored) and reach the database once, in order.
TEST_P(FeedTest, NodeChangesSurviveARestartWhileTheDatabaseIsAway) {
  db_down_ = true;
  proto::UpdateNodeRequest drain;
  drain.names = {"n3"};
  drain.state = "DRAIN";
  drain.reason = "memory errors";
  ASSERT_TRUE((Call<proto::StatusReply>(drain).ok()));
  clock_.Advance(3000);
  proto::UpdateNodeRequest down = drain;
  down.state = "DOWN";
  down.reason = "replacing DIMMs";
  ASSERT_TRUE((Call<proto::StatusReply>(down).ok()));
  FlushFor(5);
  EXPECT_EQ(core_->state().FindNode("n3")->acct_pending.size(), 2u);
  Restart();  // the feed's memory is gone
  EXPECT_EQ(core_->state().FindNode("n3")->acct_pending.size(), 2u) << "from the journal";
  db_down_ = false;
  ASSERT_TRUE(DrainFeed());
  auto ev = EventsOf(*Open("test"), "n3");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].state, "DRAIN");
  EXPECT_EQ(ev[0].reason, "memory errors");
  EXPECT_EQ(ev[0].time_end, ev[1].time_start) << "closed by the next change";
  EXPECT_EQ(ev[1].state, "DOWN+DRAIN");
  EXPECT_EQ(ev[1].time_end, 0) << "still so";
  ASSERT_TRUE(DrainFeed());
  EXPECT_TRUE(core_->state().FindNode("n3")->acct_pending.empty());
  Restart();  // stored, journaled as such: nothing is sent again
  EXPECT_TRUE(core_->state().FindNode("n3")->acct_pending.empty());
  EXPECT_EQ(EventsOf(*Open("test"), "n3").size(), 2u);
}

TEST_P(FeedTest, ThePurgeRunsAtTheStartOfEachInterval) {
  purge_.jobs.unit = PurgeAfter::kHours;
  purge_.jobs.count = 1;
  purge_.archive_jobs = true;
  purge_.archive_dir = dir_ + "/archive";
  Restart();
  RegisterAll();
  uint64_t id = Submit(SimpleSpec());
  ASSERT_EQ(StateOf(id), JobState::kRunning);
  ASSERT_TRUE(Complete(id, 0).ok());
  ASSERT_TRUE(DrainFeed());
  ASSERT_EQ(Stored().size(), 1u);  // the purge at the start found nothing that old
  // Two hours on, past the start of an hour: the job ended before the hour before it.
  clock_.Advance(2 * 3600 * 1000);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!Stored().empty() && std::chrono::steady_clock::now() < until) FlushFor(5);
  EXPECT_TRUE(Stored().empty());
  struct stat st;
  EXPECT_EQ(stat((dir_ + "/archive").c_str(), &st), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace herd::ctld::acct::testing
