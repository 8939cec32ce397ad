// herd — the controller core and lost nodes: launch confirmations are journaled, so that a
// job is never launched again where it may have run; a node that heartbeats but cannot
// register (fenced) goes DOWN with the reason and comes back through --min-epoch; a run a
// node stopped for its lease is requeued.
#include <csignal>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;
using testing::SimpleSpec;

class LivenessTest : public CoreTest {
 protected:
  // A request as node daemons send it: the envelope's epoch is the highest they have seen.
  template <class Req>
  Status NodeCall(const Req& req, uint64_t seen_epoch) {
    proto::Frame f = proto::MakeFrame(req, ++rid_);
    f.auth = "uid:0";
    f.epoch = seen_epoch;
    core_->HandleRequest("peer", proto::EncodeFrame(f));
    last_ = core_->Flush();
    for (auto& m : last_.node_messages) sent_.push_back(m);
    if (last_.replies.empty()) return Internal("no reply");
    const std::string& b = last_.replies.back().bytes;
    auto rep = proto::DecodeFrame(b.data(), b.size());
    return rep.ok() ? proto::ReplyStatus(*rep) : rep.error();
  }
  proto::RegisterNodeRequest Registration(const std::string& name) {
    const NodeConfig* n = cfg_.FindNode(name);
    proto::RegisterNodeRequest r;
    r.name = n->name;
    r.hw.cpus = n->cpus;
    r.hw.memory_mb = n->real_memory_mb;
    r.boot_time = 1;
    return r;
  }
  const NodeRecord& Node(const std::string& name) { return *core_->state().FindNode(name); }
};

// Item: a --no-requeue job ran twice after a node reboot plus a controller restart. The
// confirmation of its launch is journaled; the node that lost the run does not get it again.
TEST_F(LivenessTest, ConfirmedLaunchIsNotSentAgainAfterRestart) {
  RegisterAll();
  proto::JobSpec spec = SimpleSpec("sleep 100");
  spec.requeue = false;
  uint64_t id = Submit(spec);
  auto launches = SentOfType(MsgType::kLaunchBatchRequest);
  ASSERT_EQ(launches.size(), 1u);
  const std::string host = core_->state().FindJob(id)->alloc.front().node;
  AnswerNode(launches[0], Status::Ok());
  EXPECT_TRUE(core_->state().FindJob(id)->launch_confirmed);
  Restart();
  EXPECT_TRUE(core_->state().FindJob(id)->launch_confirmed) << "journaled";
  sent_.clear();
  ASSERT_TRUE((Call<proto::RegisterNodeReply>(Registration(host)).ok()));  // rebooted: no steps
  RunFor(2000, {host});
  EXPECT_TRUE(SentOfType(MsgType::kLaunchBatchRequest).empty()) << "launched a second time";
  EXPECT_EQ(StateOf(id), JobState::kFailed);
  EXPECT_EQ(std::string(core_->state().FindJob(id)->reason), "batch step lost on " + host);
  EXPECT_EQ(core_->state().FindJob(id)->restarts, 0u);
}

// A launch that was sent but never confirmed may have run on a node that then lost it: a
// job that may not be requeued ends instead of being launched again; one that may be
// requeued is launched again.
TEST_F(LivenessTest, UnconfirmedLaunchIsSentAgainOnlyWhenTheJobMayRunTwice) {
  RegisterAll();
  proto::JobSpec once = SimpleSpec("sleep 100");
  once.requeue = false;
  uint64_t no_requeue = Submit(once);
  uint64_t requeue = Submit(SimpleSpec("sleep 100"));
  ASSERT_EQ(SentOfType(MsgType::kLaunchBatchRequest).size(), 2u);
  Restart();
  sent_.clear();
  RegisterAll();
  RunFor(1000, {});
  EXPECT_EQ(StateOf(no_requeue), JobState::kNodeFail);
  EXPECT_NE(std::string(core_->state().FindJob(no_requeue)->reason).find("may have run"),
            std::string::npos)
      << core_->state().FindJob(no_requeue)->reason;
  EXPECT_EQ(StateOf(requeue), JobState::kRunning);
  auto again = SentOfType(MsgType::kLaunchBatchRequest);
  ASSERT_EQ(again.size(), 1u);
  auto f = proto::DecodeFrame(again[0].bytes.data(), again[0].bytes.size());
  EXPECT_EQ(proto::DecodeBody<proto::LaunchBatchRequest>(f->body)->job_id, requeue);
}

// A node that reports the run at registration confirms it too.
TEST_F(LivenessTest, ReportedRunConfirmsTheLaunch) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("sleep 100"));
  const Job* j = core_->state().FindJob(id);
  const std::string host = j->alloc.front().node;
  proto::RegisterNodeRequest r = Registration(host);
  r.steps.push_back({id, proto::kBatchStep, j->run_seq, false, 0});
  Restart();
  ASSERT_TRUE((Call<proto::RegisterNodeReply>(r).ok()));
  EXPECT_TRUE(core_->state().FindJob(id)->launch_confirmed);
  Restart();
  EXPECT_TRUE(core_->state().FindJob(id)->launch_confirmed);
}

// Item: a node that heartbeats but never registers used to stay unknown forever. Its
// heartbeats count as signs of life only while its lease may run (NodeLease, 10 s here,
// since the last contact: the restart); then it goes DOWN, with a reason.
TEST_F(LivenessTest, NodeThatKeepsFailingToRegisterGoesDown) {
  RegisterAll();
  Restart();  // every node must register again
  RegisterAllExcept("n2");
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(1000);
    proto::HeartbeatRequest hb{"n2", 1, 1};
    EXPECT_EQ(NodeCall(hb, 0).code(), Code::kNotFound);
    core_->Tick();
    (void)core_->Flush();
  }
  EXPECT_FALSE(Node("n2").admin_down) << "a takeover's registrations get time";
  for (int i = 0; i < 8; ++i) {
    clock_.Advance(1000);
    proto::HeartbeatRequest hb{"n2", 1, 1};
    (void)NodeCall(hb, 0);
    for (const char* other : {"n1", "n3", "n4"}) {
      (void)NodeCall(proto::HeartbeatRequest{other, 1, 1}, 0);
    }
    core_->Tick();
    (void)core_->Flush();
  }
  EXPECT_FALSE(Node("n2").admin_down) << "12 s: heartbeats counted until 10 s";
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(1000);
    proto::HeartbeatRequest hb{"n2", 1, 1};
    (void)NodeCall(hb, 0);
    for (const char* other : {"n1", "n3", "n4"})
      (void)NodeCall(proto::HeartbeatRequest{other, 1, 1}, 0);
    core_->Tick();
    (void)core_->Flush();
  }
  EXPECT_TRUE(Node("n2").admin_down);
  EXPECT_EQ(Node("n2").reason, "Not responding: heartbeats but does not register");
  EXPECT_FALSE(Node("n1").admin_down);
  // It registers at last: back in service.
  ASSERT_TRUE((Call<proto::RegisterNodeReply>(Registration("n2")).ok()));
  EXPECT_FALSE(Node("n2").admin_down);
}

// Item: nodes fenced by a controller that lost its state. The node's requests carry the
// highest epoch it has seen: the controller refuses to half-register it, shows why, puts
// its job's fate on the lease clock, and takes it back when restarted with --min-epoch.
TEST_F(LivenessTest, FencedNodeIsShownDownAndComesBackWithMinEpoch) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("sleep 100"));
  const std::string host = core_->state().FindJob(id)->alloc.front().node;
  const uint64_t seen = core_->epoch() + 40;
  proto::HeartbeatRequest hb{host, 1, 1};
  Status st = NodeCall(hb, seen);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_NE(st.message().find("epoch " + std::to_string(seen)), std::string::npos) << st.message();
  EXPECT_EQ(NodeCall(Registration(host), seen).code(), Code::kFailedPrecondition);
  EXPECT_FALSE(Node(host).registered);
  std::vector<std::string> others;
  for (const auto& n : cfg_.nodes) {
    if (n.name != host) others.push_back(n.name);
  }
  for (int i = 0; i < 12; ++i) {
    clock_.Advance(1000);
    (void)NodeCall(hb, seen);
    for (const auto& o : others) (void)NodeCall(proto::HeartbeatRequest{o, 1, 1}, 0);
    core_->Tick();
    (void)core_->Flush();
  }
  EXPECT_TRUE(Node(host).admin_down);
  EXPECT_NE(
      Node(host).reason.find("Fenced: node has seen controller epoch " + std::to_string(seen)),
      std::string::npos)
      << Node(host).reason;
  proto::QueryNodesRequest q;
  auto nodes = Call<proto::QueryNodesReply>(q);
  ASSERT_TRUE(nodes.ok());
  bool shown = false;
  for (const auto& n : nodes->nodes) {
    if (n.name == host) shown = n.reason.find("--min-epoch") != std::string::npos;
  }
  EXPECT_TRUE(shown) << "hinfo -R / hcontrol show node say why";
  // The job is not left RUNNING forever: once the node's lease has surely run out (it
  // stopped the job itself: no answer it accepts), it is requeued.
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(1000);
    for (const auto& o : others) (void)NodeCall(proto::HeartbeatRequest{o, 1, 1}, 0);
    core_->Tick();
    (void)core_->Flush();
  }
  EXPECT_EQ(core_->state().FindJob(id)->restarts, 1u);

  // The admin step: herdctld --min-epoch.
  core_ = std::make_unique<ControllerCore>(cfg_, clock_, store_, *blobs_, auth_, "tcp://c:1");
  core_->set_min_epoch(seen);
  ASSERT_TRUE(core_->Recover().ok());
  EXPECT_GT(core_->epoch(), seen);
  EXPECT_TRUE(NodeCall(Registration(host), seen).ok());
  EXPECT_TRUE(Node(host).registered);
  EXPECT_FALSE(Node(host).admin_down) << "ReturnToService=1";
}

// A node that stopped a run for its lease reports it so: the run is lost with the node
// (requeued), not failed.
TEST_F(LivenessTest, RunStoppedForTheLeaseIsRequeued) {
  RegisterAll();
  uint64_t id = Submit(SimpleSpec("sleep 100"));
  const Job* j = core_->state().FindJob(id);
  proto::StepCompleteRequest r;
  r.node = j->alloc.front().node;
  r.step = {id, proto::kBatchStep, j->run_seq, true, SIGTERM};
  r.message = proto::kNodeLeaseExpired;
  ASSERT_TRUE(Call<proto::StatusReply>(r).ok());
  EXPECT_EQ(core_->state().FindJob(id)->restarts, 1u);
  EXPECT_EQ(core_->state().FindJob(id)->run_seq, 2u) << "started again";
}

}  // namespace
}  // namespace herd::ctld
