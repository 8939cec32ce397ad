// herd hrun — line assembly and labels of task output.
#include "commands/hrun/output_assembler.h"

#include <cstring>
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

void OutputAssembler::Emit(uint32_t rank, int stream, const char* text, size_t size, bool ends_line,
                           std::string* out) {
  StreamState& st = State(stream);
  size_t pos = 0;
  while (pos < size) {
    if (st.open_rank != static_cast<int64_t>(rank)) {
      if (st.open_rank >= 0) out->push_back('\n');  // end another task's unfinished line
      out->append(Label(rank));
      st.open_rank = rank;
    }
    // Without labels, every whole line goes in one append.
    const char* nl = static_cast<const char*>(label_ ? std::memchr(text + pos, '\n', size - pos)
                                                     : (ends_line ? text + size - 1 : nullptr));
    const size_t end = nl != nullptr ? static_cast<size_t>(nl - text) + 1 : size;
    out->append(text + pos, end - pos);
    if (nl != nullptr) st.open_rank = -1;
    pos = end;
  }
}

std::string OutputAssembler::Add(uint32_t rank, int stream, const std::string& data) {
  if (stream != 2) stream = 1;
  // The usual chunk is whole lines with nothing pending: no copy then.
  std::string joined;
  const std::string* text = &data;
  auto it = partial_.find({rank, stream});
  if (it != partial_.end()) {
    joined = std::move(it->second);
    joined += data;
    text = &joined;
    partial_.erase(it);
  }
  std::string out;
  const size_t last_nl = text->rfind('\n');
  size_t done = 0;
  if (last_nl != std::string::npos) {
    done = last_nl + 1;
    Emit(rank, stream, text->data(), done, true, &out);
  }
  if (done < text->size() && (unbuffered_ || text->size() - done >= kMaxPartial)) {
    Emit(rank, stream, text->data() + done, text->size() - done, false, &out);
    done = text->size();
  }
  if (done < text->size()) partial_[{rank, stream}] = text->substr(done);
  return out;
}

std::pair<std::string, std::string> OutputAssembler::FlushRank(uint32_t rank) {
  std::pair<std::string, std::string> out;
  for (int stream : {1, 2}) {
    auto it = partial_.find({rank, stream});
    if (it == partial_.end()) continue;
    Emit(rank, stream, it->second.data(), it->second.size(), false,
         stream == 1 ? &out.first : &out.second);
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
