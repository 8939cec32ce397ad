// herd — SqlConn over libpq. Values travel as text; the server casts them to the columns'
// types. A lost connection is kUnavailable: the caller opens a new one and tries again.
#include <libpq-fe.h>

#include <map>

#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {
namespace {

class PgConn : public SqlConn {
 public:
  explicit PgConn(PGconn* c) : c_(c) {}
  ~PgConn() override { PQfinish(c_); }

  Status Exec(const std::string& sql) override {
    PGresult* r = PQexec(c_, sql.c_str());
    Status s = Check(r, sql.substr(0, 40));
    PQclear(r);
    return s;
  }

  Status Prepare(const std::string& name, const std::string& sql) override {
    if (prepared_.count(name) != 0) return Status::Ok();
    // The server keeps 63 bytes of a statement's name: ours are numbered.
    std::string server_name = "herd" + std::to_string(prepared_.size());
    PGresult* r = PQprepare(c_, server_name.c_str(), sql.c_str(), 0, nullptr);
    Status s = Check(r, "preparing " + name);
    PQclear(r);
    if (s.ok()) prepared_[name] = server_name;
    return s;
  }

  Status RunEach(const std::string& name, const std::vector<SqlValue>& params,
                 const std::function<void(const SqlRow&)>& each) override {
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].kind == SqlValue::kNull) continue;
      text[i] = params[i].kind == SqlValue::kInt ? std::to_string(params[i].i) : params[i].s;
      values[i] = text[i].c_str();
    }
    auto it = prepared_.find(name);
    if (it == prepared_.end()) return Internal("statement " + name + " is not prepared");
    PGresult* r = PQexecPrepared(c_, it->second.c_str(), static_cast<int>(params.size()),
                                 values.data(), nullptr, nullptr, 0);
    Status s = Check(r, name);
    if (s.ok() && each) {
      const int rows = PQntuples(r), cols = PQnfields(r);
      SqlRow row;  // reused
      row.cols.resize(static_cast<size_t>(cols));
      for (int i = 0; i < rows; ++i) {
        for (int c = 0; c < cols; ++c) {
          SqlValue& v = row.cols[static_cast<size_t>(c)];
          if (PQgetisnull(r, i, c)) {
            v.kind = SqlValue::kNull;
          } else {
            v.kind = SqlValue::kText;
            v.s.assign(PQgetvalue(r, i, c), static_cast<size_t>(PQgetlength(r, i, c)));
          }
        }
        each(row);
      }
    }
    PQclear(r);
    return s;
  }

  const char* Kind() const override { return "postgresql"; }

 private:
  Status Check(PGresult* r, const std::string& what) const {
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    std::string m = "postgresql: " + what + ": " + PQerrorMessage(c_);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    if (PQstatus(c_) != CONNECTION_OK) return Unavailable(m);
    return Internal(m);
  }

  PGconn* c_;
  std::map<std::string, std::string> prepared_;  // our name -> the server's
};

}  // namespace

Result<std::unique_ptr<SqlConn>> OpenPostgres(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (c == nullptr) return Unavailable("postgresql: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string m = PQerrorMessage(c);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    PQfinish(c);
    return Unavailable("postgresql: cannot connect: " + m);
  }
  auto conn = std::make_unique<PgConn>(c);
  // Notices (e.g. "relation already exists, skipping") are not errors; keep them off stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<SqlConn>(std::move(conn));
}

}  // namespace herd::ctld::acct
