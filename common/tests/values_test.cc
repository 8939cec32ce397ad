// herd — tests of the herd.conf value parsers: time limits, durations, memory sizes, ports,
// host specs, the global keys and the default config path (common/config/config_values.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/config/config.h"

namespace herd {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

int64_t Time(const std::string& text) {
  auto r = ParseTimeLimit(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error().ToString();
  return r.ok() ? *r : -2;
}

TEST(ParseTimeLimit, Minutes) {
  EXPECT_EQ(Time("0"), 0);
  EXPECT_EQ(Time("5"), 300);
  EXPECT_EQ(Time("90"), 5400);
}

TEST(ParseTimeLimit, MinutesSeconds) {
  EXPECT_EQ(Time("5:30"), 330);
  EXPECT_EQ(Time("90:00"), 5400);  // the leading field may exceed 59
}

TEST(ParseTimeLimit, HoursMinutesSeconds) {
  EXPECT_EQ(Time("1:00:00"), 3600);
  EXPECT_EQ(Time("2:03:04"), 7384);
  EXPECT_EQ(Time("48:00:00"), 172800);
}

TEST(ParseTimeLimit, DayForms) {
  EXPECT_EQ(Time("2-3"), 2 * 86400 + 3 * 3600);
  EXPECT_EQ(Time("2-3:04"), 2 * 86400 + 3 * 3600 + 4 * 60);
  EXPECT_EQ(Time("2-03:04:05"), 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(Time("0-0:0:1"), 1);
}

TEST(ParseTimeLimit, Unlimited) {
  EXPECT_EQ(Time("INFINITE"), -1);
  EXPECT_EQ(Time("UNLIMITED"), -1);
  EXPECT_EQ(Time("infinite"), -1);
  EXPECT_EQ(Time("Unlimited"), -1);
}

TEST(ParseTimeLimit, Errors) {
  for (const char* bad : {"",           "-5",
                          "-1",         "abc",
                          "5m",         "1:2:3:4",
                          "1-2:3:4:5",  "1:",
                          ":1",         "1::2",
                          "1-",         "-",
                          "1-2-3",      "1:60",
                          "1:60:00",    "1:00:60",
                          "1-24",       "1-1:60",
                          " 5",         "5 ",
                          "+5",         "99999999999999999999",
                          "4294967295", "100000000-0"}) {
    auto r = ParseTimeLimit(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' parsed as " << (r.ok() ? *r : 0);
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
      EXPECT_THAT(r.error().message(), HasSubstr("invalid time"));
    }
  }
}

TEST(ParseTimeLimit, LargestFiniteValue) { EXPECT_EQ(Time("4294967294"), 4294967294LL * 60); }

TEST(FormatDuration, SqueueStyle) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(5), "0:05");
  EXPECT_EQ(FormatDuration(65), "1:05");
  EXPECT_EQ(FormatDuration(3599), "59:59");
  EXPECT_EQ(FormatDuration(3600), "1:00:00");
  EXPECT_EQ(FormatDuration(86399), "23:59:59");
  EXPECT_EQ(FormatDuration(86400), "1-00:00:00");
  EXPECT_EQ(FormatDuration(2 * 86400 + 3 * 3600 + 4 * 60 + 5), "2-03:04:05");
  EXPECT_EQ(FormatDuration(-1), "UNLIMITED");
  EXPECT_EQ(FormatDuration(-7), "INVALID");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (int64_t s : {0LL, 59LL, 3600LL, 7384LL, 2LL * 86400 + 11045}) {
    EXPECT_EQ(Time(FormatDuration(s)), s) << FormatDuration(s);
  }
}

uint64_t Mem(const std::string& text) {
  auto r = ParseMemoryMb(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.error().ToString();
  return r.ok() ? *r : 0;
}

TEST(ParseMemoryMb, Units) {
  EXPECT_EQ(Mem("2000"), 2000u);
  EXPECT_EQ(Mem("0"), 0u);
  EXPECT_EQ(Mem("512M"), 512u);
  EXPECT_EQ(Mem("512m"), 512u);
  EXPECT_EQ(Mem("2G"), 2048u);
  EXPECT_EQ(Mem("2g"), 2048u);
  EXPECT_EQ(Mem("1T"), 1048576u);
  EXPECT_EQ(Mem("1t"), 1048576u);
}

TEST(ParseMemoryMb, KilobytesRoundUp) {
  EXPECT_EQ(Mem("1024K"), 1u);
  EXPECT_EQ(Mem("1025K"), 2u);
  EXPECT_EQ(Mem("100k"), 1u);
  EXPECT_EQ(Mem("0K"), 0u);
}

TEST(ParseMemoryMb, Errors) {
  for (const char* bad : {"", "G", "abc", "2X", "2GB", "1.5G", "-1", " 2", "2 G",
                          "18446744073709551616", "18014398509481984G", "17592186044416T"}) {
    auto r = ParseMemoryMb(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' parsed as " << (r.ok() ? *r : 0);
  }
}

TEST(ParsePort, Range) {
  ASSERT_TRUE(ParsePort("1").ok());
  EXPECT_EQ(*ParsePort("6817"), 6817);
  EXPECT_EQ(*ParsePort("65535"), 65535);
  for (const char* bad : {"0", "65536", "", "x", "-1", "99999999999999999999"}) {
    EXPECT_FALSE(ParsePort(bad).ok()) << bad;
  }
}

TEST(ParseHostAddr, Forms) {
  auto a = ParseHostAddr("ctl1(10.0.0.1:7000)", 6817);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "ctl1");
  EXPECT_EQ(a->host, "10.0.0.1");
  EXPECT_EQ(a->port, 7000);
  a = ParseHostAddr("ctl1(10.0.0.1)", 6817);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "10.0.0.1");
  EXPECT_EQ(a->port, 6817);
  a = ParseHostAddr("ctl1", 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "ctl1");
  EXPECT_EQ(a->host, "ctl1");
  EXPECT_EQ(a->port, 0);
  a = ParseHostAddr("ctl1([::1]:7000)", 0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 7000);
  a = ParseHostAddr("ctl1(fe80::1)", 5);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "fe80::1");
  EXPECT_EQ(a->port, 5);
}

TEST(ParseHostAddr, Errors) {
  for (const char* bad : {"", "(a)", "c(", "c()", "c(a:)", "c(a:0)", "c(a:70000)", "c(a:x)",
                          "c(a)x", "c:1", "c([::1]x)", "c([::1]", "a,b"}) {
    EXPECT_FALSE(ParseHostAddr(bad, 0).ok()) << bad;
  }
}

// The bare message ApplyGlobalKey gives for a bad value; herd.conf adds "<file>:<line>: <Key>: ".
std::string GlobalError(const std::string& key, const std::string& value) {
  ClusterConfig c;
  std::string canonical;
  Status st = ApplyGlobalKey(&c, key, value, &canonical);
  EXPECT_FALSE(st.ok()) << key << "=" << value;
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << key << "=" << value;
  return st.message();
}

TEST(ApplyGlobalKey, SetsFieldAndReportsCanonicalKey) {
  ClusterConfig c;
  std::string canonical;
  ASSERT_TRUE(ApplyGlobalKey(&c, "heartbeatINTERVAL", "7", &canonical).ok());
  EXPECT_EQ(canonical, "HeartbeatInterval");
  EXPECT_EQ(c.heartbeat_interval_s, 7u);
  ASSERT_TRUE(ApplyGlobalKey(&c, "ControllerHost", "a(h:9)", &canonical).ok());
  ASSERT_TRUE(ApplyGlobalKey(&c, "ControllerHost", "b", &canonical).ok());
  ASSERT_EQ(c.controllers.size(), 2u);
  EXPECT_EQ(c.controllers[1].port, 0);  // resolved to ControllerPort by ParseConfig
  EXPECT_TRUE(c.raw.empty());
  Status st = ApplyGlobalKey(&c, "NoSuchKey", "1", &canonical);
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(canonical, "");
}

TEST(ParseByteSize, UnitsAndLimits) {
  EXPECT_EQ(*ParseByteSize("4194304"), 4194304u);
  EXPECT_EQ(*ParseByteSize("512K"), 512u << 10);
  EXPECT_EQ(*ParseByteSize("4m"), 4u << 20);
  EXPECT_EQ(*ParseByteSize("1G"), uint64_t{1} << 30);
  EXPECT_EQ(*ParseByteSize("2T"), uint64_t{2} << 40);
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("M").ok());
  EXPECT_FALSE(ParseByteSize("1.5M").ok());
  EXPECT_FALSE(ParseByteSize("16777216T").ok());  // 2^64: does not fit
}

TEST(ApplyGlobalKey, LimitKeys) {
  ClusterConfig c;
  EXPECT_EQ(c.max_script_size, 4u << 20);  // the defaults, as documented
  EXPECT_EQ(c.max_env_size, 1u << 20);
  EXPECT_EQ(c.max_submit_jobs_per_user, 10000u);
  EXPECT_EQ(c.state_dir_reserve, 256u << 20);
  std::string canonical;
  ASSERT_TRUE(ApplyGlobalKey(&c, "maxscriptsize", "8M", &canonical).ok());
  EXPECT_EQ(canonical, "MaxScriptSize");
  ASSERT_TRUE(ApplyGlobalKey(&c, "MaxEnvSize", "64K", &canonical).ok());
  ASSERT_TRUE(ApplyGlobalKey(&c, "StateDirReserve", "0", &canonical).ok());
  ASSERT_TRUE(ApplyGlobalKey(&c, "MaxSubmitJobsPerUser", "0", &canonical).ok());
  EXPECT_EQ(c.max_script_size, 8u << 20);
  EXPECT_EQ(c.max_env_size, 64u << 10);
  EXPECT_EQ(c.state_dir_reserve, 0u);
  EXPECT_EQ(c.max_submit_jobs_per_user, 0u);
}

TEST(ApplyGlobalKey, BadValues) {
  EXPECT_THAT(GlobalError("HeartbeatInterval", "abc"), StartsWith("not a number"));
  EXPECT_EQ(GlobalError("HeartbeatInterval", "0"), "must be at least 1");
  EXPECT_EQ(GlobalError("NodeTimeout", "0"), "must be at least 1");
  EXPECT_THAT(GlobalError("MaxJobCount", "99999999999"), StartsWith("number too large"));
  EXPECT_EQ(GlobalError("MaxJobCount", "0"), "must be at least 1");
  EXPECT_EQ(GlobalError("ReturnToService", "3"), "must be at most 2");
  GlobalError("MessageTimeout", "-1");
  GlobalError("CheckpointInterval", "0");
  GlobalError("KillWait", "");
  GlobalError("MinJobAge", "1m");
  EXPECT_THAT(GlobalError("DefMemPerCPU", "lots"), StartsWith("invalid memory size"));
  EXPECT_THAT(GlobalError("MaxScriptSize", "4Q"), StartsWith("invalid size '4Q': unknown unit"));
  EXPECT_EQ(GlobalError("MaxScriptSize", "100"), "must be at least 1024 bytes");
  EXPECT_THAT(GlobalError("MaxEnvSize", "-1"), StartsWith("invalid size"));
  EXPECT_THAT(GlobalError("StateDirReserve", "99999999999T"), StartsWith("invalid size"));
  EXPECT_THAT(GlobalError("MaxSubmitJobsPerUser", "x"), StartsWith("not a number"));
  EXPECT_EQ(GlobalError("JobRequeue", "yes"), "must be 0 or 1, got 'yes'");
  EXPECT_EQ(GlobalError("HardwareSource", "magic"), "must be hwloc or config, got 'magic'");
  for (const char* key : {"ClusterName", "StateDir", "SpoolDir", "AuthType", "SchedulerType",
                          "SelectType", "MpiDefault", "AdminUser"}) {
    EXPECT_EQ(GlobalError(key, ""), "must not be empty") << key;
  }
  EXPECT_THAT(GlobalError("ControllerPort", "0"), StartsWith("port must be"));
  EXPECT_THAT(GlobalError("ControllerPort", "65536"), StartsWith("port must be"));
  EXPECT_THAT(GlobalError("ControllerHost", "c(h:x)"), StartsWith("port must be"));
  EXPECT_THAT(GlobalError("ControllerHost", ""), HasSubstr("is not name"));
  EXPECT_THAT(GlobalError("WitnessHost", "w("), HasSubstr("is not name"));
}

TEST(ApplyGlobalKey, OptionalTextMayBeEmpty) {
  ClusterConfig c;
  std::string canonical;
  for (const char* key : {"LogDir", "AuthSocket", "WitnessHost"}) {
    EXPECT_TRUE(ApplyGlobalKey(&c, key, "", &canonical).ok()) << key;
  }
}

TEST(DefaultConfigPath, EnvironmentOverride) {
  const char* old = std::getenv("HERD_CONF");
  const std::string saved = old ? old : "";
  ::setenv("HERD_CONF", "/tmp/x/herd.conf", 1);
  EXPECT_EQ(DefaultConfigPath(), "/tmp/x/herd.conf");
  ::setenv("HERD_CONF", "", 1);
  EXPECT_EQ(DefaultConfigPath(), "/etc/herd/herd.conf");
  ::unsetenv("HERD_CONF");
  EXPECT_EQ(DefaultConfigPath(), "/etc/herd/herd.conf");
  if (old) ::setenv("HERD_CONF", saved.c_str(), 1);
}

TEST(ApplySchedKey, SchedulerTypeAndParameters) {
  ClusterConfig c;
  std::string canonical;
  EXPECT_EQ(c.scheduler_type, "sched/backfill");
  EXPECT_TRUE(c.sched.backfill);
  ASSERT_TRUE(ApplyGlobalKey(&c, "schedulertype", "sched/builtin", &canonical).ok());
  EXPECT_EQ(canonical, "SchedulerType");
  EXPECT_FALSE(c.sched.backfill);
  ASSERT_TRUE(ApplyGlobalKey(&c, "SchedulerType", "sched/fifo", &canonical).ok());
  EXPECT_EQ(c.scheduler_type, "sched/builtin");  // the name herd used before backfill
  ASSERT_TRUE(ApplyGlobalKey(&c, "SchedulerType", "SCHED/BACKFILL", &canonical).ok());
  EXPECT_TRUE(c.sched.backfill);
  EXPECT_EQ(GlobalError("SchedulerType", "sched/wiki"),
            "must be sched/backfill or sched/builtin, got 'sched/wiki'");

  ASSERT_TRUE(ApplyGlobalKey(&c, "SchedulerParameters",
                             "bf_max_job_test=20,bf_window=2880,bf_resolution=300,bf_continue,"
                             "default_queue_depth=50,bf_interval=30,defer,bf_reserve_aged",
                             &canonical)
                  .ok());
  EXPECT_EQ(canonical, "SchedulerParameters");
  EXPECT_EQ(c.sched.bf_max_job_test, 20u);
  EXPECT_EQ(c.sched.bf_window_min, 2880u);
  EXPECT_EQ(c.sched.bf_resolution_s, 300u);
  EXPECT_TRUE(c.sched.bf_continue);
  EXPECT_TRUE(c.sched.bf_reserve_aged);
  EXPECT_EQ(c.sched.default_queue_depth, 50u);
  EXPECT_TRUE(c.sched.backfill);
  // Slurm's options herd does not have are kept to be warned about, not refused.
  EXPECT_EQ(c.sched.ignored, (std::vector<std::string>{"bf_interval=30", "defer"}));
  // A later line replaces the whole list, as in Slurm.
  ASSERT_TRUE(ApplyGlobalKey(&c, "SchedulerParameters", "bf_window=60", &canonical).ok());
  EXPECT_EQ(c.sched.bf_max_job_test, 500u);
  EXPECT_EQ(c.sched.bf_window_min, 60u);
  EXPECT_TRUE(c.sched.ignored.empty());

  EXPECT_EQ(GlobalError("SchedulerParameters", "bf_window=0"),
            "bf_window must be a number from 1 to 43200, got '0'");
  EXPECT_EQ(GlobalError("SchedulerParameters", "bf_resolution=3601"),
            "bf_resolution must be a number from 1 to 3600, got '3601'");
  EXPECT_EQ(GlobalError("SchedulerParameters", "bf_max_job_test"),
            "bf_max_job_test must be a number from 1 to 1000000, got ''");
  EXPECT_EQ(GlobalError("SchedulerParameters", "default_queue_depth=x"),
            "default_queue_depth must be a number from 1 to 1000000, got 'x'");
  EXPECT_EQ(GlobalError("SchedulerParameters", "bf_continue=1"), "bf_continue takes no value");
  EXPECT_EQ(GlobalError("SchedulerParameters", "bf_reserve_aged=1"),
            "bf_reserve_aged takes no value");
}

TEST(ApplySchedKey, AccountingStorageEnforce) {
  ClusterConfig c;
  std::string canonical;
  EXPECT_FALSE(c.enforce.any());  // default: nothing enforced, as before
  ASSERT_TRUE(ApplyGlobalKey(&c, "accountingstorageenforce", "limits", &canonical).ok());
  EXPECT_EQ(canonical, "AccountingStorageEnforce");
  EXPECT_TRUE(c.enforce.associations);  // limits implies associations
  EXPECT_TRUE(c.enforce.limits);
  EXPECT_FALSE(c.enforce.qos);
  ASSERT_TRUE(ApplyGlobalKey(&c, "AccountingStorageEnforce", "QOS", &canonical).ok());
  EXPECT_TRUE(c.enforce.associations);  // qos implies associations; the line replaces
  EXPECT_TRUE(c.enforce.qos);
  EXPECT_FALSE(c.enforce.limits);
  ASSERT_TRUE(ApplyGlobalKey(&c, "AccountingStorageEnforce", "safe,nojobs", &canonical).ok());
  EXPECT_TRUE(c.enforce.limits);
  EXPECT_TRUE(c.enforce.safe);
  EXPECT_TRUE(c.enforce.nosteps);  // nojobs implies nosteps
  ASSERT_TRUE(ApplyGlobalKey(&c, "AccountingStorageEnforce", "nosteps", &canonical).ok());
  EXPECT_FALSE(c.enforce.associations);
  EXPECT_TRUE(c.enforce.nosteps);
  ASSERT_TRUE(ApplyGlobalKey(&c, "AccountingStorageEnforce", "all", &canonical).ok());
  EXPECT_TRUE(c.enforce.associations && c.enforce.limits && c.enforce.qos && c.enforce.safe);
  EXPECT_FALSE(c.enforce.nojobs);
  ASSERT_TRUE(ApplyGlobalKey(&c, "AccountingStorageEnforce", "none", &canonical).ok());
  EXPECT_FALSE(c.enforce.any());
  EXPECT_EQ(GlobalError("AccountingStorageEnforce", "associations,quotas"),
            "must be a comma list of associations, limits, qos, safe, wckeys, nojobs, nosteps, "
            "all or none, got 'quotas'");
}

TEST(ApplyAcctPurgeKey, PurgeAndArchiveKeys) {
  ClusterConfig c;
  std::string canonical;
  EXPECT_FALSE(c.purge.any());  // default: nothing is ever purged, as slurmdbd
  ASSERT_TRUE(ApplyGlobalKey(&c, "purgejobafter", "12month", &canonical).ok());
  EXPECT_EQ(canonical, "PurgeJobAfter");
  EXPECT_EQ(c.purge.jobs.unit, PurgeAfter::kMonths);
  EXPECT_EQ(c.purge.jobs.count, 12u);
  ASSERT_TRUE(ApplyGlobalKey(&c, "PurgeStepAfter", "7Days", &canonical).ok());
  EXPECT_EQ(FormatPurgeAfter(c.purge.steps), "7days");
  ASSERT_TRUE(ApplyGlobalKey(&c, "PurgeEventAfter", "36 hours", &canonical).ok());
  EXPECT_EQ(FormatPurgeAfter(c.purge.events), "36hours");
  ASSERT_TRUE(ApplyGlobalKey(&c, "PurgeUsageAfter", "24", &canonical).ok());  // months
  EXPECT_EQ(FormatPurgeAfter(c.purge.usage), "24months");
  ASSERT_TRUE(ApplyGlobalKey(&c, "ArchiveJobs", "yes", &canonical).ok());
  EXPECT_TRUE(c.purge.archive_jobs);
  EXPECT_FALSE(c.purge.archive_steps);
  ASSERT_TRUE(ApplyGlobalKey(&c, "archivedir", "/srv/herd/archive", &canonical).ok());
  EXPECT_EQ(canonical, "ArchiveDir");
  EXPECT_EQ(c.purge.archive_dir, "/srv/herd/archive");
  EXPECT_EQ(GlobalError("PurgeJobAfter", "0months"),
            "'0months' is not a count of at least 1 month, day or hour");
  EXPECT_EQ(GlobalError("PurgeJobAfter", "12weeks"),
            "'12weeks': the unit is months (the default), days or hours");
  EXPECT_EQ(GlobalError("ArchiveDir", "archive"), "must be an absolute path");
  EXPECT_EQ(GlobalError("ArchiveScript", "/usr/sbin/archive"),
            "herd writes the archive itself (ArchiveDir); an ArchiveScript is not run");
}

}  // namespace
}  // namespace herd
