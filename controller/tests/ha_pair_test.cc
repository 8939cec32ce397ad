// herd — two controller cores and a witness in one process on a manual clock, their
// frames routed in memory: election, synchronous replication, failover, fencing of a
// paused active, a passive that fell behind, and the planned takeover.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <set>

#include "common/base/fs.h"
#include "controller/core.h"
#include "controller/ha/witness.h"
#include "controller/store/memory_state_store.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::FakeAuth;
using testing::RequestBytes;

ClusterConfig PairConfig() {
  auto cfg = ParseConfig(
      "ClusterName=pair\nControllerHosts=ctl1(127.0.0.1:7001),ctl2(127.0.0.1:7002)\n"
      "WitnessHost=w(127.0.0.1:7003)\nHaLeaseMs=1000\nHaSyncTimeoutMs=300\n"
      "StateDir=/tmp/x/%n\nHeartbeatInterval=1\nNodeTimeout=5\n"
      "NodeName=n[1-2] NodeAddr=127.0.0.1 Port=7100-7101 CPUs=4 RealMemory=2000\n"
      "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
      "pair.conf");
  EXPECT_TRUE(cfg.ok()) << cfg.error().message();
  return *cfg;
}

struct Ctl {
  std::string name;
  MemoryStateStore store;
  ha::MemoryVoteStore votes;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<ControllerCore> core;
  bool up = false;
  bool paused = false;
};

class HaPair : public ::testing::Test {
 protected:
  HaPair() : cfg_(PairConfig()) {
    char tmpl[] = "/tmp/herd-ha-XXXXXX";
    dir_ = mkdtemp(tmpl);
    for (const char* n : {"ctl1", "ctl2"}) {
      auto c = std::make_unique<Ctl>();
      c->name = n;
      c->blobs = std::make_unique<BlobStore>(dir_ + "/" + n);
      EXPECT_TRUE(c->blobs->Init().ok());
      ctls_[n] = std::move(c);
      Start(n);
    }
    witness_ = std::make_unique<ha::WitnessCore>(cfg_, clock_, witness_votes_, auth_);
    EXPECT_TRUE(witness_->Load().ok());
  }
  ~HaPair() override { (void)RemoveTree(dir_); }

  void Start(const std::string& n) {
    Ctl& c = *ctls_[n];
    uint64_t seed = n == "ctl1" ? 1 : 2;
    c.core = std::make_unique<ControllerCore>(
        cfg_, clock_, c.store, *c.blobs, auth_, "tcp://" + n, &c.votes, n,
        [seed](int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(seed) % (hi - lo + 1); });
    ASSERT_TRUE(c.core->Recover().ok());
    c.up = true;
    c.paused = false;
  }
  void Crash(const std::string& n) {
    Ctl& c = *ctls_[n];
    c.core.reset();
    c.store.Crash();
    c.up = false;
  }

  bool Reachable(const std::string& a, const std::string& b) const {
    return !cut_.count(a) && !cut_.count(b);
  }

  // Delivers a frame from controller `from` to voter `to`; routes the answer back.
  void Deliver(Ctl& from, size_t peer, const std::string& bytes) {
    const std::string to = from.core->ha().peers()[peer].name;
    if (!Reachable(from.name, to)) return;
    if (to == "w") {
      std::string rep = witness_->HandleRequest(bytes);
      if (!rep.empty()) pending_.push_back({from.name, peer, rep});
      return;
    }
    Ctl& t = *ctls_[to];
    if (!t.up || t.paused) return;
    t.core->HandleRequest("voter:" + from.name + ":" + std::to_string(peer), bytes);
  }

  // One loop iteration of every controller that runs; then 10 ms pass.
  void Step() {
    for (auto& [name, c] : ctls_) {
      if (!c->up || c->paused) continue;
      // Answers from other voters that are waiting for this controller.
      std::vector<PendingReply> keep;
      for (auto& p : pending_) {
        if (p.to == name) {
          c->core->HandlePeerReply(p.peer, p.bytes);
        } else {
          keep.push_back(p);
        }
      }
      pending_ = std::move(keep);
      c->core->Tick();
      FlushResult r = c->core->Flush();
      ASSERT_TRUE(r.status.ok());
      for (auto& rep : r.replies) {
        if (StartsWith(rep.peer, "voter:")) {
          auto parts = Split(rep.peer, ':');
          if (Reachable(name, parts[1])) {
            pending_.push_back({parts[1], std::stoul(parts[2]), rep.bytes});
          }
        } else {
          client_replies_[name].push_back(rep.bytes);
        }
      }
      for (auto& m : r.peer_messages) Deliver(*c, m.peer, m.bytes);
    }
    clock_.Advance(10);
  }
  void Run(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 10) Step();
  }
  std::string Active() {
    std::string who;
    for (auto& [name, c] : ctls_) {
      if (c->up && !c->paused && c->core->writable()) {
        EXPECT_TRUE(who.empty()) << "two active controllers: " << who << " and " << name;
        who = name;
      }
    }
    return who;
  }
  bool RunUntilActive(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 10) {
      Step();
      if (!Active().empty()) return true;
    }
    return false;
  }

  // Submits through `n`; the answer (a frame) once it is released, or none.
  Result<proto::Frame> Submit(const std::string& n, int64_t wait_ms = 1500) {
    proto::SubmitJobRequest req;
    req.spec = testing::SimpleSpec();
    req.spec.hold = true;
    client_replies_[n].clear();
    ctls_[n]->core->HandleRequest("client", RequestBytes(req, 1000, ++rid_));
    for (int64_t t = 0; t < wait_ms; t += 10) {
      Step();
      if (!client_replies_[n].empty()) {
        const std::string& b = client_replies_[n].front();
        return proto::DecodeFrame(b.data(), b.size());
      }
    }
    return DeadlineExceeded("no reply");
  }
  uint64_t SubmitOk(const std::string& n) {
    auto f = Submit(n);
    EXPECT_TRUE(f.ok());
    if (!f.ok()) return 0;
    EXPECT_EQ(f->type, proto::MsgType::kSubmitJobReply) << proto::MsgTypeName(f->type);
    auto rep = proto::DecodeBody<proto::SubmitJobReply>(f->body);
    return rep.ok() ? rep->job_id : 0;
  }

  struct PendingReply {
    std::string to;
    size_t peer;
    std::string bytes;
  };
  ClusterConfig cfg_;
  std::string dir_;
  ManualClock clock_;
  FakeAuth auth_;
  std::map<std::string, std::unique_ptr<Ctl>> ctls_;
  ha::MemoryVoteStore witness_votes_;
  std::unique_ptr<ha::WitnessCore> witness_;
  std::vector<PendingReply> pending_;
  std::map<std::string, std::vector<std::string>> client_replies_;
  std::set<std::string> cut_;
  uint64_t rid_ = 0;
};

TEST_F(HaPair, PreferredControllerIsElectedAndReplicates) {
  ASSERT_TRUE(RunUntilActive(5000));
  EXPECT_EQ(Active(), "ctl1");
  Run(500);  // the passive catches up
  uint64_t id = SubmitOk("ctl1");
  ASSERT_NE(id, 0u);
  // Acknowledged only once the passive has it.
  EXPECT_NE(ctls_["ctl2"]->core->state().FindJob(id), nullptr);
  EXPECT_EQ(ctls_["ctl2"]->store.LastSeq(), ctls_["ctl1"]->store.LastSeq());
  // The passive refuses writes and names the active.
  auto f = Submit("ctl2");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->type, proto::MsgType::kNotActiveReply);
  auto na = proto::DecodeBody<proto::NotActiveReply>(f->body);
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->active_name, "ctl1");
}

TEST_F(HaPair, FailoverKeepsEveryAcknowledgedJob) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(SubmitOk("ctl1"));
  const uint64_t epoch = ctls_["ctl1"]->core->epoch();
  Crash("ctl1");
  int64_t waited = 0;
  while (Active().empty() && waited < 5000) {
    Step();
    waited += 10;
  }
  ASSERT_EQ(Active(), "ctl2");
  EXPECT_LT(waited, 2000) << "takeover took " << waited << " ms";
  EXPECT_GT(ctls_["ctl2"]->core->epoch(), epoch);
  for (uint64_t id : ids) EXPECT_NE(ctls_["ctl2"]->core->state().FindJob(id), nullptr) << id;
  uint64_t next = SubmitOk("ctl2");
  EXPECT_GT(next, ids.back());
  // The old active comes back as passive and gets the new state.
  Start("ctl1");
  Run(3000);
  EXPECT_EQ(Active(), "ctl2");
  EXPECT_NE(ctls_["ctl1"]->core->state().FindJob(next), nullptr);
}

TEST_F(HaPair, PausedActiveWakesFenced) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  ctls_["ctl1"]->paused = true;
  ASSERT_TRUE(RunUntilActive(5000));
  ASSERT_EQ(Active(), "ctl2");
  // ctl1 wakes up with a request waiting: it must not accept it.
  ctls_["ctl1"]->paused = false;
  EXPECT_FALSE(ctls_["ctl1"]->core->writable());
  auto f = Submit("ctl1");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->type, proto::MsgType::kNotActiveReply);
  Run(2000);
  EXPECT_EQ(Active(), "ctl2");
}

TEST_F(HaPair, PassiveCutOffIsExcludedThenCatchesUp) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  cut_.insert("ctl2");
  // The active goes on alone once the witness has excluded the passive.
  uint64_t id = SubmitOk("ctl1");
  ASSERT_NE(id, 0u);
  EXPECT_EQ(ctls_["ctl2"]->core->state().FindJob(id), nullptr);
  EXPECT_EQ(witness_->voter().state().excluded, "ctl2");
  // Cut off, ctl2 cannot be elected; the active keeps its lease through the witness.
  Run(3000);
  EXPECT_EQ(Active(), "ctl1");
  cut_.clear();
  Run(2000);
  EXPECT_NE(ctls_["ctl2"]->core->state().FindJob(id), nullptr);
  EXPECT_EQ(witness_->voter().state().excluded, "");
  // Now in sync: the active may die and ctl2 takes over with everything.
  Crash("ctl1");
  ASSERT_TRUE(RunUntilActive(5000));
  EXPECT_EQ(Active(), "ctl2");
}

TEST_F(HaPair, ExcludedPassiveCannotTakeOver) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  cut_.insert("ctl2");
  uint64_t id = SubmitOk("ctl1");
  ASSERT_NE(id, 0u);
  cut_.clear();
  Crash("ctl1");  // before ctl2 caught up
  Run(5000);
  EXPECT_EQ(Active(), "");  // ctl2 lacks an acknowledged job: it must not be elected
  Start("ctl1");
  ASSERT_TRUE(RunUntilActive(5000));
  EXPECT_EQ(Active(), "ctl1");
  EXPECT_NE(ctls_["ctl1"]->core->state().FindJob(id), nullptr);
}

TEST_F(HaPair, ActiveCutOffFromBothStopsWriting) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  cut_.insert("ctl1");
  Run(1000);
  EXPECT_FALSE(ctls_["ctl1"]->core->writable());
  ASSERT_TRUE(RunUntilActive(3000));
  EXPECT_EQ(Active(), "ctl2");
}

TEST_F(HaPair, TakeoverHandsOverWithoutLoss) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  uint64_t id = SubmitOk("ctl1");
  proto::TakeoverRequest t;
  ctls_["ctl1"]->core->HandleRequest("admin", RequestBytes(t, 0, ++rid_));
  int64_t waited = 0;
  while (Active() != "ctl2" && waited < 3000) {
    Step();
    waited += 10;
  }
  ASSERT_EQ(Active(), "ctl2");
  EXPECT_LT(waited, 1000);
  EXPECT_NE(ctls_["ctl2"]->core->state().FindJob(id), nullptr);
  EXPECT_NE(SubmitOk("ctl2"), 0u);
}

// Votes, records and snapshots are accepted only from controllers (root or the daemons'
// user); a user cannot inject journal records or depose the active.
TEST_F(HaPair, VoterMessagesFromUsersAreRefused) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  const uint64_t epoch = ctls_["ctl2"]->core->epoch();
  proto::VoteRequest vote;
  vote.epoch = epoch + 5;
  vote.candidate = "ctl1";
  proto::AppendRequest append;
  append.epoch = epoch + 5;
  append.leader = "mallory";
  append.records.push_back({ctls_["ctl2"]->store.LastSeq() + 1, 1, "garbage"});
  for (const std::string& bytes :
       {RequestBytes(vote, 1000, ++rid_), RequestBytes(append, 1000, ++rid_)}) {
    client_replies_["ctl2"].clear();
    ctls_["ctl2"]->core->HandleRequest("client", bytes);
    Step();
    ASSERT_EQ(client_replies_["ctl2"].size(), 1u);
    auto f =
        proto::DecodeFrame(client_replies_["ctl2"][0].data(), client_replies_["ctl2"][0].size());
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(proto::ReplyStatus(*f).code(), Code::kPermissionDenied);
  }
  EXPECT_EQ(ctls_["ctl2"]->core->epoch(), epoch);
  Run(1000);
  EXPECT_EQ(Active(), "ctl1");
}

// The passive says how far behind it is, as far as the active told it.
TEST_F(HaPair, PassiveReportsHowFarBehindItIs) {
  ASSERT_TRUE(RunUntilActive(5000));
  Run(500);
  Ctl& passive = *ctls_["ctl2"];
  proto::HaStatusReply r = passive.core->ha().StatusReport(passive.store.LastSeq());
  EXPECT_EQ(r.role, "passive");
  EXPECT_EQ(r.active, "ctl1");
  EXPECT_EQ(r.behind_records, 0u);
  EXPECT_LT(r.behind_ms, 1000);
  // The active announces records the passive has not received (they were lost).
  proto::AppendRequest ahead;
  ahead.epoch = passive.core->epoch();
  ahead.leader = "ctl1";
  ahead.leader_addr = "tcp://ctl1";
  ahead.prev_seq = passive.store.LastSeq() + 5;
  passive.core->HandleRequest("voter:ctl1:0", RequestBytes(ahead, 0, ++rid_));
  r = passive.core->ha().StatusReport(passive.store.LastSeq());
  EXPECT_EQ(r.behind_records, 5u);
}

}  // namespace
}  // namespace herd::ctld
