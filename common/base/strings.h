// herd — small string helpers shared by the config parser, commands and daemons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd {

std::vector<std::string> Split(const std::string& s, char sep, bool keep_empty = false);
std::string Join(const std::vector<std::string>& parts, const std::string& sep);
std::string Trim(const std::string& s);
std::string ToLower(std::string s);
std::string ToUpper(std::string s);
bool StartsWith(const std::string& s, const std::string& prefix);
bool EqualsIgnoreCase(const std::string& a, const std::string& b);
// Whole-string unsigned integer; rejects signs, blanks, trailing text and overflow.
Result<uint64_t> ParseUint(const std::string& s, uint64_t max = UINT64_MAX);
Result<int64_t> ParseInt(const std::string& s);

}  // namespace herd
