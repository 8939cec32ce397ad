// herd sim — reading an SWF trace (the text only: no cluster, no simulation).
#include <algorithm>
#include <fstream>
#include <sstream>

#include "testsuite/sim/swf.h"

namespace herd::sim {
namespace {
// 2^63: the doubles strictly between -2^63 and 2^63 convert to int64_t.
constexpr double kInt64Bound = 9223372036854775808.0;
}  // namespace

Result<SwfTrace> ReadSwf(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Internal("cannot read " + path);
  return ParseSwf(text.str(), path);
}

Result<SwfTrace> ParseSwf(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  SwfTrace t;
  int64_t max_nodes = 0, max_procs = 0, largest = 0;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    line_no++;
    if (line.empty()) continue;
    if (line[0] == ';') {
      std::istringstream h(line.substr(1));
      std::string key;
      int64_t value = 0;
      if (h >> key >> value) {
        if (key == "MaxNodes:") max_nodes = value;
        if (key == "MaxProcs:") max_procs = value;
      }
      continue;
    }
    std::istringstream f(line);
    std::vector<int64_t> v;
    double x = 0;
    while (f >> x) {
      // Converting a double outside int64_t's range (or NaN) is undefined: refuse it.
      if (!(x > -kInt64Bound && x < kInt64Bound)) {
        return InvalidArgument(origin + ":" + std::to_string(line_no) + ": field " +
                               std::to_string(v.size() + 1) + " is out of range");
      }
      v.push_back(static_cast<int64_t>(x));
    }
    if (v.size() < 18) {
      return InvalidArgument(origin + ":" + std::to_string(line_no) + ": expected 18 fields, got " +
                             std::to_string(v.size()));
    }
    SwfJob j;
    j.number = v[0];
    j.submit_s = v[1];
    j.run_s = v[3];
    j.procs = v[7] > 0 ? v[7] : v[4];
    j.req_time_s = v[8];
    j.user = v[11];
    if (j.run_s < 0 || j.procs <= 0 || j.submit_s < 0) continue;  // cancelled before start
    largest = std::max(largest, j.procs);
    t.jobs.push_back(j);
  }
  t.max_procs = max_procs > 0 ? max_procs : max_nodes > 0 ? max_nodes : largest;
  if (t.jobs.empty()) return InvalidArgument(origin + ": no usable job");
  return t;
}

}  // namespace herd::sim
