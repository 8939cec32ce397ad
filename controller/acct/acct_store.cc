// herd — AcctStore: rows in and out. Every statement is prepared (values are bound, never
// spliced into SQL text); a query's text depends only on which filters it uses.
#include "controller/acct/acct_store.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>

#include "controller/acct/acct_columns.h"

namespace herd::ctld::acct {
namespace {

using V = SqlValue;

std::vector<SqlValue> JobValues(const JobRow& j) {
  return {V::Int(static_cast<int64_t>(j.job_id)),
          V::IntOrNull(j.array_job_id),
          V::IntOrNull(j.array_task_id),
          V::Text(j.name),
          V::Int(j.uid),
          V::Text(j.user),
          V::Int(j.gid),
          V::Text(j.account),
          V::Text(j.qos),
          V::Text(j.partition),
          V::Int(j.submit_time),
          V::Int(j.eligible_time),
          V::Int(j.start_time),
          V::Int(j.end_time),
          V::Int(j.state),
          V::Text(j.reason),
          V::Int(j.exit_status),
          V::Int(j.derived_exit),
          V::Text(j.nodes),
          V::Int(j.nnodes),
          V::Int(j.alloc_cpus),
          V::Int(static_cast<int64_t>(j.alloc_mem_mb)),
          V::Int(j.req_cpus),
          V::Int(static_cast<int64_t>(j.req_mem_mb)),
          V::Int(j.req_mem_per_cpu ? 1 : 0),
          V::Int(j.req_nodes),
          V::Int(j.time_limit_s),
          V::Text(j.work_dir),
          V::Text(j.submit_line),
          V::Int(j.priority),
          V::Int(j.restarts),
          V::Int(j.batch ? 1 : 0)};
}

std::vector<SqlValue> StepValues(const StepRow& s) {
  return {V::Int(static_cast<int64_t>(s.job_id)),
          V::Int(s.step_id),
          V::Text(s.name),
          V::Int(s.state),
          V::Int(s.start_time),
          V::Int(s.end_time),
          V::Int(s.exit_status),
          V::Text(s.nodes),
          V::Int(s.nnodes),
          V::Int(s.ntasks),
          V::Int(s.alloc_cpus),
          V::IntOrNull(s.user_cpu_us),
          V::IntOrNull(s.sys_cpu_us),
          V::IntOrNull(s.max_rss_kb),
          s.max_rss_node.empty() ? V::Null() : V::Text(s.max_rss_node),
          V::IntOrNull(s.max_rss_task),
          V::IntOrNull(s.ave_rss_kb),
          V::IntOrNull(s.max_vmsize_kb),
          V::IntOrNull(s.disk_read_bytes),
          V::IntOrNull(s.disk_write_bytes),
          V::IntOrNull(s.energy_j)};
}

StepRow StepOf(const SqlRow& r) {
  StepRow s;
  size_t c = 0;
  s.job_id = static_cast<uint64_t>(r.AsInt(c++));
  s.step_id = static_cast<uint32_t>(r.AsInt(c++));
  s.name = r.AsText(c++);
  s.state = static_cast<int>(r.AsInt(c++));
  s.start_time = r.AsInt(c++);
  s.end_time = r.AsInt(c++);
  s.exit_status = static_cast<int32_t>(r.AsInt(c++));
  s.nodes = r.AsText(c++);
  s.nnodes = static_cast<uint32_t>(r.AsInt(c++));
  s.ntasks = static_cast<uint32_t>(r.AsInt(c++));
  s.alloc_cpus = static_cast<uint32_t>(r.AsInt(c++));
  s.user_cpu_us = r.AsInt(c++, -1);
  s.sys_cpu_us = r.AsInt(c++, -1);
  s.max_rss_kb = r.AsInt(c++, -1);
  s.max_rss_node = r.AsText(c++);
  s.max_rss_task = r.AsInt(c++, -1);
  s.ave_rss_kb = r.AsInt(c++, -1);
  s.max_vmsize_kb = r.AsInt(c++, -1);
  s.disk_read_bytes = r.AsInt(c++, -1);
  s.disk_write_bytes = r.AsInt(c++, -1);
  s.energy_j = r.AsInt(c++, -1);
  return s;
}

// "INSERT INTO t (cluster, cols) VALUES ($1, ..., $n+1) ON CONFLICT (keys) DO UPDATE SET
// col = excluded.col, ...": a row sent again replaces the one stored.
std::string Upsert(const std::string& table, const std::string& cols, int ncols,
                   const std::string& keys, size_t nkeys) {
  std::string sql = "INSERT INTO " + table + " (cluster, " + cols + ") VALUES (";
  for (int i = 1; i <= ncols + 1; ++i) sql += (i > 1 ? ", $" : "$") + std::to_string(i);
  sql += ") ON CONFLICT (" + keys + ") DO UPDATE SET ";
  // The columns after the keys (the first nkeys - 1 of `cols`, after cluster, are keys).
  size_t pos = 0, index = 0;
  bool first = true;
  while (pos <= cols.size()) {
    size_t comma = cols.find(',', pos);
    std::string c = cols.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    while (!c.empty() && c.front() == ' ') c.erase(0, 1);
    if (++index >= nkeys) {
      sql += (first ? "" : ", ") + c + " = excluded." + c;
      first = false;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return sql;
}

void AppendIn(std::string* sql, std::vector<SqlValue>* params, const char* col,
              const std::vector<SqlValue>& values) {
  if (values.empty()) return;
  *sql += std::string(" AND ") + col + " IN (";
  for (size_t i = 0; i < values.size(); ++i) {
    params->push_back(values[i]);
    *sql += (i == 0 ? "$" : ", $") + std::to_string(params->size());
  }
  *sql += ")";
}

template <class T, class F>
std::vector<SqlValue> ValuesOf(const std::vector<T>& in, F f) {
  std::vector<SqlValue> out;
  for (const T& x : in) out.push_back(f(x));
  return out;
}

}  // namespace

AcctStore::AcctStore(std::unique_ptr<SqlConn> conn, std::string cluster)
    : conn_(std::move(conn)), cluster_(std::move(cluster)) {}

Status AcctStore::Prepared(const std::string& sql, const std::vector<SqlValue>& params,
                           std::vector<SqlRow>* out) {
  // The text is the name: one preparation per distinct statement and connection.
  HERD_RETURN_IF_ERROR(conn_->Prepare(sql, sql));
  return conn_->Run(sql, params, out);
}

Status AcctStore::PreparedEach(const std::string& sql, const std::vector<SqlValue>& params,
                               const std::function<void(const SqlRow&)>& each) {
  HERD_RETURN_IF_ERROR(conn_->Prepare(sql, sql));
  return conn_->RunEach(sql, params, each);
}

Status AcctStore::PutJob(const JobRow& j) {
  static const std::string sql = Upsert("jobs", kJobCols, kJobColCount, "cluster, job_id", 2);
  std::vector<SqlValue> p{V::Text(cluster_)};
  for (auto& v : JobValues(j)) p.push_back(std::move(v));
  return Prepared(sql, p, nullptr);
}

Status AcctStore::PutStep(const StepRow& s) {
  static const std::string sql =
      Upsert("steps", kStepCols, kStepColCount, "cluster, job_id, step_id", 3);
  std::vector<SqlValue> p{V::Text(cluster_)};
  for (auto& v : StepValues(s)) p.push_back(std::move(v));
  return Prepared(sql, p, nullptr);
}

Status AcctStore::PutNodeEvent(const NodeEventRow& e) {
  // A change closes the node's open period; "UP" opens none, and closes one begun in the
  // same second too (a change of state in that second replaces the period's state
  // instead). Sent again, a period keeps the end a later change gave it.
  const bool up = e.state == "UP";
  HERD_RETURN_IF_ERROR(
      Prepared(up ? "UPDATE node_events SET time_end = $3 WHERE cluster = $1 AND node = $2 AND"
                    " time_end = 0 AND time_start <= $3"
                  : "UPDATE node_events SET time_end = $3 WHERE cluster = $1 AND node = $2 AND"
                    " time_end = 0 AND time_start < $3",
               {V::Text(cluster_), V::Text(e.node), V::Int(e.time_start)}, nullptr));
  if (up) return Status::Ok();
  return Prepared(
      "INSERT INTO node_events (cluster, node, time_start, time_end, state, reason, reason_uid)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cluster, node, time_start) DO UPDATE"
      " SET state = excluded.state, reason = excluded.reason, reason_uid = excluded.reason_uid",
      {V::Text(cluster_), V::Text(e.node), V::Int(e.time_start), V::Int(e.time_end),
       V::Text(e.state), V::Text(e.reason), V::Int(e.reason_uid)},
      nullptr);
}

Status AcctStore::Put(const Batch& batch) {
  HERD_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  Status s;
  for (size_t i = 0; i < batch.jobs.size() && s.ok(); ++i) {
    if (schema_ >= 3) s = RollJob(batch.jobs[i]);  // reads the row PutJob replaces
    if (s.ok()) s = PutJob(batch.jobs[i]);
  }
  if (s.ok()) {
    s = FlushUsage();
  } else {
    usage_delta_.clear();
  }
  for (size_t i = 0; i < batch.steps.size() && s.ok(); ++i) s = PutStep(batch.steps[i]);
  for (size_t i = 0; i < batch.node_events.size() && s.ok(); ++i) {
    s = PutNodeEvent(batch.node_events[i]);
  }
  if (s.ok()) s = conn_->Exec("COMMIT");
  if (!s.ok()) (void)conn_->Exec("ROLLBACK");
  return s;
}

Result<std::vector<JobRow>> AcctStore::Jobs(const JobQuery& q) {
  HERD_ASSIGN_OR_RETURN(const std::vector<const JobColumn*> cols, SelectJobColumns(q.columns));
  std::vector<SqlValue> p{V::Text(cluster_)};
  std::string sql = "SELECT " + SelectList(cols) + " FROM jobs WHERE cluster = $1";
  auto u64 = [](uint64_t x) { return V::Int(static_cast<int64_t>(x)); };
  auto text = [](const std::string& x) { return V::Text(x); };
  AppendIn(&sql, &p, "job_id", ValuesOf(q.job_ids, u64));
  AppendIn(&sql, &p, "uid", ValuesOf(q.uids, [](uint32_t x) { return V::Int(x); }));
  AppendIn(&sql, &p, "account", ValuesOf(q.accounts, text));
  AppendIn(&sql, &p, "name", ValuesOf(q.names, text));
  AppendIn(&sql, &p, "part", ValuesOf(q.partitions, text));
  if (!q.states.empty()) return JobsInStates(q, cols, sql, p);
  if (q.end > 0) {
    p.push_back(V::Int(q.end));
    sql += " AND submit_time <= $" + std::to_string(p.size());
  }
  // A window is two queries, jobs ended in it and jobs not ended, each of which an index
  // on (cluster, [uid,] end_time) serves (one with an OR would scan). No ORDER BY in SQL
  // either: it makes the planner walk the primary key instead; rows are sorted here.
  std::vector<std::string> parts{""};
  if (q.start > 0) {
    p.push_back(V::Int(q.start));
    parts = {" AND end_time >= $" + std::to_string(p.size()), " AND end_time = 0"};
  }
  std::vector<JobRow> found;
  for (const std::string& part : parts) {
    std::vector<SqlValue> params = p;
    std::string text_sql = sql + part;
    if (part.find('$') == std::string::npos && q.start > 0) params.pop_back();
    if (q.limit > 0) {
      params.push_back(V::Int(static_cast<int64_t>(q.limit)));
      text_sql += " ORDER BY job_id LIMIT $" + std::to_string(params.size());
    }
    HERD_RETURN_IF_ERROR(PreparedEach(text_sql, params,
                                      [&](const SqlRow& r) { found.push_back(ReadJob(r, cols)); }));
  }
  // By job id: an order of indexes applied in place, each row moved about once (sorting
  // the rows themselves moved each of hundreds of thousands many times).
  std::vector<std::pair<uint64_t, uint32_t>> order;  // (job id, index): sorted in cache
  order.reserve(found.size());
  for (size_t i = 0; i < found.size(); ++i) order.emplace_back(found[i].job_id, i);
  std::sort(order.begin(), order.end());
  std::vector<bool> placed(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (placed[i] || order[i].second == i) continue;
    JobRow first = std::move(found[i]);
    for (size_t at = i;;) {
      placed[at] = true;
      const size_t from = order[at].second;
      if (from == i) {
        found[at] = std::move(first);
        break;
      }
      found[at] = std::move(found[from]);
      at = from;
    }
  }
  if (q.limit > 0 && found.size() > q.limit) found.resize(q.limit);
  std::vector<JobRow> jobs = std::move(found);
  if (q.with_steps && !jobs.empty()) HERD_RETURN_IF_ERROR(LoadSteps(&jobs));
  return jobs;
}

// sacct -s over a window [start, end]: a job is in a state during it when it was pending
// (submitted before the end, not started before the start), running (started before the
// end, not ended before the start), or for an ended state, is in it now and ended in the
// window. One query per kind (each an index can serve), merged.
Result<std::vector<JobRow>> AcctStore::JobsInStates(const JobQuery& q,
                                                    const std::vector<const JobColumn*>& cols,
                                                    const std::string& base,
                                                    const std::vector<SqlValue>& base_params) {
  const int64_t start = q.start, end = q.end > 0 ? q.end : INT64_MAX;
  std::vector<SqlValue> ended;
  std::vector<std::pair<std::string, std::vector<SqlValue>>> parts;
  auto bound = [](std::vector<SqlValue>* p, int64_t v) {
    p->push_back(V::Int(v));
    return "$" + std::to_string(p->size());
  };
  for (int st : q.states) {
    std::vector<SqlValue> p = base_params;
    if (st == 0) {  // PENDING
      std::string sql = base + " AND submit_time <= " + bound(&p, end);
      sql += " AND (start_time = 0 OR start_time >= " + bound(&p, start) + ")";
      parts.emplace_back(sql, p);
    } else if (st == 1) {  // RUNNING
      std::string sql = base + " AND start_time > 0 AND start_time <= " + bound(&p, end);
      sql += " AND end_time = 0";
      parts.emplace_back(sql, p);
      p = base_params;
      sql = base + " AND start_time > 0 AND start_time <= " + bound(&p, end);
      sql += " AND end_time >= " + bound(&p, start);
      parts.emplace_back(sql, p);
    } else {
      ended.push_back(V::Int(st));
    }
  }
  if (!ended.empty()) {
    std::vector<SqlValue> p = base_params;
    std::string sql = base;
    AppendIn(&sql, &p, "state", ended);
    sql += " AND end_time >= " + bound(&p, std::max<int64_t>(start, 1));
    sql += " AND end_time <= " + bound(&p, end);
    parts.emplace_back(sql, p);
  }
  std::map<uint64_t, JobRow> found;
  for (auto& [sql, params] : parts) {
    HERD_RETURN_IF_ERROR(PreparedEach(sql, params, [&found, &cols](const SqlRow& r) {
      JobRow j = ReadJob(r, cols);
      found.emplace(j.job_id, std::move(j));
    }));
  }
  std::vector<JobRow> jobs;
  for (auto& [id, j] : found) {
    if (q.limit > 0 && jobs.size() >= q.limit) break;
    jobs.push_back(std::move(j));
  }
  if (q.with_steps && !jobs.empty()) HERD_RETURN_IF_ERROR(LoadSteps(&jobs));
  return jobs;
}

Status AcctStore::LoadSteps(std::vector<JobRow>* jobs) {
  // Steps of the jobs found, in chunks (bounded statement size).
  constexpr size_t kChunk = 256;
  for (size_t at = 0; at < jobs->size(); at += kChunk) {
    size_t n = std::min(kChunk, jobs->size() - at);
    std::vector<SqlValue> ids;
    for (size_t i = 0; i < n; ++i)
      ids.push_back(V::Int(static_cast<int64_t>((*jobs)[at + i].job_id)));
    std::vector<SqlValue> p{V::Text(cluster_)};
    std::string sql = std::string("SELECT ") + kStepCols + " FROM steps WHERE cluster = $1";
    AppendIn(&sql, &p, "job_id", ids);
    sql += " ORDER BY job_id, step_id";
    std::vector<SqlRow> rows;
    HERD_RETURN_IF_ERROR(Prepared(sql, p, &rows));
    size_t j = at;
    for (const SqlRow& r : rows) {
      StepRow s = StepOf(r);
      while (j < at + n && (*jobs)[j].job_id != s.job_id) ++j;
      if (j == at + n) break;  // ordered alike: cannot happen
      (*jobs)[j].steps.push_back(std::move(s));
    }
  }
  return Status::Ok();
}

Result<std::vector<NodeEventRow>> AcctStore::NodeEvents(const EventQuery& q) {
  std::vector<SqlValue> p{V::Text(cluster_)};
  std::string sql =
      "SELECT node, time_start, time_end, state, reason, reason_uid FROM node_events"
      " WHERE cluster = $1";
  auto text = [](const std::string& x) { return V::Text(x); };
  AppendIn(&sql, &p, "node", ValuesOf(q.nodes, text));
  AppendIn(&sql, &p, "state", ValuesOf(q.states, text));
  AppendIn(&sql, &p, "reason_uid", ValuesOf(q.uids, [](uint32_t x) { return V::Int(x); }));
  if (q.open_only) {
    sql += " AND time_end = 0";
  } else if (q.start > 0) {
    p.push_back(V::Int(q.start));
    sql += " AND (time_end = 0 OR time_end >= $" + std::to_string(p.size()) + ")";
  }
  if (q.end > 0) {
    p.push_back(V::Int(q.end));
    sql += " AND time_start <= $" + std::to_string(p.size());
  }
  sql += " ORDER BY node, time_start";
  std::vector<SqlRow> rows;
  HERD_RETURN_IF_ERROR(Prepared(sql, p, &rows));
  std::vector<NodeEventRow> out;
  for (const SqlRow& r : rows) {
    out.push_back({r.AsText(0), r.AsInt(1), r.AsInt(2), r.AsText(3), r.AsText(4),
                   static_cast<uint32_t>(r.AsInt(5))});
  }
  return out;
}

namespace {
// libpq connection-string value: single-quoted, with \ and ' escaped.
std::string PgQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}
}  // namespace

StorageConfig StorageConfigOf(const ClusterConfig& config) {
  StorageConfig c;
  c.type = config.acct_type;
  c.loc = config.acct_loc;
  if (c.loc.empty() && c.type == "accounting_storage/sqlite") {
    c.loc = config.state_dir + "/accounting.db";
  }
  c.host = config.acct_host;
  c.port = config.acct_port;
  c.user = config.acct_user;
  c.pass_file = config.acct_pass_file;
  c.cluster = config.cluster_name;
  return c;
}

Result<std::unique_ptr<AcctStore>> OpenStore(const StorageConfig& c, bool read_only) {
  std::unique_ptr<SqlConn> conn;
  if (c.type == "accounting_storage/sqlite") {
    if (c.loc.empty()) return InvalidArgument("AccountingStorageLoc: the SQLite file is not set");
    HERD_ASSIGN_OR_RETURN(conn, OpenSqlite(c.loc, read_only));
  } else if (c.type == "accounting_storage/pgsql" || c.type == "accounting_storage/postgresql") {
    std::string ci = "dbname=" + PgQuote(c.loc.empty() ? "herd" : c.loc);
    if (!c.host.empty()) ci += " host=" + PgQuote(c.host);
    if (c.port != 0) ci += " port=" + std::to_string(c.port);
    if (!c.user.empty()) ci += " user=" + PgQuote(c.user);
    if (!c.pass_file.empty()) {
      std::ifstream in(c.pass_file);
      std::string pass;
      if (!in || !std::getline(in, pass)) {
        return PermissionDenied("AccountingStoragePass: cannot read " + c.pass_file);
      }
      ci += " password=" + PgQuote(pass);
    }
    ci += " connect_timeout=5 application_name=herd";
    HERD_ASSIGN_OR_RETURN(conn, OpenPostgres(ci));
  } else {
    return InvalidArgument("AccountingStorageType: unknown type '" + c.type + "'");
  }
  auto store = std::make_unique<AcctStore>(std::move(conn), c.cluster);
  if (!read_only) HERD_RETURN_IF_ERROR(store->Migrate());
  return store;
}

}  // namespace herd::ctld::acct
