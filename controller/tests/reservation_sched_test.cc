// herd — advance reservations in the scheduler and their pure rules: windows (DAILY rolls),
// who may use one, flags; exact plans: a reservation keeps other jobs off its nodes for its
// window, backfill places them around it, a job inside starts at the window's start.
#include <gtest/gtest.h>

#include "common/proto/codec.h"
#include "common/proto/reservation.h"
#include "controller/sched/scheduler.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using proto::Reservation;
using testing::SimpleSpec;
using testing::TestConfig;

constexpr int64_t kNow = 1767225600;

Reservation Resv(const std::string& name, int64_t start, int64_t end,
                 std::vector<std::string> nodes, uint32_t flags = 0) {
  Reservation r;
  r.name = name;
  r.start = start;
  r.end = end;
  r.nodes = std::move(nodes);
  r.users = {"root"};
  r.flags = flags | proto::kResvSpecNodes;
  return r;
}

TEST(ReservationRules, WindowEndsOrRolls) {
  const Reservation once = Resv("a", kNow + 10, kNow + 20, {"n1"});
  EXPECT_EQ(proto::ResvWindow(once, kNow), std::make_pair(kNow + 10, kNow + 20));
  EXPECT_EQ(proto::ResvWindow(once, kNow + 19), std::make_pair(kNow + 10, kNow + 20));
  EXPECT_FALSE(proto::ResvWindow(once, kNow + 20)) << "ended: gone";
  const Reservation daily = Resv("d", kNow + 10, kNow + 20, {"n1"}, proto::kResvDaily);
  EXPECT_EQ(proto::ResvWindow(daily, kNow + 20), std::make_pair(kNow + 86410, kNow + 86420));
  EXPECT_EQ(proto::ResvWindow(daily, kNow + 3 * 86400 + 15),
            std::make_pair(kNow + 3 * 86400 + 10, kNow + 3 * 86400 + 20));
  const Reservation weekly = Resv("w", kNow, kNow + 60, {"n1"}, proto::kResvWeekly);
  EXPECT_EQ(proto::ResvWindow(weekly, kNow + 61), std::make_pair(kNow + 604800, kNow + 604860));
  // An unlimited run meets some window of a repeating one; a short one only the next.
  EXPECT_TRUE(proto::ResvMeets(daily, kNow + 30, kNow + 30, INT64_MAX));
  EXPECT_FALSE(proto::ResvMeets(daily, kNow + 30, kNow + 30, kNow + 86410));
  EXPECT_TRUE(proto::ResvMeets(daily, kNow + 30, kNow + 30, kNow + 86411));
  EXPECT_FALSE(proto::ResvMeets(once, kNow, kNow, kNow + 10));
}

TEST(ReservationRules, WhoMayUseIt) {
  Reservation r = Resv("a", kNow, kNow + 60, {"n1"});
  r.users = {"alice", "bob"};
  EXPECT_TRUE(proto::ResvAllows(r, "bob", ""));
  EXPECT_FALSE(proto::ResvAllows(r, "carol", ""));
  r.users = {"-alice"};
  EXPECT_FALSE(proto::ResvAllows(r, "alice", ""));
  EXPECT_TRUE(proto::ResvAllows(r, "carol", ""));
  r.users.clear();
  r.accounts = {"physics"};
  EXPECT_TRUE(proto::ResvAllows(r, "carol", "physics"));
  EXPECT_FALSE(proto::ResvAllows(r, "carol", ""));
  r.users = {"alice"};  // both given: both must admit the job
  EXPECT_FALSE(proto::ResvAllows(r, "carol", "physics"));
  EXPECT_TRUE(proto::ResvAllows(r, "alice", "physics"));
}

TEST(ReservationRules, FlagsParsedAndShownAsSlurm) {
  EXPECT_EQ(*proto::ParseResvFlags("maint,IGNORE_JOBS"),
            uint32_t{proto::kResvMaint | proto::kResvIgnoreJobs});
  EXPECT_EQ(proto::ParseResvFlags("OVERLAP").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(proto::ParseResvFlags("SPEC_NODES").error().code(), Code::kInvalidArgument);
  EXPECT_FALSE(proto::ParseResvFlags("DAILY,WEEKLY").ok());
  EXPECT_EQ(*proto::ApplyResvFlags(proto::kResvMaint | proto::kResvSpecNodes, "+DAILY"),
            uint32_t{proto::kResvMaint | proto::kResvDaily | proto::kResvSpecNodes});
  EXPECT_EQ(*proto::ApplyResvFlags(proto::kResvMaint | proto::kResvSpecNodes, "-MAINT"),
            uint32_t{proto::kResvSpecNodes});
  EXPECT_EQ(proto::FormatResvFlags(proto::kResvMaint | proto::kResvSpecNodes), "MAINT,SPEC_NODES");
  EXPECT_EQ(proto::FormatResvFlags(0), "(null)");
  EXPECT_EQ(proto::FormatResvDuration(1800), "00:30:00");
  EXPECT_EQ(proto::FormatResvDuration(90000), "1-01:00:00");
}

TEST(ReservationRules, ShownAsScontrolShowsIt) {
  Reservation r = Resv("root_1", kNow + 60, kNow + 1860, {"n1", "n2"}, proto::kResvMaint);
  auto iso = [](int64_t t) { return std::to_string(t - kNow); };
  EXPECT_EQ(proto::FormatReservation(r, kNow, 8, false, +iso),
            "ReservationName=root_1 StartTime=60 EndTime=1860 Duration=00:30:00\n"
            "   Nodes=n[1-2] NodeCnt=2 CoreCnt=8 Features=(null) PartitionName=(null) "
            "Flags=MAINT,SPEC_NODES\n"
            "   TRES=cpu=8\n"
            "   Users=root Groups=(null) Accounts=(null) Licenses=(null) State=INACTIVE "
            "BurstBuffer=(null) Watts=n/a\n"
            "   MaxStartDelay=(null)\n\n");
  const std::string one = proto::FormatReservation(r, kNow + 60, 8, true, +iso);
  EXPECT_EQ(one.find('\n'), one.size() - 1);
  EXPECT_NE(one.find(" State=ACTIVE "), std::string::npos);
}

// Written by the controller before reservations (checkpoint version 3, JobSpec version 4):
// job 1 of alice, pending, two tasks, 600 s, in debug. It reads with no reservation.
const char kSnapshotV3[] =
    "000300000002000000000000000000000000010000000000000000000000000000000001000000000000"
    "00000a0000000100000000000000e8030000000000000500000000000000616c69636500040000000100"
    "00000000000074000000000000000004000000000000002f746d70000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000feffffffffffffff00000000000000000200"
    "000001000000000000000000000000000100ffff00000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000ff0000000000000000050000000000000064656275675802"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000030000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000feffffff0000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000400000000"
    "00000001000000000100000002000000000000006e310000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000002000000000000006e3200000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000020000"
    "00000000006e330000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000002000000000000006e34000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000020000000000000000000000000000000005"
    "000000000000006465627567000200000005000000000000006465627567020000000000000055500400"
    "0000000000000000000002000000000000006e3102000000000000006e3202000000000000006e330200"
    "0000000000006e3401ffffffffffffffffffffffffffffffff0000000000000000000100000000010000"
    "00050000000000000073686f7274050000000000000073686f7274020000000000000055500100000000"
    "0000000000000002000000000000006e31005802000000000000ffffffffffffffff0000000000000000"
    "000100000000010000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000001000000000000000000000000000000000400000000"
    "000000726f6f7400000000000400000000000000726f6f74000000000000000014000000000000006465"
    "6661756c7420726f6f74206163636f756e740400000000000000726f6f74010000000000000000ffffff"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0000000000"
    "000000000000000000000000000000000000000000000000000000000001000000000000000000000000"
    "000000000400000000000000726f6f7400000000000400000000000000726f6f74040000000000000072"
    "6f6f74000000000001000000000000000000000000000000000400000000000000726f6f740000000000"
    "01000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffff0000000000000000000000000000000000000000000000000d0000000000000041646d696e697374"
    "7261746f720000000000010000000000000000000000000000000006000000000000006e6f726d616c00"
    "000000000100000006000000000000006e6f726d616c12000000000000004e6f726d616c20514f532064"
    "656661756c7400000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffff00000000000000000000000000000000000000000000000000000000000000000000"
    "00000000f03f00000000000000000000000000000000000000000000";

const char kJobSpecV4[] =
    "000400000001000000000000007400000000000000000000000000000000020000000100000000000000"
    "00000000000000000000000000000000feffffffffffffff04000000000000002f746d70000000000000"
    "0000000000000000000000000000000000000f0000000000000023212f62696e2f73680a747275650a00"
    "000000000000000000000000000000000000000000000000000000000000010000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000ffffffff0000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000ffffffff000000000000"
    "0000";

TEST(ReservationRules, StateWrittenBeforeReservationsReads) {
  ClusterConfig cfg = TestConfig();
  ClusterState st(cfg);
  ASSERT_TRUE(st.Restore(testing::FromHex(kSnapshotV3)).ok());
  const Job* j = st.FindJob(1);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->user, "alice");
  EXPECT_EQ(j->spec.num_tasks, 2u);
  EXPECT_EQ(j->time_limit_s, 600);
  EXPECT_TRUE(j->spec.reservation.empty());
  EXPECT_TRUE(st.reservations().empty());
  EXPECT_EQ(st.next_resv_id(), 1u);
  auto spec = proto::DecodeBodyAs<proto::JobSpec>(testing::FromHex(kJobSpecV4), "JobSpec");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->num_tasks, 2u);
  EXPECT_TRUE(spec->reservation.empty());
  // Written again, a job's reservation comes back.
  proto::JobSpec now = *spec;
  now.reservation = "maint";
  auto back = proto::DecodeBodyAs<proto::JobSpec>(proto::EncodeBody(now), "JobSpec");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->reservation, "maint");
  Job with = *j;
  with.spec.reservation = "maint";
  auto job_back = proto::DecodeBodyAs<Job>(proto::EncodeBody(with), "Job");
  ASSERT_TRUE(job_back.ok());
  EXPECT_EQ(job_back->spec.reservation, "maint");
}

class ResvSchedTest : public ::testing::Test {
 protected:
  ResvSchedTest() : cfg_(TestConfig()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
    cfg_.sched.bf_resolution_s = 1;
  }
  // Job `id`: `tasks` one-cpu tasks, `limit` seconds (-1 unlimited), in `resv` if given.
  void Submit(uint64_t id, uint32_t tasks, int64_t limit, const std::string& resv = "") {
    Job j;
    j.id = id;
    j.partition = "debug";
    proto::JobSpec spec = SimpleSpec();
    spec.num_tasks = tasks;
    spec.reservation = resv;
    j.spec = spec;
    j.time_limit_s = limit;
    ASSERT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
  }
  void Define(Reservation r) { ASSERT_TRUE(state_.Apply(ReservationDefined{std::move(r)}).ok()); }
  static std::vector<std::string> Starts(const SchedulePlan& p) {
    std::vector<std::string> out;
    for (const auto& s : p.starts) {
      std::string nodes;
      for (const auto& a : s.alloc) nodes += (nodes.empty() ? "" : ",") + a.node;
      out.push_back(std::to_string(s.job_id) + "@" + nodes);
    }
    return out;
  }
  static PendingReason ReasonOf(const SchedulePlan& p, uint64_t id) {
    for (const auto& [job, r] : p.reasons) {
      if (job == id) return r;
    }
    return PendingReason::kNone;
  }

  ClusterConfig cfg_;
  ClusterState state_;
};

TEST_F(ResvSchedTest, ReservationExcludesItsNodes) {
  Define(Resv("r", kNow, kNow + 3600, {"n1", "n2"}));
  Submit(1, 4, 600);  // one node: n3, the first not reserved
  Submit(2, 4, 600);  // n4
  Submit(3, 8, 600);  // would fit on n1 and n2 but for the reservation
  const SchedulePlan p = Schedule(state_, kNow);
  EXPECT_EQ(Starts(p), (std::vector<std::string>{"1@n3", "2@n4"}));
  EXPECT_EQ(ReasonOf(p, 3), PendingReason::kResvNodesReserved);
  EXPECT_STREQ(PendingReasonName(PendingReason::kResvNodesReserved),
               "ReqNodeNotAvail, May be reserved for other job");
}

TEST_F(ResvSchedTest, MaintenanceGivesItsReason) {
  Define(Resv("m", kNow, kNow + 3600, {"n1", "n2", "n3", "n4"}, proto::kResvMaint));
  Submit(1, 1, 600);
  const SchedulePlan p = Schedule(state_, kNow);
  EXPECT_TRUE(p.starts.empty());
  EXPECT_EQ(ReasonOf(p, 1), PendingReason::kResvNodesMaint);
  EXPECT_STREQ(PendingReasonName(PendingReason::kResvNodesMaint),
               "ReqNodeNotAvail, Reserved for maintenance");
}

TEST_F(ResvSchedTest, BackfillPlacesJobsAroundTheWindow) {
  Define(Resv("r", kNow + 1000, kNow + 2000, {"n1", "n2", "n3", "n4"}));
  Submit(1, 4, 500);    // ends before the window: starts now
  Submit(2, 16, 1500);  // would run into the window: after it
  Submit(3, 4, 900);    // ends before the window, behind job 2: backfilled
  Submit(4, 4, -1);     // unlimited: never before the window, nor after it (none ends)
  const SchedulePlan p = Schedule(state_, kNow);
  EXPECT_EQ(Starts(p), (std::vector<std::string>{"1@n1", "3@n2"}));
  ASSERT_EQ(p.reservations.size(), 1u);
  EXPECT_EQ(p.reservations[0].job_id, 2u);
  EXPECT_EQ(p.reservations[0].expected_start, kNow + 2000);
  EXPECT_NE(ReasonOf(p, 4), PendingReason::kNone);
}

TEST_F(ResvSchedTest, JobInsideStartsAtTheWindowStartOnItsNodes) {
  Define(Resv("r", kNow + 100, kNow + 1100, {"n3"}));
  Submit(1, 2, 600, "r");
  Submit(2, 8, 600, "r");  // more than its reservation's node holds: never now
  SchedulePlan p = Schedule(state_, kNow);
  EXPECT_TRUE(p.starts.empty());
  EXPECT_EQ(ReasonOf(p, 1), PendingReason::kReservation);
  p = Schedule(state_, kNow + 100);
  EXPECT_EQ(Starts(p), (std::vector<std::string>{"1@n3"}));
  EXPECT_NE(ReasonOf(p, 2), PendingReason::kNone);
  // Deleted: its jobs wait with that reason.
  ASSERT_TRUE(state_.Apply(ReservationDeleted{"r"}).ok());
  p = Schedule(state_, kNow + 100);
  EXPECT_EQ(ReasonOf(p, 1), PendingReason::kReservationDeleted);
}

TEST_F(ResvSchedTest, DailyRollsForward) {
  // Yesterday's window has ended; today's is [kNow + 3600, kNow + 7200).
  Define(Resv("d", kNow - 86400 + 3600, kNow - 86400 + 7200, {"n1", "n2", "n3", "n4"},
              proto::kResvDaily));
  Submit(1, 4, 3000);  // ends before today's window
  Submit(2, 4, 4000);  // would run into it
  const SchedulePlan p = Schedule(state_, kNow);
  EXPECT_EQ(Starts(p), (std::vector<std::string>{"1@n1"}));
  ASSERT_EQ(p.reservations.size(), 1u);
  EXPECT_EQ(p.reservations[0].expected_start, kNow + 7200);
}

TEST_F(ResvSchedTest, ReservationsSurviveTheCheckpoint) {
  Define(Resv("r", kNow + 100, kNow + 1100, {"n3"}, proto::kResvIgnoreJobs));
  Reservation r2 = Resv("s", kNow, kNow + 60, {"n1"});
  r2.id = 7;
  Define(r2);
  ClusterState back(cfg_);
  ASSERT_TRUE(back.Restore(state_.Snapshot()).ok());
  ASSERT_EQ(back.reservations().size(), 2u);
  EXPECT_EQ(back.reservations().at("r"), state_.reservations().at("r"));
  EXPECT_EQ(back.next_resv_id(), 8u);
}

}  // namespace
}  // namespace herd::ctld
