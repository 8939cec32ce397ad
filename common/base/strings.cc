// herd — small string helpers.
#include "common/base/strings.h"

#include <algorithm>
#include <cctype>

namespace herd {

std::vector<std::string> Split(const std::string& s, char sep, bool keep_empty) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    std::string part = s.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (keep_empty || !part.empty()) out.push_back(part);
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string ToLower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string ToUpper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return ToLower(a) == ToLower(b);
}

Result<uint64_t> ParseUint(const std::string& s, uint64_t max) {
  if (s.empty()) return InvalidArgument("empty number");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return InvalidArgument("not a number: '" + s + "'");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return InvalidArgument("number too large: '" + s + "'");
    v = v * 10 + d;
  }
  return v;
}

Result<int64_t> ParseInt(const std::string& s) {
  bool neg = !s.empty() && s[0] == '-';
  auto r = ParseUint(neg ? s.substr(1) : s, static_cast<uint64_t>(INT64_MAX));
  if (!r) return r.error();
  int64_t v = static_cast<int64_t>(*r);
  return neg ? -v : v;
}

}  // namespace herd
