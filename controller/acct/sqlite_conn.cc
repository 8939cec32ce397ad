// herd — SqlConn over SQLite's C library.
#include <sqlite3.h>

#include <cstdlib>
#include <map>

#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {

int64_t SqlRow::AsInt(size_t c, int64_t if_null) const {
  const SqlValue& v = cols[c];
  if (v.kind == SqlValue::kNull) return if_null;
  if (v.kind == SqlValue::kInt) return v.i;
  return std::strtoll(v.s.c_str(), nullptr, 10);
}

std::string SqlRow::AsText(size_t c) const {
  const SqlValue& v = cols[c];
  if (v.kind == SqlValue::kInt) return std::to_string(v.i);
  return v.s;
}

namespace {

class SqliteConn : public SqlConn {
 public:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  ~SqliteConn() override {
    for (auto& [name, st] : stmts_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }

  Status Exec(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Fail(m);
    }
    return Status::Ok();
  }

  Status Prepare(const std::string& name, const std::string& sql) override {
    if (stmts_.count(name) != 0) return Status::Ok();
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      return Fail("preparing " + name + ": " + sqlite3_errmsg(db_));
    }
    stmts_[name] = st;
    return Status::Ok();
  }

  Status RunEach(const std::string& name, const std::vector<SqlValue>& params,
                 const std::function<void(const SqlRow&)>& each) override {
    auto it = stmts_.find(name);
    if (it == stmts_.end()) return Internal("statement " + name + " is not prepared");
    sqlite3_stmt* st = it->second;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& p = params[i];
      // By name: SQLite numbers named parameters in order of first appearance.
      const std::string pname = "$" + std::to_string(i + 1);
      int idx = sqlite3_bind_parameter_index(st, pname.c_str());
      if (idx == 0) continue;  // not used by the statement
      int rc = SQLITE_OK;
      if (p.kind == SqlValue::kInt) {
        rc = sqlite3_bind_int64(st, idx, p.i);
      } else if (p.kind == SqlValue::kText) {
        rc = sqlite3_bind_text(st, idx, p.s.data(), static_cast<int>(p.s.size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(st, idx);
      }
      if (rc != SQLITE_OK) return Fail("binding " + name + ": " + sqlite3_errmsg(db_));
    }
    SqlRow row;  // reused: its strings keep their buffers from row to row
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status s = Fail(name + ": " + sqlite3_errmsg(db_));
        sqlite3_reset(st);
        return s;
      }
      if (!each) continue;
      const int n = sqlite3_column_count(st);
      row.cols.resize(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        SqlValue& v = row.cols[static_cast<size_t>(c)];
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_NULL:
            v.kind = SqlValue::kNull;
            break;
          case SQLITE_INTEGER:
            v.kind = SqlValue::kInt;
            v.i = sqlite3_column_int64(st, c);
            break;
          default: {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
            v.kind = SqlValue::kText;
            v.s.assign(t, static_cast<size_t>(sqlite3_column_bytes(st, c)));
          }
        }
      }
      each(row);
    }
    sqlite3_reset(st);
    return Status::Ok();
  }

  const char* Kind() const override { return "sqlite"; }

 private:
  Status Fail(const std::string& m) const {
    int code = sqlite3_errcode(db_);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
        code == SQLITE_FULL || code == SQLITE_CANTOPEN) {
      return Unavailable("sqlite: " + m);
    }
    return Internal("sqlite: " + m);
  }

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> stmts_;
};

}  // namespace

Result<std::unique_ptr<SqlConn>> OpenSqlite(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string m = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("sqlite: cannot open " + path + ": " + m);
  }
  // A writer and readers (hacct) at once: WAL. synchronous=FULL: a committed batch is on
  // disk, since the controller forgets what it was told is stored.
  sqlite3_busy_timeout(db, 5000);
  auto conn = std::make_unique<SqliteConn>(db);
  if (!read_only) {
    HERD_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
  }
  return std::unique_ptr<SqlConn>(std::move(conn));
}

}  // namespace herd::ctld::acct
