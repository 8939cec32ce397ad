// herd hacct — sacct's fields: names, default widths and values for a job's row, its batch
// step's row ("ID.batch") and its steps' rows ("ID.N"), and the table they make.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "commands/hacct/hacct_options.h"
#include "controller/acct/acct_record.h"

namespace herd::hacct {

// One printed line: a job (step == nullptr, batch == false), its batch script, or a step.
struct RowView {
  const ctld::acct::JobRow* job = nullptr;
  const ctld::acct::StepRow* step = nullptr;
  bool batch = false;
  int64_t now = 0;  // for running jobs' elapsed times
  // Where the usage columns come from: the step, or the batch script's row (step id
  // kBatchStep) when its node reported one; null: none measured.
  const ctld::acct::StepRow* usage = nullptr;
  char units = 0;  // --units: K, M, G, T or P; 0: each figure in its own unit
};

// The field's default width, or 0 when there is no such field (names are matched without
// regard to case; `canonical` gets the table's spelling).
int FieldWidth(const std::string& name, std::string* canonical = nullptr);
// One cell, before any cutting.
std::string FieldValue(const std::string& name, const RowView& r);

// The rows hacct prints for these jobs: each job, then (unless -X) its batch step and
// steps.
std::vector<RowView> RowsOf(const std::vector<ctld::acct::JobRow>& jobs, bool allocations,
                            int64_t now, char units = 0);

// The jobs table's columns the fields `o` prints need (JobQuery::columns): the few every
// row needs and each field's own; empty (all) when a field is not known to need only some.
std::vector<std::string> JobColumnsFor(const HacctOptions& o);

// -N: the jobs that ran on one of `nodes` (all of them when it is empty).
std::vector<ctld::acct::JobRow> JobsOnNodes(std::vector<ctld::acct::JobRow> jobs,
                                            const std::vector<std::string>& nodes);
// The whole output: header (unless -n) and rows, fixed-width or parsable.
std::string Render(const std::vector<RowView>& rows, const HacctOptions& o);
// The same, written to `to` as it is made.
void RenderTo(const std::vector<RowView>& rows, const HacctOptions& o, std::FILE* to);

// A cell of a fixed-width column (width < 0: left-justified), as sacct and sacctmgr print
// them: a value longer than the column is cut and ends in '+' (a header is only cut).
std::string Cell(const std::string& value, int width, bool header);

// A group's name, or its number when it has none.
std::string GroupName(uint32_t gid);

// The lists behind the default, -b and -l.
extern const char* const kDefaultFields;
extern const char* const kBriefFields;
extern const char* const kLongFields;

}  // namespace herd::hacct
