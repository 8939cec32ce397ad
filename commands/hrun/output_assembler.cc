// herd hrun — line assembly and labels of task output.
#include "commands/hrun/output_assembler.h"

#include <string>

namespace herd::hrun {

OutputAssembler::OutputAssembler(uint32_t num_tasks, bool label, bool unbuffered)
    : label_(label), unbuffered_(unbuffered), width_(1) {
  // srun's width: the digits of the largest rank (num_tasks - 1).
  for (uint32_t n = num_tasks > 0 ? num_tasks - 1 : 0; n >= 10; n /= 10) ++width_;
}

std::string OutputAssembler::Label(uint32_t rank) const {
  if (!label_) return "";
  std::string r = std::to_string(rank);
  if (static_cast<int>(r.size()) < width_) r.insert(0, width_ - r.size(), ' ');
  return r + ": ";
}

void OutputAssembler::Emit(uint32_t rank, int stream, const std::string& text, bool ends_line,
                           std::string* out) {
  StreamState& st = State(stream);
  if (st.open_rank != static_cast<int64_t>(rank)) {
    if (st.open_rank >= 0) out->push_back('\n');  // end another task's unfinished line
    out->append(Label(rank));
  }
  out->append(text);
  st.open_rank = ends_line ? -1 : static_cast<int64_t>(rank);
}

std::string OutputAssembler::Add(uint32_t rank, int stream, const std::string& data) {
  if (stream != 2) stream = 1;
  std::string& pending = partial_[{rank, stream}];
  pending.append(data);
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t nl = pending.find('\n', start);
    if (nl == std::string::npos) break;
    Emit(rank, stream, pending.substr(start, nl + 1 - start), true, &out);
    start = nl + 1;
  }
  pending.erase(0, start);
  if (!pending.empty() && (unbuffered_ || pending.size() >= kMaxPartial)) {
    Emit(rank, stream, pending, false, &out);
    pending.clear();
  }
  if (pending.empty()) partial_.erase({rank, stream});
  return out;
}

std::pair<std::string, std::string> OutputAssembler::FlushRank(uint32_t rank) {
  std::pair<std::string, std::string> out;
  for (int stream : {1, 2}) {
    auto it = partial_.find({rank, stream});
    if (it == partial_.end()) continue;
    Emit(rank, stream, it->second, false, stream == 1 ? &out.first : &out.second);
    partial_.erase(it);
  }
  return out;
}

std::pair<std::string, std::string> OutputAssembler::FlushAll() {
  std::pair<std::string, std::string> out;
  while (!partial_.empty()) {
    auto [first, second] = FlushRank(partial_.begin()->first.first);
    out.first += first;
    out.second += second;
  }
  return out;
}

}  // namespace herd::hrun
