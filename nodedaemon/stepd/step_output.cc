// herd — step output patterns and line buffering.
#include "nodedaemon/stepd/step_output.h"

#include <cctype>

namespace herd::noded {
namespace {

std::string Pad(const std::string& digits, size_t width) {
  if (digits.size() >= width) return digits;
  return std::string(width - digits.size(), '0') + digits;
}

}  // namespace

std::string ExpandStepPattern(const std::string& pattern, const StepOutputFields& f) {
  std::string out;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '%' || i + 1 >= pattern.size()) {
      out += pattern[i++];
      continue;
    }
    // %[width]letter, width of at most two digits.
    size_t j = i + 1;
    size_t width = 0;
    while (j < pattern.size() && j - i <= 2 &&
           std::isdigit(static_cast<unsigned char>(pattern[j]))) {
      width = width * 10 + static_cast<size_t>(pattern[j] - '0');
      ++j;
    }
    if (j >= pattern.size()) {
      out += pattern.substr(i);
      break;
    }
    switch (pattern[j]) {
      case '%':
        out += '%';
        break;
      case 't':
        out += Pad(std::to_string(f.task), width);
        break;
      case 'n':
        out += Pad(std::to_string(f.node_index), width);
        break;
      case 'N':
        out += f.node;
        break;
      case 'j':
      case 'A':
        out += Pad(std::to_string(f.job_id), width);
        break;
      case 's':
        out += Pad(std::to_string(f.step_id), width);
        break;
      case 'J':
        out += std::to_string(f.job_id) + "." + std::to_string(f.step_id);
        break;
      case 'a':
        out += Pad("0", width);
        break;
      case 'x':
        out += f.job_name;
        break;
      case 'u':
        out += f.user;
        break;
      default:
        out += pattern.substr(i, j - i + 1);
    }
    i = j + 1;
  }
  return out;
}

std::string ResolveStepPath(const std::string& pattern, const std::string& work_dir,
                            const StepOutputFields& f) {
  std::string path = ExpandStepPattern(pattern, f);
  if (path.empty() || path[0] == '/' || work_dir.empty()) return path;
  return work_dir.back() == '/' ? work_dir + path : work_dir + "/" + path;
}

std::vector<std::string> LineBuffer::Append(const char* data, size_t n) {
  buf_.append(data, n);
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < buf_.size()) {
    size_t rest = buf_.size() - pos;
    size_t window = rest < kMaxChunk ? rest : kMaxChunk;
    size_t nl = buf_.rfind('\n', pos + window - 1);
    if (nl != std::string::npos && nl >= pos) {
      out.push_back(buf_.substr(pos, nl + 1 - pos));
      pos = nl + 1;
    } else if (rest >= kMaxChunk) {
      out.push_back(buf_.substr(pos, kMaxChunk));  // one line longer than a message
      pos += kMaxChunk;
    } else {
      break;  // a partial line: wait for its end
    }
  }
  buf_.erase(0, pos);
  return out;
}

std::string LineBuffer::Flush() {
  std::string rest;
  rest.swap(buf_);
  return rest;
}

}  // namespace herd::noded
