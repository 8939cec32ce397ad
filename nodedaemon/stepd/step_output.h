// herd — the output side of a step's tasks on one node: file name patterns of hrun's
// -o/-e/-i, and the line buffer that turns what a task writes on a pipe into TaskOutput
// messages for hrun. Pure.
//
// Step patterns, as srun users know them:
//   %t task id (rank)   %n node index in the step   %N node name   %j job id   %s step id
//   %J "<job>.<step>"   %x job name   %u user name   %A job id   %a "0"   %% a literal '%'.
// A number between '%' and the letter zero-pads numeric fields ("%3t" -> "007"). Unknown
// letters are kept as written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace herd::noded {

struct StepOutputFields {
  uint64_t job_id = 0;
  uint32_t step_id = 0;
  uint32_t task = 0;
  uint32_t node_index = 0;
  std::string node;
  std::string job_name;
  std::string user;
};

std::string ExpandStepPattern(const std::string& pattern, const StepOutputFields& f);

// The expanded pattern, relative to `work_dir` unless absolute.
std::string ResolveStepPath(const std::string& pattern, const std::string& work_dir,
                            const StepOutputFields& f);

// Collects a stream's bytes and releases whole lines: a message never splits a line unless
// the line alone is longer than kMaxChunk, or at the end of the stream.
class LineBuffer {
 public:
  static constexpr size_t kMaxChunk = 64 * 1024;

  // Adds `n` bytes; returns the chunks ready to send (each at most kMaxChunk bytes, as many
  // whole lines as fit).
  std::vector<std::string> Append(const char* data, size_t n);
  // At the end of the stream: whatever is left (a last line without '\n'), or "".
  std::string Flush();
  size_t buffered() const { return buf_.size(); }

 private:
  std::string buf_;
};

}  // namespace herd::noded
