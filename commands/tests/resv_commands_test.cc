// herd — the commands' side of advance reservations: hcontrol's create/update/delete/show
// reservation parsed as scontrol's, and hinfo -T's table as sinfo -T prints it.
#include <gtest/gtest.h>

#include "commands/hcontrol/hcontrol_options.h"
#include "commands/hcontrol/hcontrol_resv.h"
#include "commands/hinfo/hinfo_format.h"
#include "commands/hinfo/hinfo_options.h"
#include "commands/lib/timefmt.h"

namespace herd {
namespace {

constexpr int64_t kNow = 1767225600;

TEST(HcontrolResv, CreateUpdateDeleteParsed) {
  auto c = hcontrol::ParseHcontrolArgs({"create", "reservation", "starttime=now+60", "duration=30",
                                        "nodes=n[1-2]", "users=root", "flags=maint"});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->verb, hcontrol::Verb::kReservation);
  const proto::UpdateReservationRequest& r = c->resv_update;
  EXPECT_EQ(r.op, proto::ResvOp::kCreate);
  EXPECT_TRUE(r.name.empty());
  EXPECT_EQ(r.keys, (std::vector<std::string>{"StartTime", "Duration", "Nodes", "Users", "Flags"}));
  EXPECT_EQ(r.values[1], "30");
  const int64_t start = std::stoll(r.values[0]);
  EXPECT_GE(start - std::time(nullptr), 58);  // now+60 resolved here, in seconds
  EXPECT_LE(start - std::time(nullptr), 60);

  auto at = hcontrol::ParseReservationCommand(
      {"ReservationName=m", "StartTime=now", "EndTime=now+3600", "NodeCnt=2", "Accounts=physics"},
      proto::ResvOp::kCreate, kNow);
  ASSERT_TRUE(at.ok()) << at.error().message();
  EXPECT_EQ(at->name, "m");
  EXPECT_EQ(at->values[0], std::to_string(kNow));
  EXPECT_EQ(at->values[1], std::to_string(kNow + 3600));

  auto up = hcontrol::ParseHcontrolArgs({"update", "ReservationName=m", "Flags=+DAILY"});
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->resv_update.op, proto::ResvOp::kUpdate);
  EXPECT_EQ(up->resv_update.name, "m");
  auto del = hcontrol::ParseHcontrolArgs({"delete", "reservation", "m"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->resv_update.op, proto::ResvOp::kDelete);
  EXPECT_EQ(del->resv_update.name, "m");
  auto show = hcontrol::ParseHcontrolArgs({"show", "res", "m"});
  ASSERT_TRUE(show.ok());
  EXPECT_EQ(show->entity, hcontrol::Entity::kReservation);
  EXPECT_EQ(show->name, "m");
}

TEST(HcontrolResv, BadInputRefusedBeforeAsking) {
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"create", "reservation", "flags=bogus"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"create", "reservation", "starttime=soon"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"create", "reservation", "duration=-3"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"create", "reservation", "colour=red"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"update", "ReservationName=m"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"delete", "reservation"}).ok());
  EXPECT_FALSE(hcontrol::ParseHcontrolArgs({"delete", "ReservationName=m", "Nodes=n1"}).ok());
}

TEST(HinfoResv, TableAsSinfoT) {
  proto::QueryReservationsReply rep;
  rep.now = kNow;
  proto::Reservation a;
  a.name = "root_1";
  a.start = kNow - 60;
  a.end = kNow + 1740;
  a.nodes = {"n1"};
  proto::Reservation b = a;
  b.name = "averyveryverylongname";
  b.start = kNow + 3600;
  b.end = kNow + 4200;
  b.nodes = {"n2", "n3"};
  rep.reservations = {a, b};
  auto opts = hinfo::ParseHinfoArgs({"-T"});
  ASSERT_TRUE(opts.ok());
  EXPECT_TRUE(opts->reservations);
  const std::string t1 = cli::FormatTimestamp(a.start), t2 = cli::FormatTimestamp(a.end);
  const std::string t3 = cli::FormatTimestamp(b.start), t4 = cli::FormatTimestamp(b.end);
  EXPECT_EQ(hinfo::RenderReservations(rep, false),
            "RESV_NAME                 STATE           START_TIME             END_TIME     "
            "DURATION  NODELIST\n"
            "root_1                   ACTIVE  " +
                t1 + "  " + t2 +
                "     00:30:00  n1\n"
                "averyveryverylongname  INACTIVE  " +
                t3 + "  " + t4 + "     00:10:00  n[2-3]\n");
  rep.reservations = {a};
  EXPECT_EQ(hinfo::RenderReservations(rep, true),
            "root_1       ACTIVE  " + t1 + "  " + t2 + "     00:30:00  n1\n");
}

}  // namespace
}  // namespace herd
