// herd — associations: the tree's rules, sacctmgr's settings, hacctmgr's requests through
// the controller core with their refusals, and what a restart (journal replay and
// checkpoint) and a checkpoint of the previous version keep.
#include <gtest/gtest.h>

#include <boost/serialization/deque.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/vector.hpp>
#include <string>

#include "common/proto/codec.h"
#include "controller/state/assoc_keys.h"
#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::AssocKind;
using proto::AssocOp;

TEST(AssocTree, RootUserAndNormalQosExistFromTheStart) {
  AssocTree t;
  ASSERT_NE(t.FindAccount("root"), nullptr);
  EXPECT_EQ(t.Parent("root"), "");
  EXPECT_EQ(t.DefaultAccount("root"), "root");
  EXPECT_TRUE(t.MayUse("root", "root"));
  ASSERT_NE(t.FindQos("normal"), nullptr);
  EXPECT_EQ(t.QosPriority("normal"), 0u);
}

TEST(AssocTree, RefusesWhatDoesNotFitAndDeletesAnAccountFromItsUsers) {
  AssocTree t;
  AssocDefined a;
  a.account.name = "physics";
  a.account.parent = "nosuch";
  EXPECT_EQ(t.Apply(a).code(), Code::kFailedPrecondition);
  a.account.parent = "root";
  a.account.fairshare = 10;
  ASSERT_TRUE(t.Apply(a).ok());
  a.account.name = "chem";
  a.account.parent = "physics";
  ASSERT_TRUE(t.Apply(a).ok());
  EXPECT_EQ(t.Parent("chem"), "physics");
  EXPECT_EQ(t.Shares("physics"), 10u);
  EXPECT_EQ(t.Depth("chem"), 2u);
  // physics under chem would be a cycle.
  AssocDefined cycle;
  cycle.account = *t.FindAccount("physics");
  cycle.account.parent = "chem";
  EXPECT_EQ(t.Apply(cycle).code(), Code::kFailedPrecondition);
  EXPECT_EQ(t.Parent("physics"), "root");

  AssocDefined u;
  u.kind = AssocKind::kUser;
  u.user.name = "bob";
  u.user.default_account = "physics";
  u.user.accounts["nosuch"] = {};
  EXPECT_EQ(t.Apply(u).code(), Code::kFailedPrecondition);
  u.user.accounts = {{"physics", {}}, {"chem", {}}};
  ASSERT_TRUE(t.Apply(u).ok());
  EXPECT_EQ(t.DefaultAccount("bob"), "physics");
  EXPECT_EQ(t.Apply(AssocDeleted{AssocKind::kAccount, "physics"}).code(),
            Code::kFailedPrecondition);  // chem is under it
  ASSERT_TRUE(t.Apply(AssocDeleted{AssocKind::kAccount, "chem"}).ok());
  EXPECT_FALSE(t.MayUse("bob", "chem"));
  ASSERT_TRUE(t.Apply(AssocDeleted{AssocKind::kAccount, "physics"}).ok());
  EXPECT_EQ(t.FindUser("bob"), nullptr);  // no account left
  EXPECT_EQ(t.Apply(AssocDeleted{AssocKind::kAccount, "root"}).code(), Code::kFailedPrecondition);
}

TEST(AssocKeys, TresParsesMergesClearsAndPrintsAsSacctmgr) {
  auto t = ParseTres("cpu=4,mem=2G,node=1", {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->at("mem"), 2048);
  EXPECT_EQ(proto::FormatTres(*t), "cpu=4,mem=2G,node=1");
  auto u = ParseTres("mem=-1,gres/gpu=2,cpu=8", *t);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(proto::FormatTres(*u), "cpu=8,node=1,gres/gpu=2");
  EXPECT_EQ(proto::FormatTres(*ParseTres("mem=1000", {})), "mem=1000M");
  EXPECT_FALSE(ParseTres("energy=3", {}).ok());
  EXPECT_FALSE(ParseTres("cpu=x", {}).ok());
  EXPECT_FALSE(ParseTres("cpu", {}).ok());
}

TEST(AssocKeys, LimitsWithSacctmgrNamesAndMinusOneClears) {
  proto::QosRecord q;
  ASSERT_TRUE(ApplyQosKey(&q, "MaxJobsPerUser", "2").ok());
  ASSERT_TRUE(ApplyQosKey(&q, "maxsubmitpu", "3").ok());
  ASSERT_TRUE(ApplyQosKey(&q, "MaxWall", "1:00:00").ok());
  ASSERT_TRUE(ApplyQosKey(&q, "GrpTRES", "cpu=8").ok());
  ASSERT_TRUE(ApplyQosKey(&q, "Priority", "100").ok());
  EXPECT_EQ(q.limits.max_jobs, 2);
  EXPECT_EQ(q.limits.max_submit, 3);
  EXPECT_EQ(q.limits.max_wall_s, 3600);
  EXPECT_EQ(q.priority, 100u);
  ASSERT_TRUE(ApplyQosKey(&q, "MaxWall", "-1").ok());
  EXPECT_EQ(q.limits.max_wall_s, proto::kNoLimit);
  EXPECT_EQ(ApplyQosKey(&q, "MaxJobs", "2").code(), Code::kNotFound);  // per user for a QOS
  EXPECT_EQ(ApplyQosKey(&q, "Colour", "red").code(), Code::kNotFound);
  EXPECT_EQ(ApplyQosKey(&q, "GrpJobs", "many").code(), Code::kInvalidArgument);
  proto::AccountRecord a;
  ASSERT_TRUE(ApplyAccountKey(&a, "GrpJobs", "1").ok());
  ASSERT_TRUE(ApplyAccountKey(&a, "MaxTRESPerJob", "node=2").ok());
  ASSERT_TRUE(ApplyAccountKey(&a, "Fairshare", "7").ok());
  EXPECT_EQ(a.limits.grp_jobs, 1);
  EXPECT_EQ(a.limits.max_tres_per_job.at("node"), 2);
  EXPECT_EQ(a.fairshare, 7u);
}

class AssocCoreTest : public CoreTestOn<> {
 protected:
  Result<std::vector<std::string>> Update(AssocOp op, AssocKind kind,
                                          std::vector<std::string> names,
                                          std::vector<std::pair<std::string, std::string>> kv,
                                          uint32_t uid = 0) {
    proto::AssocUpdateRequest r;
    r.op = op;
    r.kind = kind;
    r.names = std::move(names);
    for (const auto& p : kv) {
      r.keys.push_back(p.first);
      r.values.push_back(p.second);
    }
    auto rep = Call<proto::AssocUpdateReply>(r, uid);
    if (!rep.ok()) return rep.error();
    return rep->changed;
  }
  proto::QueryAssocReply List() {
    auto rep = Call<proto::QueryAssocReply>(proto::QueryAssocRequest{}, 1000);
    EXPECT_TRUE(rep.ok());
    return rep.ok() ? *rep : proto::QueryAssocReply{};
  }
  const AssocTree& tree() { return core_->state().assoc(); }
};

TEST_F(AssocCoreTest, AddModifyDeleteWithSacctmgrRefusals) {
  EXPECT_EQ(Update(AssocOp::kAdd, AssocKind::kAccount, {"physics"}, {}, 1000).error().code(),
            Code::kPermissionDenied);
  auto added = Update(AssocOp::kAdd, AssocKind::kAccount, {"Physics"},
                      {{"Description", "phys dept"}, {"fairshare", "10"}});
  ASSERT_TRUE(added.ok()) << added.error().message();
  EXPECT_EQ(*added, std::vector<std::string>{"physics"});
  EXPECT_TRUE(Update(AssocOp::kAdd, AssocKind::kAccount, {"physics"}, {})->empty());
  ASSERT_TRUE(Update(AssocOp::kAdd, AssocKind::kAccount, {"chem"}, {{"parent", "physics"}}).ok());
  const proto::AccountRecord* chem = tree().FindAccount("chem");
  ASSERT_NE(chem, nullptr);
  EXPECT_EQ(chem->description, "chem");
  EXPECT_EQ(chem->organization, "physics");
  auto bad = Update(AssocOp::kAdd, AssocKind::kUser, {"bob"}, {{"account", "nosuch"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("This account 'nosuch' doesn't exist."), std::string::npos);
  auto bob = Update(AssocOp::kAdd, AssocKind::kUser, {"bob"}, {{"account", "physics"}});
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(*bob, std::vector<std::string>{"U = bob       A = physics    C = test      "});
  EXPECT_EQ(tree().DefaultAccount("bob"), "physics");
  auto unknown = Update(AssocOp::kAdd, AssocKind::kQos, {"high"}, {{"foo", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("Unknown option: foo=1"), std::string::npos);
  ASSERT_TRUE(Update(AssocOp::kAdd, AssocKind::kQos, {"high"}, {{"priority", "100"}}).ok());
  EXPECT_EQ(tree().QosPriority("high"), 100u);
  EXPECT_EQ(tree().FindQos("high")->id, 2u);

  auto set = Update(AssocOp::kModify, AssocKind::kQos, {"high"},
                    {{"GrpJobs", "1"}, {"MaxTRESPerJob", "cpu=4,mem=2G"}});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(tree().FindQos("high")->limits.grp_jobs, 1);
  auto def = Update(AssocOp::kModify, AssocKind::kUser, {"bob"}, {{"defaultaccount", "chem"}});
  ASSERT_FALSE(def.ok());
  EXPECT_NE(def.error().message().find("aren't associated with new default account 'chem'"),
            std::string::npos);
  auto limits = Update(AssocOp::kModify, AssocKind::kUser, {"bob"}, {{"MaxJobs", "3"}});
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(*limits,
            std::vector<std::string>{"C = test       A = physics              U = bob      "});
  EXPECT_TRUE(Update(AssocOp::kModify, AssocKind::kUser, {"nosuch"}, {{"MaxJobs", "3"}})->empty());
  auto parent = Update(AssocOp::kModify, AssocKind::kAccount, {"physics"}, {{"parent", "chem"}});
  EXPECT_FALSE(parent.ok());

  EXPECT_FALSE(Update(AssocOp::kDelete, AssocKind::kAccount, {"physics"}, {}).ok());
  EXPECT_FALSE(Update(AssocOp::kDelete, AssocKind::kAccount, {"root"}, {}).ok());
  auto gone = Update(AssocOp::kDelete, AssocKind::kAccount, {"physics", "chem"}, {});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, (std::vector<std::string>{"chem", "physics"}));  // the child first
  EXPECT_EQ(tree().FindUser("bob"), nullptr);
  EXPECT_TRUE(Update(AssocOp::kDelete, AssocKind::kQos, {"nosuch"}, {})->empty());
  ASSERT_EQ(List().accounts.size(), 1u);
  EXPECT_EQ(List().qos.back().name, "high");
}

TEST_F(AssocCoreTest, KeptByJournalReplayAndByCheckpoint) {
  ASSERT_TRUE(Update(AssocOp::kAdd, AssocKind::kAccount, {"physics"}, {{"GrpJobs", "1"}}).ok());
  ASSERT_TRUE(Update(AssocOp::kAdd, AssocKind::kUser, {"bob"}, {{"account", "physics"}}).ok());
  ASSERT_TRUE(Update(AssocOp::kAdd, AssocKind::kQos, {"high"}, {{"Priority", "5"}}).ok());
  const proto::QueryAssocReply before = List();
  Restart();  // the journal alone
  EXPECT_EQ(tree().FindAccount("physics")->limits.grp_jobs, 1);
  ASSERT_TRUE(core_->MaybeCheckpoint(true).ok());
  Restart();  // the checkpoint
  const proto::QueryAssocReply after = List();
  EXPECT_EQ(after.accounts, before.accounts);
  EXPECT_EQ(after.users, before.users);
  EXPECT_EQ(after.qos, before.qos);
  ASSERT_TRUE(Update(AssocOp::kDelete, AssocKind::kUser, {"bob"}, {}).ok());
  Restart();  // checkpoint then journal
  EXPECT_EQ(tree().FindUser("bob"), nullptr);
  EXPECT_EQ(tree().QosPriority("high"), 5u);
}

// The checkpoint as version 1 wrote it (before associations), field for field.
struct SnapshotV1 {
  uint64_t next_job_id = 7;
  std::map<uint64_t, Job> jobs;
  std::vector<NodeRecord> nodes;
  std::map<std::string, PartitionRecord> partitions;
  std::set<std::string> deleted_partitions;
  std::deque<proto::AuditRecord> audit;
  uint64_t audit_seq = 3;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& next_job_id& jobs& nodes& partitions;
    ar& deleted_partitions& audit& audit_seq;
  }
};

}  // namespace
}  // namespace herd::ctld

BOOST_CLASS_VERSION(herd::ctld::SnapshotV1, 1)

namespace herd::ctld {
namespace {

TEST(AssocRecordVersions, CheckpointBeforeAssociationsReads) {
  ClusterConfig cfg = testing::TestConfig();
  ClusterState s(cfg);
  ASSERT_TRUE(s.Restore(proto::EncodeBody(SnapshotV1{})).ok());
  EXPECT_EQ(s.next_job_id(), 7u);
  EXPECT_EQ(s.assoc().accounts().size(), 1u);  // root alone
  EXPECT_EQ(s.assoc().DefaultAccount("root"), "root");
  ASSERT_NE(s.assoc().FindQos("normal"), nullptr);
}

}  // namespace
}  // namespace herd::ctld
