// herd commands — format-string parsing and table rendering for hqueue and hinfo.
#include "commands/lib/table.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "commands/lib/display.h"

namespace herd::cli {

std::string Justify(const std::string& value, size_t width, bool right) {
  if (width == 0) return value;
  std::string v = CutToWidth(value, width);
  const std::string pad(width - DisplayWidth(v), ' ');
  return right ? pad + v : v + pad;
}

Result<TableFormat> TableFormat::Parse(const std::string& spec,
                                       const std::map<char, std::string>& titles) {
  TableFormat f;
  f.titles_ = titles;
  std::string literal;
  auto flush_literal = [&]() {
    if (literal.empty()) return;
    FormatField lit;
    lit.literal = literal;
    f.fields_.push_back(lit);
    literal.clear();
  };
  size_t i = 0;
  while (i < spec.size()) {
    if (spec[i] != '%') {
      literal += spec[i++];
      continue;
    }
    const size_t start = i++;
    if (i < spec.size() && spec[i] == '%') {
      literal += '%';
      ++i;
      continue;
    }
    FormatField field;
    field.is_code = true;
    for (; i < spec.size(); ++i) {
      if (spec[i] == '.') {
        field.right = true;
      } else if (spec[i] == '-') {
        field.right = false;
      } else if (spec[i] == '#') {
        field.auto_width = true;
      } else {
        break;
      }
    }
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) {
      field.width = field.width * 10 + static_cast<size_t>(spec[i] - '0');
      if (field.width > kMaxWidth) {
        return InvalidArgument("format width too large in '" + spec.substr(start) + "'");
      }
      ++i;
    }
    if (i >= spec.size()) {
      return InvalidArgument("incomplete format specification '" + spec.substr(start) + "'");
    }
    field.code = spec[i++];
    if (titles.count(field.code) == 0) {
      return InvalidArgument("invalid format specification '" + spec.substr(start, i - start) +
                             "'");
    }
    flush_literal();
    f.fields_.push_back(field);
  }
  flush_literal();
  return f;
}

std::vector<char> TableFormat::codes() const {
  std::vector<char> out;
  for (const FormatField& f : fields_) {
    if (f.is_code) out.push_back(f.code);
  }
  return out;
}

std::string TableFormat::Render(const std::vector<std::vector<std::string>>& raw_rows,
                                bool header) const {
  // Every cell may hold user text (a job name, a reason, a path): escaped before it is
  // measured, so widths count what the terminal shows.
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& raw : raw_rows) {
    std::vector<std::string> row;
    row.reserve(raw.size());
    for (const std::string& cell : raw) row.push_back(EscapeForDisplay(cell));
    rows.push_back(std::move(row));
  }
  // Final width of every code field ('#' fields grow to the widest value or title).
  std::vector<size_t> widths;
  size_t col = 0;
  for (const FormatField& f : fields_) {
    if (!f.is_code) continue;
    size_t w = f.width;
    if (f.auto_width) {
      auto t = titles_.find(f.code);
      // the title counts without a header too (-h), as in Slurm's commands
      if (t != titles_.end()) w = std::max(w, DisplayWidth(t->second));
      for (const auto& row : rows) {
        if (col < row.size()) w = std::max(w, DisplayWidth(row[col]));
      }
    }
    widths.push_back(w);
    ++col;
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    size_t c = 0;
    for (const FormatField& f : fields_) {
      if (!f.is_code) {
        out += f.literal;  // the caller's own format text, a tab included
        continue;
      }
      const std::string& v = c < cells.size() ? cells[c] : std::string();
      out += Justify(v, widths[c], f.right);
      ++c;
    }
    out += '\n';
    return out;
  };
  std::string out;
  if (header) {
    std::vector<std::string> titles;
    for (const FormatField& f : fields_) {
      if (!f.is_code) continue;
      auto t = titles_.find(f.code);
      titles.push_back(t != titles_.end() ? t->second : std::string());
    }
    out += line(titles);
  }
  for (const auto& row : rows) out += line(row);
  return out;
}

}  // namespace herd::cli
