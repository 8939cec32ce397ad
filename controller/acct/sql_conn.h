// herd — the little of a SQL database that accounting needs, over each database's own
// client library: statements prepared once and run with bound values, transactions. One
// SQL text serves both back-ends: parameters are written $1, $2, ... (PostgreSQL's form;
// SQLite takes them as named parameters, bound by name).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::ctld::acct {

struct SqlValue {
  enum Kind { kNull, kInt, kText } kind = kNull;
  int64_t i = 0;
  std::string s;
  static SqlValue Null() { return {}; }
  static SqlValue Int(int64_t v) { return {kInt, v, {}}; }
  static SqlValue Text(std::string v) { return {kText, 0, std::move(v)}; }
  // -1 means unknown (acct_record.h): NULL.
  static SqlValue IntOrNull(int64_t v) { return v < 0 ? Null() : Int(v); }
};

// A result row: NULL columns are kNull; the rest as the database gives them (PostgreSQL
// gives text, which AsInt reads).
struct SqlRow {
  std::vector<SqlValue> cols;
  bool IsNull(size_t c) const { return cols[c].kind == SqlValue::kNull; }
  int64_t AsInt(size_t c, int64_t if_null = 0) const;
  std::string AsText(size_t c) const;
};

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  // Statements without parameters or results (schema changes, BEGIN, COMMIT).
  virtual Status Exec(const std::string& sql) = 0;
  // Prepares `sql` under `name` (once per connection).
  virtual Status Prepare(const std::string& name, const std::string& sql) = 0;
  // Runs a prepared statement; rows go to `out` when it is not null.
  Status Run(const std::string& name, const std::vector<SqlValue>& params,
             std::vector<SqlRow>* out) {
    if (out == nullptr) return RunEach(name, params, nullptr);
    return RunEach(name, params, [out](const SqlRow& r) { out->push_back(r); });
  }
  // The same, each row handed to `each` as it comes (one row object, reused: a large
  // answer is never held twice); `each` may be null.
  virtual Status RunEach(const std::string& name, const std::vector<SqlValue>& params,
                         const std::function<void(const SqlRow&)>& each) = 0;
  // "sqlite" or "postgresql".
  virtual const char* Kind() const = 0;
};

// A SQLite database file, created if missing (WAL journal, every commit synced).
Result<std::unique_ptr<SqlConn>> OpenSqlite(const std::string& path, bool read_only);
// A PostgreSQL server: libpq's connection string ("host=/tmp port=5432 dbname=herd").
Result<std::unique_ptr<SqlConn>> OpenPostgres(const std::string& conninfo);

}  // namespace herd::ctld::acct
