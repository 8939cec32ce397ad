// herd hacctmgr — accounts, users, QOS and associations: the commands' parsing, the
// messages after a change and the tables, against sacctmgr 22.05's output for the same
// tree (cluster "anchor": accounts physics and chem under it, user bob, QOS high).
#include "commands/hacctmgr/hacctmgr_assoc.h"

#include <gtest/gtest.h>

namespace herd::hacctmgr {
namespace {

using proto::AssocKind;
using proto::AssocOp;

proto::QueryAssocReply Tree() {
  proto::QueryAssocReply t;
  t.cluster = "anchor";
  proto::AccountRecord root{"root", "", "default root account", "root", 1, {}};
  proto::AccountRecord anchor{"anchor", "root", "anchor", "anchor", 1, {}};
  proto::AccountRecord physics{"physics", "root", "phys dept", "sci", 10, {}};
  physics.limits.grp_jobs = 2;
  physics.limits.max_wall_s = 600;
  proto::AccountRecord chem{"chem", "physics", "chem", "physics", 1, {}};
  t.accounts = {anchor, chem, physics, root};  // by name, as the controller sends them
  proto::UserRecord bob;
  bob.name = "bob";
  bob.default_account = "physics";
  bob.accounts["physics"] = {};
  proto::UserRecord user_root;
  user_root.name = "root";
  user_root.default_account = "anchor";
  user_root.accounts = {{"anchor", {}}, {"root", {}}};
  user_root.admin_level = "Administrator";
  t.users = {bob, user_root};
  proto::QosRecord normal;
  normal.id = 1;
  normal.name = "normal";
  proto::QosRecord high;
  high.id = 2;
  high.name = "high";
  high.priority = 100;
  high.limits.grp_jobs = 1;
  high.limits.max_jobs = 2;
  high.limits.max_tres_per_job = {{"cpu", 4}, {"mem", 2048}};
  t.qos = {normal, high};
  return t;
}

std::string List(Entity e, std::vector<std::string> words, Printing p = {}) {
  auto r = RenderList(e, words, Tree(), p);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : "";
}

TEST(HacctmgrAssoc, TablesAsSacctmgr) {
  EXPECT_EQ(List(Entity::kAccount, {}),
            "   Account                Descr                  Org \n"
            "---------- -------------------- -------------------- \n"
            "    anchor               anchor               anchor \n"
            "      chem                 chem              physics \n"
            "   physics            phys dept                  sci \n"
            "      root default root account                 root \n");
  EXPECT_EQ(List(Entity::kUser, {}),
            "      User   Def Acct     Admin \n"
            "---------- ---------- --------- \n"
            "       bob    physics      None \n"
            "      root     anchor Administ+ \n");
  EXPECT_EQ(
      List(Entity::kQos, {}),
      "      Name   Priority  GraceTime    Preempt   PreemptExemptTime PreemptMode                 "
      "                   Flags UsageThres UsageFactor       GrpTRES   GrpTRESMins GrpTRESRunMin "
      "GrpJobs GrpSubmit     GrpWall       MaxTRES MaxTRESPerNode   MaxTRESMins     MaxWall     "
      "MaxTRESPU MaxJobsPU MaxSubmitPU     MaxTRESPA MaxJobsPA MaxSubmitPA       MinTRES \n"
      "---------- ---------- ---------- ---------- ------------------- ----------- "
      "---------------------------------------- ---------- ----------- ------------- ------------- "
      "------------- ------- --------- ----------- ------------- -------------- ------------- "
      "----------- ------------- --------- ----------- ------------- --------- ----------- "
      "------------- \n"
      "    normal          0   00:00:00                                    cluster                 "
      "                                       1.000000                                             "
      "                                                                                            "
      "                                                                             \n"
      "      high        100   00:00:00                                    cluster                 "
      "                                       1.000000                                             "
      "    1                        cpu=4,mem=2G                                                   "
      "             2                                                               \n");
  EXPECT_EQ(
      List(Entity::kAssoc, {}),
      "   Cluster    Account       User  Partition     Share   Priority GrpJobs       GrpTRES "
      "GrpSubmit     GrpWall   GrpTRESMins MaxJobs       MaxTRES MaxTRESPerNode MaxSubmit     "
      "MaxWall   MaxTRESMins                  QOS   Def QOS GrpTRESRunMin \n"
      "---------- ---------- ---------- ---------- --------- ---------- ------- ------------- "
      "--------- ----------- ------------- ------- ------------- -------------- --------- "
      "----------- ------------- -------------------- --------- ------------- \n"
      "    anchor       root                               1                                       "
      "                                                                                            "
      "                          normal                         \n"
      "    anchor       root       root                    1                                       "
      "                                                                                            "
      "                          normal                         \n"
      "    anchor     anchor                               1                                       "
      "                                                                                            "
      "                          normal                         \n"
      "    anchor     anchor       root                    1                                       "
      "                                                                                            "
      "                          normal                         \n"
      "    anchor    physics                              10                  2                    "
      "                                                                                 00:10:00   "
      "                          normal                         \n"
      "    anchor    physics        bob                    1                                       "
      "                                                                                 00:10:00   "
      "                          normal                         \n"
      "    anchor       chem                               1                                       "
      "                                                                                 00:10:00   "
      "                          normal                         \n");
}

TEST(HacctmgrAssoc, ParsableFormatAndConditions) {
  Printing p2{true, false, true};
  EXPECT_EQ(List(Entity::kAssoc, {"format=account,user,share,grpjobs,maxwall"}, p2),
            "root||1||\n"
            "root|root|1||\n"
            "anchor||1||\n"
            "anchor|root|1||\n"
            "physics||10|2|00:10:00\n"
            "physics|bob|1||00:10:00\n"
            "chem||1||00:10:00\n");
  Printing p{true, true, false};
  EXPECT_EQ(List(Entity::kQos, {"format=name,priority,grpjobs,maxtres,maxjobspu"}, p),
            "Name|Priority|GrpJobs|MaxTRES|MaxJobsPU|\n"
            "normal|0||||\n"
            "high|100|1|cpu=4,mem=2G|2|\n");
  EXPECT_EQ(List(Entity::kAssoc, {"where", "user=bob", "format=account,user"}, p2),
            "physics|bob\n");
  EXPECT_EQ(List(Entity::kAccount, {"physics,chem", "format=account"}, p2), "chem\nphysics\n");
  EXPECT_FALSE(RenderList(Entity::kUser, {"format=colour"}, Tree(), p).ok());
  EXPECT_FALSE(RenderList(Entity::kUser, {"colour=red"}, Tree(), p).ok());
}

TEST(HacctmgrAssoc, UpdatesParsedAsSacctmgr) {
  auto add =
      ParseUpdate(AssocOp::kAdd, Entity::kAccount, {"physics,chem", "parent=root", "fairshare=10"});
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->names, (std::vector<std::string>{"physics", "chem"}));
  EXPECT_EQ(add->keys, (std::vector<std::string>{"parent", "fairshare"}));
  auto mod = ParseUpdate(AssocOp::kModify, Entity::kUser,
                         {"where", "name=bob", "account=physics", "set", "MaxJobs=3"});
  ASSERT_TRUE(mod.ok());
  EXPECT_EQ(mod->kind, AssocKind::kUser);
  EXPECT_EQ(mod->names, std::vector<std::string>{"bob"});
  EXPECT_EQ(mod->where_keys, std::vector<std::string>{"account"});
  EXPECT_EQ(mod->keys, std::vector<std::string>{"MaxJobs"});
  auto bare = ParseUpdate(AssocOp::kModify, Entity::kQos, {"high", "set", "priority=5"});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->names, std::vector<std::string>{"high"});
  auto del = ParseUpdate(AssocOp::kDelete, Entity::kUser, {"name=bob", "account=chem"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->where_keys, std::vector<std::string>{"account"});
  EXPECT_FALSE(ParseUpdate(AssocOp::kAdd, Entity::kAccount, {}).ok());
  EXPECT_FALSE(ParseUpdate(AssocOp::kModify, Entity::kQos, {"set", "priority=1"}).ok());
  EXPECT_FALSE(ParseUpdate(AssocOp::kAdd, Entity::kAssoc, {"x"}).ok());
  EXPECT_FALSE(ParseUpdate(AssocOp::kModify, Entity::kQos, {"high", "set", "flags+=x"}).ok());
  EXPECT_EQ(ParseEntity("Accounts"), Entity::kAccount);
  EXPECT_EQ(ParseEntity("association"), Entity::kAssoc);
  EXPECT_EQ(ParseEntity("event"), Entity::kNone);
}

TEST(HacctmgrAssoc, MessagesAsSacctmgr) {
  std::string all;
  auto run = [&all](AssocOp op, Entity e, std::vector<std::string> words,
                    std::vector<std::string> changed) {
    auto req = ParseUpdate(op, e, words);
    ASSERT_TRUE(req.ok()) << req.error().message();
    Outcome o = DescribeUpdate(*req, changed, "anchor");
    EXPECT_EQ(o.rc, 0);
    all += o.text;
  };
  run(AssocOp::kAdd, Entity::kAccount,
      {"physics", "description=phys dept", "organization=sci", "fairshare=10"}, {"physics"});
  run(AssocOp::kAdd, Entity::kAccount, {"chem", "parent=physics"}, {"chem"});
  run(AssocOp::kAdd, Entity::kUser, {"bob", "account=physics"},
      {"U = bob       A = physics    C = anchor    "});
  run(AssocOp::kAdd, Entity::kQos, {"high", "priority=100"}, {"high"});
  run(AssocOp::kModify, Entity::kQos, {"high", "set", "GrpJobs=1"}, {"high"});
  run(AssocOp::kModify, Entity::kAccount, {"where", "name=physics", "set", "MaxWall=10"},
      {"C = anchor     A = physics of root",
       "C = anchor     A = physics              U = bob      "});
  EXPECT_EQ(all,
            " Adding Account(s)\n"
            "  physics\n"
            " Settings\n"
            "  Description     = phys dept\n"
            "  Organization    = sci\n"
            " Associations\n"
            "  A = physics    C = anchor    \n"
            " Settings\n"
            "  Fairshare     = 10\n"
            "  Parent        = root\n"
            " Adding Account(s)\n"
            "  chem\n"
            " Settings\n"
            "  Description     = Account Name\n"
            "  Organization    = Parent/Account Name\n"
            " Associations\n"
            "  A = chem       C = anchor    \n"
            " Settings\n"
            "  Parent        = physics\n"
            " Adding User(s)\n"
            "  bob\n"
            " Associations =\n"
            "  U = bob       A = physics    C = anchor    \n"
            " Non Default Settings\n"
            " Adding QOS(s)\n"
            "  high\n"
            " Settings\n"
            "  Description    = high\n"
            "  Priority                 = 100\n"
            " Modified qos...\n"
            "  high\n"
            " Modified account associations...\n"
            "  C = anchor     A = physics of root\n"
            "  C = anchor     A = physics              U = bob      \n");
  auto req = ParseUpdate(AssocOp::kAdd, Entity::kAccount, {"physics"});
  EXPECT_EQ(DescribeUpdate(*req, {}, "anchor").text, " Nothing new added.\n");
  EXPECT_EQ(DescribeUpdate(*req, {}, "anchor").rc, 1);
  req = ParseUpdate(AssocOp::kDelete, Entity::kUser, {"bob"});
  EXPECT_EQ(DescribeUpdate(*req, {"bob"}, "anchor").text, " Deleting users...\n  bob\n");
  EXPECT_EQ(DescribeUpdate(*req, {}, "anchor").text, " Nothing deleted\n");
}

}  // namespace
}  // namespace herd::hacctmgr
