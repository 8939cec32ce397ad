// herd — a controller core in memory with a fake authenticator, for tests that drive
// it request by request.
#pragma once

#include <unistd.h>

#include <memory>
#include <set>
#include <vector>

#include "common/base/fs.h"
#include "controller/core.h"
#include "controller/store/memory_state_store.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {

using testing::FakeAuth;
using testing::RequestBytes;
using testing::TestConfig;

// `Base`: the gtest fixture under it (a parameterized one for tests that need a parameter).
template <class Base = ::testing::Test>
class CoreTestOn : public Base {
 protected:
  CoreTestOn() : cfg_(TestConfig()) {
    char tmpl[] = "/tmp/herd-core-XXXXXX";
    dir_ = mkdtemp(tmpl);
    blobs_ = std::make_unique<BlobStore>(dir_ + "/jobs");
    EXPECT_TRUE(blobs_->Init().ok());
    Restart();
  }
  ~CoreTestOn() override { (void)RemoveTree(dir_); }

  void Restart() {
    core_.reset();
    core_ = std::make_unique<ControllerCore>(cfg_, clock_, store_, *blobs_, auth_, "tcp://c:1");
    BeforeRecover();
    ASSERT_TRUE(core_->Recover().ok());
  }
  // Called by Restart() between making the core and its Recover() (the constructor's call
  // does not reach an override).
  virtual void BeforeRecover() {}

  template <class Rep, class Req>
  Result<Rep> Call(const Req& req, uint32_t uid = 0) {
    core_->HandleRequest("peer", RequestBytes(req, uid, ++rid_));
    last_ = core_->Flush();
    EXPECT_TRUE(last_.status.ok());
    for (auto& m : last_.node_messages) sent_.push_back(m);
    if (last_.replies.empty()) return Internal("no reply");
    auto f =
        proto::DecodeFrame(last_.replies.back().bytes.data(), last_.replies.back().bytes.size());
    EXPECT_EQ(f->request_id, rid_);
    Status st = proto::ReplyStatus(*f);
    if (!st.ok()) return st;
    return proto::DecodeBody<Rep>(f->body);
  }

  void RegisterOne(const std::string& name) {
    const NodeConfig* n = cfg_.FindNode(name);
    ASSERT_NE(n, nullptr);
    proto::RegisterNodeRequest r;
    r.name = n->name;
    r.hw.cpus = n->cpus;
    r.hw.memory_mb = n->real_memory_mb;
    r.boot_time = 1;
    ASSERT_TRUE((Call<proto::RegisterNodeReply>(r).ok()));
  }
  void RegisterAllExcept(const std::string& skip) {
    for (const auto& n : cfg_.nodes) {
      if (n.name != skip) RegisterOne(n.name);
    }
  }

  // `with_runs`: each node reports the batch steps the state has running on it (as after a
  // controller restart).
  void RegisterAll(bool with_runs = false) {
    for (const auto& n : cfg_.nodes) {
      proto::RegisterNodeRequest r;
      r.name = n.name;
      r.hw.cpus = n.cpus;
      r.hw.memory_mb = n.real_memory_mb;
      r.boot_time = 1;
      for (const auto& [id, j] : core_->state().jobs()) {
        if (with_runs && j.state == JobState::kRunning && j.alloc.front().node == n.name) {
          r.steps.push_back({id, proto::kBatchStep, j.run_seq, false, 0});
        }
      }
      ASSERT_TRUE((Call<proto::RegisterNodeReply>(r).ok()));
    }
  }

  uint64_t Submit(proto::JobSpec spec, uint32_t uid = 0) {
    proto::SubmitJobRequest r;
    r.spec = std::move(spec);
    auto rep = Call<proto::SubmitJobReply>(r, uid);
    EXPECT_TRUE(rep.ok()) << rep.error().message();
    return rep.ok() ? rep->job_id : 0;
  }

  Status Complete(uint64_t id, int wait_status, uint32_t uid = 0) {
    const Job* j = core_->state().FindJob(id);
    proto::StepCompleteRequest r;
    r.node = j->alloc.front().node;
    r.step = {id, proto::kBatchStep, j->run_seq, true, wait_status};
    return Call<proto::StatusReply>(r, uid).status();
  }

  JobState StateOf(uint64_t id) { return core_->state().FindJob(id)->state; }

  // The job as hqueue and hcontrol show it.
  proto::JobInfo InfoOf(uint64_t id) {
    proto::QueryJobsRequest q;
    q.filter.job_ids = {id};
    auto rep = Call<proto::QueryJobsReply>(q);
    EXPECT_TRUE(rep.ok() && rep->jobs.size() == 1u);
    return rep.ok() && rep->jobs.size() == 1u ? rep->jobs[0] : proto::JobInfo{};
  }

  // The node's answer to a message the core sent it, then a flush.
  void AnswerNode(const OutMsg& m, const Status& st) {
    auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
    ASSERT_TRUE(f.ok());
    core_->HandleNodeReply(m.node, proto::EncodeFrame(proto::MakeStatusFrame(st, f->request_id)));
    last_ = core_->Flush();
    for (auto& out : last_.node_messages) sent_.push_back(out);
  }
  // Messages of `type` sent so far.
  std::vector<OutMsg> SentOfType(proto::MsgType type) const {
    std::vector<OutMsg> out;
    for (const OutMsg& m : sent_) {
      auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
      if (f.ok() && f->type == type) out.push_back(m);
    }
    return out;
  }
  // The nodes a TerminateJobRequest for `id` went to.
  std::set<size_t> TerminatedOn(uint64_t id) const {
    std::set<size_t> nodes;
    for (const OutMsg& m : SentOfType(proto::MsgType::kTerminateJobRequest)) {
      auto f = proto::DecodeFrame(m.bytes.data(), m.bytes.size());
      auto req = proto::DecodeBody<proto::TerminateJobRequest>(f->body);
      if (req.ok() && req->job_id == id) nodes.insert(m.node);
    }
    return nodes;
  }
  // Advances the clock by `ms` in steps of a second, ticking and flushing, while the nodes
  // in `alive` heartbeat.
  void RunFor(int64_t ms, const std::vector<std::string>& alive) {
    for (int64_t done = 0; done < ms; done += 1000) {
      clock_.Advance(1000);
      for (const std::string& n : alive) {
        proto::HeartbeatRequest hb{n, 1, 1};
        (void)Call<proto::StatusReply>(hb);
      }
      core_->Tick();
      last_ = core_->Flush();
      for (auto& out : last_.node_messages) sent_.push_back(out);
    }
  }

  ClusterConfig cfg_;
  ManualClock clock_;
  MemoryStateStore store_;
  FakeAuth auth_;
  std::string dir_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<ControllerCore> core_;
  FlushResult last_;
  std::vector<OutMsg> sent_;
  uint64_t rid_ = 0;
};

using CoreTest = CoreTestOn<>;

}  // namespace herd::ctld
