// herd — archive files: the purged tables, the writer, the field escapes, and
// AcctStore::LoadArchive, which stores a file's rows again.
#include "controller/acct/acct_archive.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>

#include "common/base/fs.h"
#include "common/base/strings.h"
#include "controller/acct/acct_columns.h"
#include "controller/acct/acct_purge.h"
#include "controller/acct/acct_store.h"

namespace herd::ctld::acct {
namespace {

constexpr char kMagic[] = "herd accounting archive";

const ArchiveTable kTables[] = {
    {"jobs", "job_table", kJobCols, "job_id", "end_time"},
    {"steps", "step_table", kStepCols, "job_id, step_id", "end_time"},
    {"node_events", "event_table", "node, time_start, time_end, state, reason, reason_uid",
     "node, time_start", "time_end"},
    {"usage_hourly", "usage_table", "hour, account, user_name, uid, cpus, cpu_s",
     "hour, account, user_name, cpus", "hour"},
};

std::vector<std::string> Names(const char* list) {
  std::vector<std::string> out;
  for (const std::string& n : Split(list, ',')) out.push_back(Trim(n));
  return out;
}

std::string UtcStamp(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

Status Errno(const std::string& what, const std::string& path) {
  return Unavailable("archive: " + what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

const ArchiveTable* FindArchiveTable(const std::string& name) {
  for (const ArchiveTable& t : kTables) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

PurgeSelection EndedJobs() { return {&kTables[0], "end_time != 0 AND end_time < $2"}; }
PurgeSelection StepsOfEndedJobs() {
  return {&kTables[1],
          "job_id IN (SELECT job_id FROM jobs WHERE cluster = $1 AND end_time != 0 AND"
          " end_time < $2)"};
}
PurgeSelection EndedSteps() { return {&kTables[1], "end_time != 0 AND end_time < $2"}; }
PurgeSelection EndedNodeEvents() { return {&kTables[2], "time_end != 0 AND time_end < $2"}; }
PurgeSelection PastUsageHours() { return {&kTables[3], "hour + 3600 <= $2"}; }

std::string EscapeArchiveField(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<std::string> UnescapeArchiveField(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size()) return InvalidArgument("a field ends in a lone backslash");
    switch (field[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return InvalidArgument(std::string("unknown escape \\") + field[i]);
    }
  }
  return out;
}

ArchiveWriter::ArchiveWriter(std::string dir, std::string cluster, const ArchiveTable& table,
                             int64_t first, int64_t cutoff)
    : dir_(std::move(dir)), cluster_(std::move(cluster)), table_(table) {
  base_ = dir_ + "/" + cluster_ + "_" + table_.object + "_archive_" + UtcStamp(first) + "_" +
          UtcStamp(cutoff);
}

ArchiveWriter::~ArchiveWriter() {
  if (file_ != nullptr) {
    std::fclose(file_);
    ::unlink(tmp_.c_str());
  }
}

Status ArchiveWriter::OpenFile() {
  if (Status made = MakeDirs(dir_, 0700); !made.ok()) {
    return Unavailable("archive: " + made.message());
  }
  tmp_ = base_ + ".tmp";
  int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot write", tmp_);
  file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    ::close(fd);
    return Errno("cannot write", tmp_);
  }
  std::string head = std::string(kMagic) + "\t" + std::to_string(kArchiveFormatVersion) +
                     "\ncluster\t" + EscapeArchiveField(cluster_) + "\ntable\t" + table_.name +
                     "\ncolumns";
  for (const std::string& c : Names(table_.columns)) head += "\t" + c;
  head += "\n";
  std::fputs(head.c_str(), file_);
  rows_in_file_ = 0;
  return Status::Ok();
}

Status ArchiveWriter::Add(const SqlRow& row) {
  if (file_ == nullptr) HERD_RETURN_IF_ERROR(OpenFile());
  std::string line;
  for (size_t c = 0; c < row.cols.size(); ++c) {
    if (c > 0) line += '\t';
    line += row.IsNull(c) ? "\\N" : EscapeArchiveField(row.AsText(c));
  }
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
    return Errno("cannot write", tmp_);
  }
  if (++rows_in_file_ == kArchiveRowsPerFile) return CloseFile();
  return Status::Ok();
}

Status ArchiveWriter::CloseFile() {
  std::fprintf(file_, "end\t%llu\n", static_cast<unsigned long long>(rows_in_file_));
  const bool written = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!written || !closed) {
    Status s = Errno("cannot write", tmp_);
    ::unlink(tmp_.c_str());
    return s;
  }
  // link() never replaces: a name in use (an earlier purge's file) keeps its rows.
  for (;; ++next_part_) {
    const std::string name = next_part_ == 1 ? base_ : base_ + "." + std::to_string(next_part_);
    if (::link(tmp_.c_str(), name.c_str()) == 0) {
      written_.push_back(name);
      ++next_part_;
      break;
    }
    if (errno != EEXIST) {
      Status s = Errno("cannot name", name);
      ::unlink(tmp_.c_str());
      return s;
    }
  }
  ::unlink(tmp_.c_str());
  return FsyncDir(dir_);
}

Status ArchiveWriter::Finish(std::vector<std::string>* files) {
  if (file_ != nullptr) HERD_RETURN_IF_ERROR(CloseFile());
  files->insert(files->end(), written_.begin(), written_.end());
  return Status::Ok();
}

Status AcctStore::PurgeRows(const PurgeSelection& sel, int64_t cutoff, bool archive,
                            const std::string& dir, uint64_t* deleted,
                            std::vector<std::string>* files) {
  const ArchiveTable& t = *sel.table;
  const std::string where = std::string(" FROM ") + t.name + " WHERE cluster = $1 AND " + sel.where;
  const std::vector<SqlValue> params{SqlValue::Text(cluster_), SqlValue::Int(cutoff)};
  std::vector<SqlRow> rows;
  HERD_RETURN_IF_ERROR(
      Prepared(std::string("SELECT COUNT(*), MIN(") + t.dated_by + ")" + where, params, &rows));
  const int64_t count = rows.empty() ? 0 : rows[0].AsInt(0);
  if (count == 0) return Status::Ok();
  if (archive) {
    ArchiveWriter writer(dir, cluster_, t, rows[0].AsInt(1), cutoff);
    Status added;
    HERD_RETURN_IF_ERROR(
        PreparedEach(std::string("SELECT ") + t.columns + where + " ORDER BY " + t.keys, params,
                     [&](const SqlRow& r) {
                       if (added.ok()) added = writer.Add(r);
                     }));
    HERD_RETURN_IF_ERROR(added);
    HERD_RETURN_IF_ERROR(writer.Finish(files));
  }
  HERD_RETURN_IF_ERROR(Prepared("DELETE" + where, params, nullptr));
  *deleted += static_cast<uint64_t>(count);
  return Status::Ok();
}

Result<ArchiveLoad> AcctStore::LoadArchive(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read " + path);
  auto bad = [&path](const std::string& what) {
    return InvalidArgument(path + ": not a herd accounting archive: " + what);
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> magic = Split(line, '\t', /*keep_empty=*/true);
  if (magic.size() != 2 || magic[0] != kMagic) return bad("its first line is not the header");
  auto version = ParseUint(magic[1], 1000);
  if (!version.ok()) return bad("no format version");
  if (*version > static_cast<uint64_t>(kArchiveFormatVersion)) {
    return FailedPrecondition(path + ": archive format " + magic[1] +
                              " was written by a newer herd (this one reads up to " +
                              std::to_string(kArchiveFormatVersion) + ")");
  }
  std::string cluster, table_name;
  std::vector<std::string> columns;
  for (const char* key : {"cluster", "table", "columns"}) {
    if (!std::getline(in, line)) return bad(std::string("no ") + key + " line");
    std::vector<std::string> f = Split(line, '\t', /*keep_empty=*/true);
    if (f.size() < 2 || f[0] != key) return bad(std::string("no ") + key + " line");
    if (f[0] == "cluster") {
      HERD_ASSIGN_OR_RETURN(cluster, UnescapeArchiveField(f[1]));
    } else if (f[0] == "table") {
      table_name = f[1];
    } else {
      columns.assign(f.begin() + 1, f.end());
    }
  }
  const ArchiveTable* t = FindArchiveTable(table_name);
  if (t == nullptr) return bad("unknown table '" + table_name + "'");
  const std::vector<std::string> known = Names(t->columns);
  const std::set<std::string> known_set(known.begin(), known.end());
  std::set<std::string> given;
  for (const std::string& c : columns) {
    if (known_set.count(c) == 0) return bad("the " + table_name + " table has no column " + c);
    if (!given.insert(c).second) return bad("column " + c + " is named twice");
  }
  for (const std::string& k : Names(t->keys)) {
    if (given.count(k) == 0) return bad("the key column " + k + " is missing");
  }

  std::string sql = std::string("INSERT INTO ") + t->name + " (cluster";
  std::string values = "$1";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += ", " + columns[i];
    values += ", $" + std::to_string(i + 2);
  }
  sql += ") VALUES (" + values + ") ON CONFLICT (cluster, " + t->keys + ") DO NOTHING";
  const std::string count_sql =
      std::string("SELECT COUNT(*) FROM ") + t->name + " WHERE cluster = $1";

  ArchiveLoad load;
  load.table = table_name;
  bool ended = false;
  auto load_rows = [&]() -> Status {
    std::vector<SqlRow> before, after;
    HERD_RETURN_IF_ERROR(Prepared(count_sql, {SqlValue::Text(cluster)}, &before));
    while (std::getline(in, line)) {
      if (ended) return bad("lines after its end line");
      std::vector<std::string> f = Split(line, '\t', /*keep_empty=*/true);
      if (f.size() == 2 && f[0] == "end") {
        auto n = ParseUint(f[1]);
        if (!n.ok() || *n != load.rows) return bad("its end line counts another number of rows");
        ended = true;
        continue;
      }
      if (f.size() != columns.size()) {
        return bad("row " + std::to_string(load.rows + 1) + " has " + std::to_string(f.size()) +
                   " fields, not " + std::to_string(columns.size()));
      }
      std::vector<SqlValue> p{SqlValue::Text(cluster)};
      for (const std::string& field : f) {
        if (field == "\\N") {
          p.push_back(SqlValue::Null());
          continue;
        }
        HERD_ASSIGN_OR_RETURN(std::string v, UnescapeArchiveField(field));
        p.push_back(SqlValue::Text(std::move(v)));
      }
      HERD_RETURN_IF_ERROR(Prepared(sql, p, nullptr));
      load.rows++;
    }
    if (!ended) return bad("it is cut short (no end line)");
    HERD_RETURN_IF_ERROR(Prepared(count_sql, {SqlValue::Text(cluster)}, &after));
    load.inserted = static_cast<uint64_t>(after[0].AsInt(0) - before[0].AsInt(0));
    return Status::Ok();
  };
  HERD_RETURN_IF_ERROR(InTransaction(load_rows));
  return load;
}

}  // namespace herd::ctld::acct
