// herd hrun — turns the tasks' output chunks into what hrun writes on its stdout and
// stderr: whole lines, never two tasks within one line, optionally labelled "R: " (srun's
// --label: the rank right-aligned to the width of the largest rank). A task's unfinished
// line waits for its end (or is written at once with --unbuffered, or when it grows past
// kMaxPartial); if another task then writes to the same stream, a newline ends the
// unfinished line first. Pure: the caller writes the returned bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace herd::hrun {

class OutputAssembler {
 public:
  static constexpr size_t kMaxPartial = 64 * 1024;

  OutputAssembler(uint32_t num_tasks, bool label, bool unbuffered);

  // Bytes to write for `data` from `rank` on `stream` (1 stdout, 2 stderr).
  std::string Add(uint32_t rank, int stream, const std::string& data);
  // The rest of `rank`'s unfinished lines (when it has exited): {stdout bytes, stderr bytes}.
  std::pair<std::string, std::string> FlushRank(uint32_t rank);
  // The rest of every task's unfinished lines (at the end of the step).
  std::pair<std::string, std::string> FlushAll();

  // "R: " padded to the width of the largest rank, or "" without --label.
  std::string Label(uint32_t rank) const;

 private:
  struct StreamState {
    int64_t open_rank = -1;  // whose unfinished line the stream's output ends in (-1: none)
  };
  // Appends `text` of `rank` to `*out`: whole lines (labelled one by one), or, with
  // `ends_line` false, a last unfinished line.
  void Emit(uint32_t rank, int stream, const char* text, size_t size, bool ends_line,
            std::string* out);
  StreamState& State(int stream) { return stream == 2 ? err_ : out_; }

  bool label_;
  bool unbuffered_;
  int width_;
  StreamState out_;
  StreamState err_;
  std::map<std::pair<uint32_t, int>, std::string> partial_;  // (rank, stream) -> pending
};

}  // namespace herd::hrun
