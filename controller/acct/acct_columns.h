// herd — the jobs table's columns as queries read them: each column's name and how its
// value goes into a JobRow, so a query can read only the columns its caller prints
// (JobQuery::columns). Internal to AcctStore.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/acct/acct_record.h"
#include "controller/acct/sql_conn.h"

namespace herd::ctld::acct {

struct JobColumn {
  const char* name;
  void (*read)(const SqlRow& r, size_t c, JobRow* j);
};

// The columns named (all of them when `names` is empty), job_id first; an unknown name is
// an error.
Result<std::vector<const JobColumn*>> SelectJobColumns(const std::vector<std::string>& names);
// "job_id, name, ...": the SELECT list of `cols`.
std::string SelectList(const std::vector<const JobColumn*>& cols);
// A result row of that SELECT list as a JobRow (the columns not read keep their defaults).
JobRow ReadJob(const SqlRow& r, const std::vector<const JobColumn*>& cols);

}  // namespace herd::ctld::acct
