// herd — hostlist expressions: expansion of "rack[1-2]-n[01-16]" into names, compression of
// names back into bracket form, and task-count lists ("2(x3),1").
#include "common/base/hostlist.h"

#include <algorithm>
#include <cctype>

#include "common/base/strings.h"

namespace herd {
namespace {

// Numbers in brackets are limited to 18 digits so that every value fits in uint64_t.
constexpr size_t kMaxDigits = 18;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

Status HostlistError(const std::string& expr, const std::string& what) {
  return InvalidArgument("hostlist '" + expr + "': " + what);
}

// `value` in decimal, left-padded with zeros to at least `width` digits.
std::string Pad(uint64_t value, size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// One piece of an element: literal text, or the numbers of one [...] group.
struct Segment {
  std::string literal;
  std::vector<std::string> numbers;  // formatted; empty for a literal segment
  bool is_group = false;
};

// Splits at commas outside brackets and checks that brackets balance and do not nest.
Result<std::vector<std::string>> SplitTopLevel(const std::string& expr) {
  std::vector<std::string> out;
  std::string cur;
  bool open = false;
  for (char c : expr) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      return HostlistError(expr, "whitespace is not allowed");
    }
    if (c == '[') {
      if (open) return HostlistError(expr, "nested '['");
      open = true;
    } else if (c == ']') {
      if (!open) return HostlistError(expr, "unbalanced ']'");
      open = false;
    } else if (c == ',' && !open) {
      if (cur.empty()) return HostlistError(expr, "empty element");
      out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (open) return HostlistError(expr, "unbalanced '[' (missing ']')");
  if (cur.empty()) return HostlistError(expr, "empty element");
  out.push_back(std::move(cur));
  return out;
}

// Expands the body of one bracket group ("1-4,07") into formatted numbers. `budget` is the
// number of names still allowed; the group alone may not exceed it.
Result<std::vector<std::string>> ExpandGroup(const std::string& expr, const std::string& body,
                                             size_t budget) {
  std::vector<std::string> out;
  for (const std::string& piece : Split(body, ',', /*keep_empty=*/true)) {
    if (piece.empty()) return HostlistError(expr, "empty element in '[" + body + "]'");
    std::vector<std::string> ends = Split(piece, '-', /*keep_empty=*/true);
    if (ends.size() > 2 || !AllDigits(ends.front()) || !AllDigits(ends.back())) {
      return HostlistError(expr, "range '" + piece + "' is not numeric (want N or N-M)");
    }
    if (ends.front().size() > kMaxDigits || ends.back().size() > kMaxDigits) {
      return HostlistError(expr, "number too long in '" + piece + "'");
    }
    uint64_t lo = *ParseUint(ends.front());
    uint64_t hi = *ParseUint(ends.back());
    if (lo > hi) return HostlistError(expr, "reversed range '" + piece + "'");
    if (hi - lo >= budget - out.size()) {
      return HostlistError(expr, "more than " + std::to_string(kMaxHosts) + " hosts");
    }
    const size_t width = ends.front().size();
    for (uint64_t v = lo;; ++v) {
      out.push_back(Pad(v, width));
      if (v == hi) break;
    }
  }
  return out;
}

// Parses one top-level element into literal and group segments.
Result<std::vector<Segment>> ParseElement(const std::string& expr, const std::string& elem) {
  std::vector<Segment> segs;
  size_t i = 0;
  while (i < elem.size()) {
    size_t open = elem.find('[', i);
    if (open != i) {
      Segment lit;
      lit.literal = elem.substr(i, open == std::string::npos ? std::string::npos : open - i);
      segs.push_back(std::move(lit));
      if (open == std::string::npos) break;
    }
    size_t close = elem.find(']', open);  // SplitTopLevel guarantees it exists.
    Segment group;
    group.is_group = true;
    HERD_ASSIGN_OR_RETURN(group.numbers,
                          ExpandGroup(expr, elem.substr(open + 1, close - open - 1), kMaxHosts));
    segs.push_back(std::move(group));
    i = close + 1;
  }
  return segs;
}

// Last digit run outside brackets of `s`, with the text around it. `ok` is false when there
// is none, when it is too long, or when the prefix holds brackets (merging would then
// change the expansion order).
struct NumberSplit {
  bool ok = false;
  std::string prefix, digits, suffix;
  uint64_t value = 0;
};

NumberSplit SplitLastNumber(const std::string& s) {
  NumberSplit r;
  int depth = 0;
  size_t end = std::string::npos;
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == ']') {
      ++depth;
    } else if (s[i] == '[') {
      --depth;
    } else if (depth == 0 && IsDigit(s[i])) {
      end = i + 1;
      break;
    }
  }
  if (end == std::string::npos) return r;
  size_t begin = end;
  while (begin > 0 && IsDigit(s[begin - 1])) --begin;
  r.prefix = s.substr(0, begin);
  r.digits = s.substr(begin, end - begin);
  r.suffix = s.substr(end);
  if (r.digits.size() > kMaxDigits || r.prefix.find_first_of("[]") != std::string::npos) {
    return r;
  }
  r.value = *ParseUint(r.digits);
  r.ok = true;
  return r;
}

// "1-3,7" for a run of numbers: a range continues while the next value is one more and
// prints the same at the width of the range's first number.
std::string RangesOf(const std::vector<NumberSplit>& members) {
  std::string out;
  size_t i = 0;
  while (i < members.size()) {
    const size_t width = members[i].digits.size();
    size_t j = i;
    while (j + 1 < members.size() && members[j + 1].value == members[j].value + 1 &&
           Pad(members[j + 1].value, width) == members[j + 1].digits) {
      ++j;
    }
    if (!out.empty()) out += ',';
    out += members[i].digits;
    if (j > i) out += "-" + members[j].digits;
    i = j + 1;
  }
  return out;
}

// One compression pass: merges runs of consecutive tokens that share prefix and suffix
// around their last unbracketed number.
std::vector<std::string> CompressPass(const std::vector<std::string>& tokens) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < tokens.size()) {
    NumberSplit first = SplitLastNumber(tokens[i]);
    std::vector<NumberSplit> members{first};
    size_t j = i + 1;
    while (first.ok && j < tokens.size()) {
      NumberSplit next = SplitLastNumber(tokens[j]);
      if (!next.ok || next.prefix != first.prefix || next.suffix != first.suffix) break;
      members.push_back(std::move(next));
      ++j;
    }
    if (members.size() == 1) {
      out.push_back(tokens[i]);
    } else {
      out.push_back(first.prefix + "[" + RangesOf(members) + "]" + first.suffix);
    }
    i = j;
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> ExpandHostlist(const std::string& expr) {
  if (expr.empty()) return HostlistError(expr, "empty hostlist");
  HERD_ASSIGN_OR_RETURN(std::vector<std::string> elements, SplitTopLevel(expr));
  std::vector<std::string> names;
  for (const std::string& elem : elements) {
    HERD_ASSIGN_OR_RETURN(std::vector<Segment> segs, ParseElement(expr, elem));
    // Count first so a huge product fails before anything is built.
    size_t count = 1;
    for (const Segment& seg : segs) {
      if (!seg.is_group) continue;
      if (count > (kMaxHosts - names.size()) / seg.numbers.size()) {
        return HostlistError(expr, "more than " + std::to_string(kMaxHosts) + " hosts");
      }
      count *= seg.numbers.size();
    }
    if (count > kMaxHosts - names.size()) {
      return HostlistError(expr, "more than " + std::to_string(kMaxHosts) + " hosts");
    }
    // The first bracket is outermost: later groups vary fastest.
    std::vector<std::string> partial{""};
    for (const Segment& seg : segs) {
      if (!seg.is_group) {
        for (std::string& p : partial) p += seg.literal;
        continue;
      }
      std::vector<std::string> next;
      next.reserve(partial.size() * seg.numbers.size());
      for (const std::string& p : partial) {
        for (const std::string& num : seg.numbers) next.push_back(p + num);
      }
      partial = std::move(next);
    }
    for (std::string& name : partial) names.push_back(std::move(name));
  }
  return names;
}

std::string CompressHostlist(const std::vector<std::string>& names) {
  // The first pass merges the last number of plain names; later passes merge an earlier
  // number of already-bracketed tokens ("rack1-n[1-4],rack2-n[1-4]" -> "rack[1-2]-n[1-4]").
  std::vector<std::string> tokens = names;
  while (true) {
    std::vector<std::string> next = CompressPass(tokens);
    if (next.size() == tokens.size()) break;
    tokens = std::move(next);
  }
  return Join(tokens, ",");
}

void SortHostnames(std::vector<std::string>* names) {
  std::stable_sort(names->begin(), names->end(), [](const std::string& a, const std::string& b) {
    const NumberSplit x = SplitLastNumber(a);
    const NumberSplit y = SplitLastNumber(b);
    if (!x.ok || !y.ok || x.prefix != y.prefix) return a < b;
    if (x.value != y.value) return x.value < y.value;
    return x.digits.size() < y.digits.size();
  });
}

std::string FormatCountList(const std::vector<uint32_t>& counts) {
  std::string out;
  size_t i = 0;
  while (i < counts.size()) {
    size_t j = i;
    while (j + 1 < counts.size() && counts[j + 1] == counts[i]) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(counts[i]);
    if (j > i) out += "(x" + std::to_string(j - i + 1) + ")";
    i = j + 1;
  }
  return out;
}

Result<std::vector<uint32_t>> ParseCountList(const std::string& text) {
  std::vector<uint32_t> out;
  if (text.empty()) return out;
  auto bad = [&text](const std::string& what) {
    return InvalidArgument("count list '" + text + "': " + what);
  };
  for (const std::string& item : Split(text, ',', /*keep_empty=*/true)) {
    if (item.empty()) return bad("empty element");
    std::string count_text = item;
    uint64_t repeat = 1;
    size_t paren = item.find('(');
    if (paren != std::string::npos) {
      if (item.size() < paren + 4 || item.compare(paren, 2, "(x") != 0 || item.back() != ')') {
        return bad("'" + item + "' is not N or N(xM)");
      }
      count_text = item.substr(0, paren);
      auto r = ParseUint(item.substr(paren + 2, item.size() - paren - 3), kMaxHosts);
      if (!r) return bad(r.error().message());
      if (*r == 0) return bad("repeat count must be at least 1 in '" + item + "'");
      repeat = *r;
    }
    auto count = ParseUint(count_text, UINT32_MAX);
    if (!count) return bad(count.error().message());
    if (repeat > kMaxHosts - out.size()) {
      return bad("more than " + std::to_string(kMaxHosts) + " entries");
    }
    out.insert(out.end(), repeat, static_cast<uint32_t>(*count));
  }
  return out;
}

}  // namespace herd
