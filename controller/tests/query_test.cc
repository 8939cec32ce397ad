// herd — paged job queries and the fair query queue: every job exactly once across pages
// while jobs come and go, a request of a client older than paging answered, one user's
// many queries not delaying another's or a node's heartbeat, the queue's bounds.
#include <set>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;
using testing::SimpleSpec;

// A QueryJobsRequest as clients before paging encoded it (class version 0: the filter
// alone).
struct QueryJobsRequestV0 {
  static constexpr MsgType kType = MsgType::kQueryJobsRequest;
  proto::JobFilter filter;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& filter;
  }
};

class QueryTest : public CoreTest {
 protected:
  uint64_t SubmitHeld(uint32_t uid = 1000, const std::string& name = "t") {
    proto::JobSpec s = SimpleSpec();
    s.hold = true;
    s.name = name;
    return Submit(s, uid);
  }

  // One page of every pending job after `after`.
  Result<proto::QueryJobsPage> Page(uint64_t after, uint32_t max_jobs,
                                    const proto::JobFilter& filter = {}) {
    proto::QueryJobsRequest q;
    q.filter = filter;
    q.after_job_id = after;
    q.max_jobs = max_jobs;
    return Call<proto::QueryJobsPage>(q);
  }

  // Decoded replies of the last Flush, by request id.
  std::map<uint64_t, proto::Frame> Replies() {
    std::map<uint64_t, proto::Frame> out;
    for (const Reply& r : last_.replies) {
      auto f = proto::DecodeFrame(r.bytes.data(), r.bytes.size());
      EXPECT_TRUE(f.ok());
      if (f.ok()) out[f->request_id] = *f;
    }
    return out;
  }
};

TEST_F(QueryTest, PagesShowEveryJobOnceWhileJobsComeAndGo) {
  RegisterAll();
  std::vector<uint64_t> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(SubmitHeld());
  proto::JobFilter everything;
  everything.include_finished = true;  // a cancelled job shows until it is forgotten
  std::map<uint64_t, int> seen;
  uint64_t after = 0;
  int pages = 0;
  std::set<uint64_t> cancelled, added;
  while (true) {
    auto page = Page(after, 7, everything);
    ASSERT_TRUE(page.ok()) << page.error().message();
    ASSERT_LE(page->jobs.size(), 7u);
    for (const auto& j : page->jobs) {
      EXPECT_GT(j.job_id, after) << "a page starts after the cursor";
      seen[j.job_id]++;
    }
    pages++;
    if (!page->more) break;
    ASSERT_GT(page->next_after, after);
    after = page->next_after;
    // Between pages: a new job, and a job not shown yet ended and forgotten.
    added.insert(SubmitHeld());
    for (uint64_t id : ids) {
      if (id > after + 3 && !cancelled.count(id)) {
        proto::CancelJobsRequest c;
        c.filter.job_ids = {id};
        ASSERT_TRUE((Call<proto::CancelJobsReply>(c).ok()));
        cancelled.insert(id);
        break;
      }
    }
    clock_.Advance(301'000);  // past MinJobAge: the cancelled job is forgotten
    core_->Tick();
    ASSERT_LT(pages, 100);
  }
  EXPECT_GT(pages, 5);
  ASSERT_FALSE(cancelled.empty());
  for (uint64_t id : cancelled) {
    EXPECT_EQ(core_->state().FindJob(id), nullptr) << "job " << id << " was purged";
  }
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "job " << id << " shown " << n << " times";
  for (uint64_t id : ids) {
    const size_t want = cancelled.count(id) ? 0 : 1;  // purged before its page: not shown
    EXPECT_EQ(seen.count(id), want) << "job " << id;
  }
  for (uint64_t id : added) {
    EXPECT_EQ(seen.count(id), 1u) << "job " << id << ", submitted between pages, missing";
  }
}

TEST_F(QueryTest, PagesOfAFilterAndOfJobIds) {
  RegisterAll();
  std::set<uint64_t> mine;
  for (int i = 0; i < 30; ++i) {
    uint64_t a = SubmitHeld(1000, "a");
    SubmitHeld(1001, "b");
    if (i % 3 == 0) mine.insert(a);
  }
  proto::JobFilter by_name;
  by_name.names = {"a"};
  std::set<uint64_t> got;
  for (uint64_t after = 0;;) {
    auto page = Page(after, 4, by_name);
    ASSERT_TRUE(page.ok());
    for (const auto& j : page->jobs) {
      EXPECT_EQ(j.name, "a");
      EXPECT_TRUE(got.insert(j.job_id).second);
    }
    if (!page->more) break;
    after = page->next_after;
  }
  EXPECT_EQ(got.size(), 30u);
  // Job ids in any order, with duplicates and an unknown one.
  proto::JobFilter by_id;
  by_id.job_ids.assign(mine.rbegin(), mine.rend());
  by_id.job_ids.push_back(*mine.begin());
  by_id.job_ids.push_back(99999);
  got.clear();
  for (uint64_t after = 0;;) {
    auto page = Page(after, 3, by_id);
    ASSERT_TRUE(page.ok());
    for (const auto& j : page->jobs) EXPECT_TRUE(got.insert(j.job_id).second);
    if (!page->more) break;
    after = page->next_after;
  }
  EXPECT_EQ(got, mine);
}

TEST_F(QueryTest, PageSizeIsCappedByTheController) {
  RegisterAll();
  for (uint32_t i = 0; i < proto::kQueryPageMaxJobs + 10; ++i) SubmitHeld();
  auto page = Page(0, 1u << 30);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->more);
  EXPECT_LE(page->jobs.size(), proto::kQueryPageMaxJobs);
  size_t bytes = 0;
  for (const auto& j : page->jobs) bytes += proto::EncodeBody(j).size();
  EXPECT_LE(bytes, proto::kQueryPageMaxBytes + 4096) << "a page is bounded in bytes too";
}

TEST_F(QueryTest, OldClientRequestIsAnsweredWholeOrRefusedClearly) {
  RegisterAll();
  for (int i = 0; i < 5; ++i) SubmitHeld();
  QueryJobsRequestV0 old;
  core_->HandleRequest("old", RequestBytes(old, 1000, 1));
  last_ = core_->Flush();
  auto replies = Replies();
  ASSERT_EQ(replies.count(1), 1u);
  ASSERT_EQ(replies[1].type, MsgType::kQueryJobsReply) << "the reply an old client decodes";
  auto rep = proto::DecodeBody<proto::QueryJobsReply>(replies[1].body);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->jobs.size(), 5u);
  // Beyond the bound: an error saying why, not a silent part of the queue.
  for (uint32_t i = 5; i <= proto::kUnpagedMaxJobs; ++i) SubmitHeld();
  core_->HandleRequest("old", RequestBytes(old, 1000, 2));
  last_ = core_->Flush();
  replies = Replies();
  Status st = proto::ReplyStatus(replies[2]);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_NE(st.message().find("narrow the query"), std::string::npos) << st.message();
  // Narrowed, it is answered.
  old.filter.job_ids = {1, 2, 3};
  core_->HandleRequest("old", RequestBytes(old, 1000, 3));
  last_ = core_->Flush();
  replies = Replies();
  rep = proto::DecodeBody<proto::QueryJobsReply>(replies[3].body);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->jobs.size(), 3u);
}

TEST_F(QueryTest, NodesComeInPagesOrWhole) {
  proto::QueryNodesRequest q;
  q.max_nodes = 3;
  auto first = Call<proto::QueryNodesReply>(q);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->nodes.size(), 3u);
  EXPECT_EQ(first->nodes[0].name, "n1");
  EXPECT_EQ(first->nodes[2].name, "n3");
  EXPECT_TRUE(first->more);
  q.after = first->next_after;
  auto second = Call<proto::QueryNodesReply>(q);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->nodes.size(), 1u);
  EXPECT_EQ(second->nodes[0].name, "n4");
  EXPECT_FALSE(second->more);
  q.after = 99;  // past the end: an empty last page
  auto past = Call<proto::QueryNodesReply>(q);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->nodes.empty());
  EXPECT_FALSE(past->more);
  // Unpaged (an old client's request decodes so), and by name: whole.
  EXPECT_EQ(Call<proto::QueryNodesReply>(proto::QueryNodesRequest{})->nodes.size(), 4u);
  q = proto::QueryNodesRequest{};
  q.names = {"n2"};
  q.max_nodes = 3;
  auto named = Call<proto::QueryNodesReply>(q);
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->nodes.size(), 1u);
  EXPECT_EQ(named->nodes[0].name, "n2");
}

TEST_F(QueryTest, NodePagesAreBoundedOnALargeCluster) {
  cfg_ = testing::TestConfig(2500);
  Restart();
  proto::QueryNodesRequest q;
  q.max_nodes = 1u << 30;
  std::set<std::string> seen;
  for (int pages = 0; pages < 100; ++pages) {
    auto page = Call<proto::QueryNodesReply>(q);
    ASSERT_TRUE(page.ok()) << page.error().message();
    EXPECT_LE(page->nodes.size(), proto::kQueryPageMaxNodes);
    EXPECT_LE(proto::EncodeBody(*page).size(), proto::kQueryPageMaxBytes + 4096);
    for (const auto& n : page->nodes) EXPECT_TRUE(seen.insert(n.name).second) << n.name;
    if (!page->more) break;
    ASSERT_GT(page->next_after, q.after);
    q.after = page->next_after;
  }
  EXPECT_EQ(seen.size(), 2500u);
}

TEST_F(QueryTest, OneUsersQueriesDoNotDelayOthersOrHeartbeats) {
  RegisterAll();
  for (int i = 0; i < 20; ++i) SubmitHeld();
  proto::QueryJobsRequest q;
  q.max_jobs = 100;
  // User 1000 floods: 200 queries in one batch, then user 1001 asks once and a node
  // heartbeats.
  for (uint64_t r = 1; r <= 200; ++r) core_->HandleRequest("flood", RequestBytes(q, 1000, r));
  core_->HandleRequest("other", RequestBytes(q, 1001, 1000));
  proto::HeartbeatRequest hb;
  hb.name = "n1";
  core_->HandleRequest("node", RequestBytes(hb, 0, 2000));
  last_ = core_->Flush();
  auto replies = Replies();
  EXPECT_EQ(replies.count(2000), 1u) << "the heartbeat is answered in the first flush";
  EXPECT_EQ(replies.count(1000), 1u) << "the other user's query is answered in the first flush";
  EXPECT_LT(replies.size(), 150u) << "the flood is answered over several flushes";
  EXPECT_TRUE(core_->queries_waiting());
  // Every flooding query is answered in the end.
  std::set<uint64_t> answered;
  for (const auto& [id, f] : replies) answered.insert(id);
  for (int i = 0; i < 10 && core_->queries_waiting(); ++i) {
    last_ = core_->Flush();
    for (const auto& [id, f] : Replies()) {
      EXPECT_EQ(f.type, MsgType::kQueryJobsPageReply);
      answered.insert(id);
    }
  }
  EXPECT_FALSE(core_->queries_waiting());
  for (uint64_t r = 1; r <= 200; ++r) EXPECT_EQ(answered.count(r), 1u) << r;
}

TEST_F(QueryTest, TooManyWaitingQueriesAreRefusedAtOnce) {
  RegisterAll();
  proto::QueryJobsRequest q;
  q.max_jobs = 10;
  const size_t per_user = QueryQueue::Limits{}.per_user;
  for (uint64_t r = 1; r <= per_user + 5; ++r) {
    core_->HandleRequest("flood", RequestBytes(q, 1000, r));
  }
  last_ = core_->Flush();
  auto replies = Replies();
  for (uint64_t r = per_user + 1; r <= per_user + 5; ++r) {
    ASSERT_EQ(replies.count(r), 1u);
    EXPECT_EQ(proto::ReplyStatus(replies[r]).code(), Code::kResourceExhausted);
  }
}

TEST(QueryQueueTest, UsersTakeTurns) {
  QueryQueue queue(QueryQueue::Limits{3, 5, 1 << 20});
  auto item = [](uint32_t uid, uint64_t id) {
    QueryQueue::Item i;
    i.who.uid = uid;
    i.frame.request_id = id;
    return i;
  };
  ASSERT_TRUE(queue.Push(item(7, 1)).ok());
  ASSERT_TRUE(queue.Push(item(7, 2)).ok());
  ASSERT_TRUE(queue.Push(item(7, 3)).ok());
  EXPECT_EQ(queue.Push(item(7, 4)).code(), Code::kResourceExhausted) << "per-user bound";
  ASSERT_TRUE(queue.Push(item(3, 10)).ok());
  QueryQueue::Item big = item(5, 40);
  big.frame.body.assign(2 << 20, 'x');
  EXPECT_EQ(queue.Push(std::move(big)).code(), Code::kResourceExhausted) << "byte bound";
  ASSERT_TRUE(queue.Push(item(9, 20)).ok());
  EXPECT_EQ(queue.Push(item(4, 30)).code(), Code::kResourceExhausted) << "total bound";
  std::vector<uint64_t> order;
  while (auto i = queue.Pop()) order.push_back(i->frame.request_id);
  EXPECT_EQ(order, (std::vector<uint64_t>{10, 1, 20, 2, 3}));
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace herd::ctld
