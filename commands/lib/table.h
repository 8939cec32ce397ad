// herd commands — the "%[flags][width]X" format strings of hqueue and hinfo, with squeue's
// and sinfo's semantics: "%.10i" right-justified in 10 columns, "%10i" or "%-10i"
// left-justified in 10, "%i" as is, "%#P" as wide as the widest value (sinfo), "%%" a
// percent sign; any other text is copied. A value longer than a fixed width is cut to it,
// as Slurm does. Titles in the header line get the same width and justification.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::cli {

struct FormatField {
  bool is_code = false;  // false: `literal` is copied as is
  std::string literal;
  char code = 0;
  bool right = false;       // '.'
  bool auto_width = false;  // '#'
  size_t width = 0;         // 0: no padding, no cutting
};

class TableFormat {
 public:
  // Widths above this are refused (a typo must not print megabytes of blanks).
  static constexpr size_t kMaxWidth = 4096;

  // `titles` lists the valid codes with their header titles; any other code is an error
  // "invalid format specification '%x'".
  static Result<TableFormat> Parse(const std::string& spec,
                                   const std::map<char, std::string>& titles);

  const std::vector<FormatField>& fields() const { return fields_; }
  // The code of every code field, in order: a row holds one cell per entry.
  std::vector<char> codes() const;

  // The table: the header line (if `header`), then one line per row, each ending in '\n'.
  std::string Render(const std::vector<std::vector<std::string>>& rows, bool header) const;

 private:
  std::vector<FormatField> fields_;
  std::map<char, std::string> titles_;
};

// One cell laid out: cut to `width` when width > 0, then padded on the left (right) or
// the right (left-justified).
std::string Justify(const std::string& value, size_t width, bool right);

}  // namespace herd::cli
