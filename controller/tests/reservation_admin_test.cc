// herd — advance reservations through the controller core: create, update, delete and show
// with Slurm's refusals, admins only and audited; --reservation checked at submission; a
// job inside runs on its nodes, others keep off them; kept across a restart (journal and
// checkpoint); an ended reservation is forgotten.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using KVs = std::vector<std::pair<std::string, std::string>>;

class ResvAdminTest : public CoreTestOn<> {
 protected:
  Result<proto::StatusReply> Change(proto::ResvOp op, const std::string& name, const KVs& kvs,
                                    uint32_t uid = 0) {
    proto::UpdateReservationRequest r;
    r.op = op;
    r.name = name;
    for (const auto& kv : kvs) {
      r.keys.push_back(kv.first);
      r.values.push_back(kv.second);
    }
    return Call<proto::StatusReply>(r, uid);
  }
  Status Create(const KVs& kvs, const std::string& name = "") {
    return Change(proto::ResvOp::kCreate, name, kvs).status();
  }
  std::string At(int64_t from_now) { return std::to_string(clock_.NowSeconds() + from_now); }
  Result<proto::SubmitJobReply> SubmitIn(const std::string& resv, int64_t limit, uint32_t uid = 0,
                                         uint32_t tasks = 1) {
    proto::SubmitJobRequest r;
    r.spec = testing::SimpleSpec();
    r.spec.reservation = resv;
    r.spec.time_limit_s = limit;
    r.spec.num_tasks = tasks;
    return Call<proto::SubmitJobReply>(r, uid);
  }
  std::vector<std::string> NodesOf(uint64_t id) {
    std::vector<std::string> out;
    for (const NodeAlloc& a : core_->state().FindJob(id)->alloc) out.push_back(a.node);
    return out;
  }
};

TEST_F(ResvAdminTest, CreateRefusedAsSlurmRefusesIt) {
  RegisterAll();
  const KVs base = {{"StartTime", "now"}, {"Duration", "1"}, {"Nodes", "n1"}};
  auto with = [&](KVs extra) {
    KVs kv = base;
    for (auto& e : extra) kv.push_back(std::move(e));
    return kv;
  };
  EXPECT_EQ(Create(base).message(), "Either Users and/or Accounts must be specified");
  EXPECT_EQ(Create(with({{"Users", "root"}, {"Nodes", "n9"}})).message(),
            "Invalid node name specified: n9");
  EXPECT_EQ(Create(with({{"Users", "no-such-user-here"}})).code(), Code::kInvalidArgument);
  EXPECT_EQ(Create(with({{"Accounts", "nosuchaccount"}})).code(), Code::kInvalidArgument);
  EXPECT_EQ(Create(with({{"Users", "root"}, {"Flags", "OVERLAP"}})).code(), Code::kInvalidArgument);
  EXPECT_EQ(Create(with({{"Users", "root"}, {"PartitionName", "nope"}})).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Create({{"StartTime", "now"}, {"Nodes", "n1"}, {"Users", "root"}}).message(),
            "Duration or EndTime must be specified");
  EXPECT_EQ(Create(with({{"Users", "root"}, {"Users", "root,-nobody"}})).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(Change(proto::ResvOp::kCreate, "", with({{"Users", "root"}}), 1000).status().code(),
            Code::kPermissionDenied);
  // The first one, named as Slurm names it: the first user and the creation's number.
  auto first = Change(proto::ResvOp::kCreate, "", with({{"Users", "root"}}));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->message, "root_1");
  EXPECT_EQ(Create(with({{"Users", "root"}, {"StartTime", At(30)}})).message(),
            "Requested reservation overlaps with another reservation");
  EXPECT_EQ(Create(with({{"Users", "root"}}), "root_1").code(), Code::kAlreadyExists);
  // MAINT may overlap; a later window on the same node does not overlap.
  EXPECT_TRUE(Create(with({{"Users", "root"}, {"Flags", "MAINT"}})).ok());
  EXPECT_TRUE(Create(with({{"Users", "root"}, {"StartTime", At(60)}})).ok());
  // A running job on the nodes for the window: refused without IGNORE_JOBS.
  auto job = SubmitIn("", 3600);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(StateOf(job->job_id), JobState::kRunning);
  const std::string on = NodesOf(job->job_id)[0];
  EXPECT_EQ(on, "n2");
  EXPECT_EQ(
      Create({{"StartTime", At(600)}, {"Duration", "10"}, {"Nodes", on}, {"Users", "root"}}).code(),
      Code::kFailedPrecondition);
  EXPECT_TRUE(Create({{"StartTime", At(600)},
                      {"Duration", "10"},
                      {"Nodes", on},
                      {"Users", "root"},
                      {"Flags", "IGNORE_JOBS"}})
                  .ok());
  // NodeCnt= picks free nodes: n1 and n2 are taken at that time, n3 is not.
  auto picked =
      Change(proto::ResvOp::kCreate, "cnt",
             {{"StartTime", "now"}, {"Duration", "5"}, {"NodeCnt", "1"}, {"Users", "root"}});
  ASSERT_TRUE(picked.ok()) << picked.status().message();
  EXPECT_EQ(core_->state().FindReservation("cnt")->nodes, std::vector<std::string>{"n3"});
}

TEST_F(ResvAdminTest, UpdateShowDeleteAndAudit) {
  RegisterAll();
  ASSERT_TRUE(
      Create({{"StartTime", At(100)}, {"Duration", "30"}, {"Nodes", "n[1-2]"}, {"Users", "root"}},
             "maint")
          .ok());
  ASSERT_TRUE(
      Change(proto::ResvOp::kUpdate, "maint", {{"Duration", "60"}, {"Flags", "+MAINT"}}).ok());
  const proto::Reservation* r = core_->state().FindReservation("maint");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->end - r->start, 3600);
  EXPECT_EQ(r->flags, uint32_t{proto::kResvMaint | proto::kResvSpecNodes});
  EXPECT_EQ(Change(proto::ResvOp::kUpdate, "nosuch", {{"Duration", "60"}}).status().message(),
            "Requested reservation is invalid");
  EXPECT_EQ(Change(proto::ResvOp::kUpdate, "maint", {{"Duration", "60"}}, 1000).status().code(),
            Code::kPermissionDenied);
  proto::QueryReservationsRequest q;
  auto all = Call<proto::QueryReservationsReply>(q);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->reservations.size(), 1u);
  EXPECT_EQ(all->cpus, std::vector<uint64_t>{8});
  q.name = "other";
  EXPECT_EQ(Call<proto::QueryReservationsReply>(q).status().code(), Code::kNotFound);
  ASSERT_TRUE(Change(proto::ResvOp::kDelete, "maint", {}).ok());
  EXPECT_EQ(Change(proto::ResvOp::kDelete, "maint", {}).status().message(),
            "Requested reservation is invalid");
  proto::QueryAuditRequest a;
  a.entity = "reservation";
  auto audit = Call<proto::QueryAuditReply>(a);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->records.size(), 3u);
  EXPECT_EQ(audit->records[0].action, "create");
  EXPECT_EQ(audit->records[1].action, "update");
  EXPECT_EQ(audit->records[2].action, "delete");
  EXPECT_EQ(audit->records[2].entity, "reservation=maint");
}

TEST_F(ResvAdminTest, JobsInsideAndOutsideAcrossARestart) {
  RegisterAll();
  ASSERT_TRUE(
      Create({{"StartTime", At(5)}, {"Duration", "1"}, {"Nodes", "n1"}, {"Users", "root"}}, "r")
          .ok());
  EXPECT_EQ(SubmitIn("nosuch", 60).status().message(), "Requested reservation is invalid");
  EXPECT_EQ(SubmitIn("r", 60, 1000).status().message(), "Access denied to requested reservation");
  auto inside = SubmitIn("r", 30);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(StateOf(inside->job_id), JobState::kPending) << "its window has not begun";
  // Four one-node jobs that would overlap the window: three run off n1, one waits.
  std::vector<uint64_t> out;
  for (int i = 0; i < 4; ++i) {
    auto j = SubmitIn("", 600, 0, 4);
    ASSERT_TRUE(j.ok());
    out.push_back(j->job_id);
  }
  for (int i = 0; i < 3; ++i) EXPECT_NE(NodesOf(out[static_cast<size_t>(i)])[0], "n1");
  EXPECT_EQ(StateOf(out[3]), JobState::kPending);
  // kill -9: the journal alone, then the checkpoint.
  Restart();
  ASSERT_NE(core_->state().FindReservation("r"), nullptr);
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());
  Restart();
  ASSERT_NE(core_->state().FindReservation("r"), nullptr);
  EXPECT_EQ(core_->state().next_resv_id(), 2u);
  RegisterAll(true);
  RunFor(6000, {"n1", "n2", "n3", "n4"});
  EXPECT_EQ(StateOf(inside->job_id), JobState::kRunning);
  EXPECT_EQ(NodesOf(inside->job_id), std::vector<std::string>{"n1"});
  EXPECT_EQ(StateOf(out[3]), JobState::kPending);
  // Past its end it is forgotten (journaled), and n1 is anyone's.
  RunFor(61000, {"n1", "n2", "n3", "n4"});
  EXPECT_EQ(core_->state().FindReservation("r"), nullptr);
}

}  // namespace
}  // namespace herd::ctld
