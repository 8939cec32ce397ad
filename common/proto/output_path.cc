// herd — output file name patterns.
#include "common/proto/output_path.h"

#include <cctype>

namespace herd::proto {
namespace {

std::string Pad(const std::string& digits, size_t width) {
  if (digits.size() >= width) return digits;
  return std::string(width - digits.size(), '0') + digits;
}

std::string Expand(const std::string& pattern, const OutputFields& f, bool array_only) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    if (c != '%' || i + 1 >= pattern.size()) {
      out += c;
      ++i;
      continue;
    }
    // %[width]letter
    size_t j = i + 1;
    size_t width = 0;
    while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])) &&
           j - i <= 2) {
      width = width * 10 + static_cast<size_t>(pattern[j] - '0');
      ++j;
    }
    if (j >= pattern.size()) {
      out += pattern.substr(i);
      break;
    }
    char letter = pattern[j];
    bool known = !array_only || letter == 'A' || letter == 'a';
    std::string value;
    switch (known ? letter : '\0') {
      case '\0':
        break;
      case '%':
        value = "%";
        break;
      case 'j':
        value = Pad(std::to_string(f.job_id), width);
        break;
      case 'A':
        value = Pad(std::to_string(f.array_job_id != 0 ? f.array_job_id : f.job_id), width);
        break;
      case 'a':
        value = Pad(f.array_task_id != kNoArrayTask ? std::to_string(f.array_task_id) : "0", width);
        break;
      case 'n':
      case 't':
        value = Pad("0", width);
        break;
      case 's':
        value = "batch";
        break;
      case 'x':
        value = f.job_name;
        break;
      case 'u':
        value = f.user;
        break;
      case 'N':
        value = f.node;
        break;
      default:
        known = false;
    }
    if (known) {
      out += value;
    } else {
      out += pattern.substr(i, j - i + 1);
    }
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string ExpandOutputPattern(const std::string& pattern, const OutputFields& f) {
  return Expand(pattern, f, false);
}

std::string ExpandArrayFields(const std::string& pattern, uint64_t array_job_id,
                              uint32_t array_task_id) {
  OutputFields f;
  f.job_id = array_job_id;
  f.array_job_id = array_job_id;
  f.array_task_id = array_task_id;
  return Expand(pattern, f, true);
}

std::string ResolveOutputPath(const std::string& pattern, const std::string& fallback_pattern,
                              const std::string& work_dir, const OutputFields& f) {
  std::string p = pattern;
  if (p.empty()) p = fallback_pattern;
  if (p.empty()) p = kDefaultOutputPattern;
  std::string path = ExpandOutputPattern(p, f);
  if (!path.empty() && path[0] == '/') return path;
  if (work_dir.empty()) return path;
  if (work_dir.back() == '/') return work_dir + path;
  return work_dir + "/" + path;
}

}  // namespace herd::proto
