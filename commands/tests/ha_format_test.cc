// herd commands — what the commands print about the controller pair, and the options that
// send reads to the passive.
#include "commands/lib/ha_format.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "commands/hinfo/hinfo_options.h"
#include "commands/hqueue/hqueue_options.h"

namespace herd::cli {
namespace {

proto::ControllerStatus Ctl(const std::string& name, const std::string& role, uint64_t seq,
                            bool in_sync = false, int64_t lag_ms = -1) {
  proto::ControllerStatus c;
  c.name = name;
  c.role = role;
  c.epoch = 3;
  c.last_seq = seq;
  c.in_sync = in_sync;
  c.lag_ms = lag_ms;
  return c;
}

ClusterConfig PairConfig() {
  auto cfg = ParseConfig(
      "ControllerHost=ctl1(127.0.0.1:6817)\nControllerHost=ctl2(127.0.0.1:6818)\n"
      "WitnessHost=w(127.0.0.1:6819)\nNodeName=n1\nPartitionName=p Nodes=n1 Default=YES\n",
      "test");
  EXPECT_TRUE(cfg.ok()) << cfg.error().ToString();
  return cfg.ok() ? *cfg : ClusterConfig{};
}

proto::HaStatusReply PairStatus() {
  proto::HaStatusReply st;
  st.served_by = "ctl1";
  st.role = "active";
  st.epoch = 3;
  st.active = "ctl1";
  st.last_seq = 1234;
  st.controllers = {Ctl("ctl1", "active", 1234), Ctl("ctl2", "passive", 1231, true, 120),
                    Ctl("w", "witness", 0)};
  return st;
}

TEST(HaFormat, PingLines) {
  PingResult down;
  EXPECT_EQ(PingLine("herdctld", "ctl2", "tcp://h:2", down), "herdctld ctl2 (tcp://h:2) is DOWN");
  PingResult old{true, std::nullopt};
  EXPECT_EQ(PingLine("herdctld", "ctl1", "tcp://h:1", old), "herdctld ctl1 (tcp://h:1) is UP");
  EXPECT_TRUE(ShowsActive(old));
  PingResult active{true, PairStatus()};
  EXPECT_EQ(PingLine("herdctld", "ctl1", "tcp://127.0.0.1:6817", active),
            "herdctld ctl1 (tcp://127.0.0.1:6817) is UP: active, epoch 3, journal 1234");
  EXPECT_TRUE(ShowsActive(active));
  proto::HaStatusReply p = PairStatus();
  p.served_by = "ctl2";
  p.role = "passive";
  p.behind_records = 0;
  p.behind_ms = 0;
  EXPECT_EQ(PingLine("herdctld", "ctl2", "tcp://h:2", {true, p}),
            "herdctld ctl2 (tcp://h:2) is UP: passive, in sync, 0 records (0 ms) behind");
  EXPECT_FALSE(ShowsActive({true, p}));
  p.controllers[1].in_sync = false;
  p.behind_records = 12;
  p.behind_ms = 340;
  EXPECT_EQ(PingLine("herdctld", "ctl2", "tcp://h:2", {true, p}),
            "herdctld ctl2 (tcp://h:2) is UP: passive, not in sync, 12 records (340 ms) behind");
  proto::HaStatusReply w;
  w.role = "witness";
  w.epoch = 3;
  EXPECT_EQ(PingLine("witness", "w", "tcp://h:3", {true, w}),
            "witness w (tcp://h:3) is UP: witness, epoch 3");
}

TEST(HaFormat, PassiveNote) {
  proto::HaStatusReply p;
  p.served_by = "ctl2";
  p.active = "ctl1";
  p.behind_records = 3;
  p.behind_ms = 120;
  EXPECT_EQ(PassiveNote("hqueue", p),
            "hqueue: served by the passive controller ctl2, 3 records (120 ms) behind the "
            "active ctl1");
  p.active.clear();
  EXPECT_EQ(PassiveNote("hinfo", p),
            "hinfo: served by the passive controller ctl2, 3 records (120 ms) behind the "
            "active (none known)");
}

TEST(HaFormat, ConfigLines) {
  const ClusterConfig cfg = PairConfig();
  const proto::HaStatusReply st = PairStatus();
  EXPECT_EQ(
      ControllerConfigLines(cfg, &st),
      (std::vector<std::string>{
          "ControllerHost[0] = ctl1(127.0.0.1:6817) active epoch=3 seq=1234",
          "ControllerHost[1] = ctl2(127.0.0.1:6818) passive in_sync=yes lag=3 records/120 ms",
          "WitnessHost = w(127.0.0.1:6819) witness", "HaLeaseMs = 1000", "HaSyncTimeoutMs = 500"}));
  // Nobody to ask: the configuration alone.
  EXPECT_EQ(ControllerConfigLines(cfg, nullptr)[0], "ControllerHost[0] = ctl1(127.0.0.1:6817)");
}

TEST(HaFormat, ControllerTable) {
  const ClusterConfig cfg = PairConfig();
  const proto::HaStatusReply st = PairStatus();
  EXPECT_EQ(ControllerTable(cfg, &st),
            "CONTROLLER  ADDRESS               ROLE     EPOCH  JOURNAL  IN_SYNC  BEHIND\n"
            "ctl1        tcp://127.0.0.1:6817  active   3      1234     -        -\n"
            "ctl2        tcp://127.0.0.1:6818  passive  3      1231     yes      3 records/120 ms\n"
            "w           tcp://127.0.0.1:6819  witness  3      -        -        -\n");
}

TEST(HaFormat, AccountingLink) {
  const ClusterConfig cfg = PairConfig();
  proto::HaStatusReply st = PairStatus();
  st.acct_type = "sqlite";
  st.acct_link = "up";
  EXPECT_EQ(PingLine("herdctld", "ctl1", "tcp://h:1", {true, st}),
            "herdctld ctl1 (tcp://h:1) is UP: active, epoch 3, journal 1234, accounting sqlite "
            "up, backlog 0");
  st.acct_link = "down";
  st.acct_error = "postgresql: cannot connect";
  st.acct_backlog = 120;
  const std::string table = ControllerTable(cfg, &st);
  EXPECT_EQ(table.substr(table.rfind("Accounting")),
            "Accounting (as ctl1 sees it): accounting sqlite down (postgresql: cannot connect), "
            "backlog 120\n");
}

// What the controller says is escaped like every displayed field: a database's error text
// (or a hostile answer) cannot move the terminal's cursor.
TEST(HaFormat, ControllerTextIsEscaped) {
  const ClusterConfig cfg = PairConfig();
  proto::HaStatusReply st = PairStatus();
  st.acct_type = "sqlite";
  st.acct_link = "down";
  st.acct_error = "no such table: \x1b[2Jjobs\nrow";
  st.served_by = "ctl1\r";
  st.controllers[1].role = "pass\x1b]0;x\x07ive";
  const std::string table = ControllerTable(cfg, &st);
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << table;
  EXPECT_EQ(table.find('\r'), std::string::npos) << table;
  EXPECT_NE(table.find("no such table: \\x1b[2Jjobs\\nrow"), std::string::npos) << table;
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 5) << table;
  const std::string ping = PingLine("herdctld", "ctl1", "tcp://h:1", {true, st});
  EXPECT_EQ(ping.find('\x1b'), std::string::npos) << ping;
  EXPECT_EQ(PassiveNote("hqueue", st).find('\r'), std::string::npos);
  for (const std::string& l : ControllerConfigLines(cfg, &st)) {
    EXPECT_EQ(l.find('\x1b'), std::string::npos) << l;
  }
}

TEST(HaOptions, FromPassiveAndControllers) {
  EXPECT_TRUE(hqueue::ParseHqueueArgs({"--from-passive"})->from_passive);
  EXPECT_FALSE(hqueue::ParseHqueueArgs({})->from_passive);
  auto h = hinfo::ParseHinfoArgs({"--from-passive", "--controllers"});
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->from_passive);
  EXPECT_TRUE(h->controllers);
  EXPECT_FALSE(hinfo::ParseHinfoArgs({})->controllers);
}

}  // namespace
}  // namespace herd::cli
