// herd tests — the same accounting tests on each back-end: a fresh SQLite file or a fresh
// PostgreSQL database (of the test program's private server) per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "controller/acct/acct_store.h"
#include "controller/acct/tests/pg_server.h"

namespace herd::ctld::acct::testing {

// A job that ran from `submit` + 1 to `end` (0: not ended) on n[1-2], 4 cpus.
inline JobRow MakeJob(uint64_t id, uint32_t uid, int state, int64_t submit, int64_t end) {
  JobRow j;
  j.job_id = id;
  j.name = "job" + std::to_string(id);
  j.uid = uid;
  j.user = "u" + std::to_string(uid);
  j.gid = uid;
  j.partition = "debug";
  j.submit_time = submit;
  j.eligible_time = submit;
  j.start_time = end > 0 ? submit + 1 : 0;
  j.end_time = end;
  j.state = state;
  j.nodes = "n[1-2]";
  j.nnodes = 2;
  j.alloc_cpus = 4;
  j.req_cpus = 4;
  j.time_limit_s = 600;
  j.work_dir = "/home/u";
  return j;
}

inline StepRow MakeStep(uint64_t job, uint32_t step) {
  StepRow s;
  s.job_id = job;
  s.step_id = step;
  s.name = "hostname";
  s.state = 4;
  s.start_time = 1000;
  s.end_time = 1010;
  s.nodes = "n1";
  s.nnodes = 1;
  s.ntasks = 2;
  s.alloc_cpus = 2;
  return s;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-acct-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    if (GetParam() == "postgresql") {
      ASSERT_TRUE(PgServer::Get().ok()) << "the private PostgreSQL server did not start";
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::string db = "t";
      for (char c : name)
        db +=
            std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
      conninfo_ = PgServer::Get().NewDatabase(db);
      ASSERT_FALSE(conninfo_.empty());
    }
  }
  void TearDown() override {
    std::string rm = "rm -rf " + dir_;
    (void)std::system(rm.c_str());
  }

  // A new connection to the test's database (`cluster` on its rows), schema not touched.
  std::unique_ptr<AcctStore> Connect(const std::string& cluster = "c1") {
    Result<std::unique_ptr<SqlConn>> conn =
        GetParam() == "postgresql" ? OpenPostgres(conninfo_) : OpenSqlite(dir_ + "/acct.db", false);
    EXPECT_TRUE(conn.ok()) << conn.error().message();
    if (!conn.ok()) return nullptr;
    return std::make_unique<AcctStore>(std::move(*conn), cluster);
  }
  // A connection to another database of this test (`n` names it; fresh at the first
  // connection), for tests that need several (each earlier schema version apart).
  std::unique_ptr<AcctStore> ConnectOther(int n, const std::string& cluster = "c1") {
    const std::string db = "other" + std::to_string(n);
    Result<std::unique_ptr<SqlConn>> conn = InvalidArgument("no database");
    if (GetParam() == "postgresql") {
      std::string& info = others_[n];
      if (info.empty())
        info = PgServer::Get().NewDatabase(conninfo_.substr(conninfo_.rfind('=') + 1) + "_" + db);
      conn = OpenPostgres(info);
    } else {
      conn = OpenSqlite(dir_ + "/" + db + ".db", false);
    }
    EXPECT_TRUE(conn.ok()) << conn.error().message();
    if (!conn.ok()) return nullptr;
    return std::make_unique<AcctStore>(std::move(*conn), cluster);
  }
  // Connected and migrated to the current schema.
  std::unique_ptr<AcctStore> Open(const std::string& cluster = "c1") {
    auto s = Connect(cluster);
    if (s == nullptr) return nullptr;
    Status m = s->Migrate();
    EXPECT_TRUE(m.ok()) << m.message();
    return s;
  }

  // The StorageConfig that names this test's database (for OpenStore and the feed).
  StorageConfig Config() const {
    StorageConfig c;
    c.cluster = "c1";
    if (GetParam() == "postgresql") {
      c.type = "accounting_storage/pgsql";
      c.host = PgServer::Get().socket_dir();
      c.port = PgServer::Get().port();
      c.user = "postgres";
      c.loc = conninfo_.substr(conninfo_.rfind('=') + 1);
    } else {
      c.type = "accounting_storage/sqlite";
      c.loc = dir_ + "/acct.db";
    }
    return c;
  }

  std::string dir_;
  std::string conninfo_;
  std::map<int, std::string> others_;  // ConnectOther's PostgreSQL databases
};

}  // namespace herd::ctld::acct::testing
