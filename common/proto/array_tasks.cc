// herd — job array task ids: parsing, the pending set's operations, display.
#include "common/proto/array_tasks.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace herd::proto {
namespace {

// A non-negative decimal id, whole (no sign, no trailing text).
bool ParseId(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *out = std::strtoull(s.c_str(), nullptr, 10);
  return true;
}

// The controller's answer, as slurmctld's.
Status Invalid() { return InvalidArgument("Invalid job array specification"); }

// Ranges that share an id are merged into runs of step 1.
std::vector<ArrayRange> Normalize(std::vector<ArrayRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const ArrayRange& a, const ArrayRange& b) { return a.first < b.first; });
  bool overlap = false;
  for (size_t i = 1; i < ranges.size(); i++) {
    if (ranges[i].first <= ranges[i - 1].last) overlap = true;
  }
  if (!overlap) return ranges;
  uint32_t max = 0;
  for (const auto& r : ranges) max = std::max(max, r.last);
  std::vector<bool> ids(max + 1u, false);
  for (const auto& r : ranges) {
    for (uint64_t t = r.first; t <= r.last; t += r.step) ids[t] = true;
  }
  std::vector<ArrayRange> out;
  for (uint32_t t = 0; t < ids.size(); t++) {
    if (!ids[t]) continue;
    if (!out.empty() && out.back().step == 1 && out.back().last + 1 == t) {
      out.back().last = t;
    } else {
      out.push_back({t, t, 1});
    }
  }
  return out;
}

}  // namespace

Result<ArraySpec> ParseArraySpec(const std::string& text, uint32_t max_array_size) {
  ArraySpec spec;
  std::string list = text;
  if (auto pct = text.find('%'); pct != std::string::npos) {
    uint64_t n = 0;
    if (!ParseId(text.substr(pct + 1), &n) || n > UINT32_MAX) return Invalid();
    spec.throttle = static_cast<uint32_t>(n);
    list = text.substr(0, pct);
  }
  if (list.empty()) return Invalid();
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    pos = comma + 1;
    uint64_t first = 0, last = 0, step = 1;
    std::string span = item;
    if (auto colon = item.find(':'); colon != std::string::npos) {
      if (!ParseId(item.substr(colon + 1), &step) || step == 0) return Invalid();
      span = item.substr(0, colon);
    }
    if (auto dash = span.find('-'); dash != std::string::npos) {
      if (!ParseId(span.substr(0, dash), &first) || !ParseId(span.substr(dash + 1), &last)) {
        return Invalid();
      }
    } else {
      if (step != 1 || !ParseId(span, &first)) return Invalid();
      last = first;
    }
    if (last < first || last >= max_array_size) return Invalid();
    last -= (last - first) % step;  // the last id the step reaches
    if (first == last) step = 1;
    spec.ranges.push_back(
        {static_cast<uint32_t>(first), static_cast<uint32_t>(last), static_cast<uint32_t>(step)});
  }
  spec.ranges = Normalize(std::move(spec.ranges));
  return spec;
}

uint64_t TaskCount(const std::vector<ArrayRange>& ranges) {
  uint64_t n = 0;
  for (const auto& r : ranges) n += (r.last - r.first) / r.step + 1;
  return n;
}

bool HasTask(const std::vector<ArrayRange>& ranges, uint32_t task) {
  for (const auto& r : ranges) {
    if (task >= r.first && task <= r.last && (task - r.first) % r.step == 0) return true;
  }
  return false;
}

bool RemoveTask(std::vector<ArrayRange>* ranges, uint32_t task) {
  for (size_t i = 0; i < ranges->size(); i++) {
    ArrayRange r = (*ranges)[i];
    if (task < r.first || task > r.last || (task - r.first) % r.step != 0) continue;
    if (r.first == r.last) {
      ranges->erase(ranges->begin() + static_cast<std::ptrdiff_t>(i));
    } else if (task == r.first) {
      (*ranges)[i].first += r.step;
    } else if (task == r.last) {
      (*ranges)[i].last -= r.step;
    } else {
      (*ranges)[i].last = task - r.step;
      ranges->insert(ranges->begin() + static_cast<std::ptrdiff_t>(i) + 1,
                     ArrayRange{task + r.step, r.last, r.step});
    }
    for (auto& x : *ranges) {
      if (x.first == x.last) x.step = 1;
    }
    return true;
  }
  return false;
}

uint32_t MinTask(const std::vector<ArrayRange>& ranges) { return ranges.front().first; }
uint32_t MaxTask(const std::vector<ArrayRange>& ranges) { return ranges.back().last; }

uint32_t TaskStep(const std::vector<ArrayRange>& ranges) {
  return ranges.size() == 1 ? ranges.front().step : 1;
}

std::string FormatTasks(const std::vector<ArrayRange>& ranges, uint32_t throttle) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.first);
    if (r.last == r.first) continue;
    // Two ids a step apart read better as a list, as Slurm prints them.
    if (r.last - r.first == r.step && r.step > 1) {
      out += ',' + std::to_string(r.last);
      continue;
    }
    out += '-' + std::to_string(r.last);
    if (r.step > 1) out += ':' + std::to_string(r.step);
  }
  if (throttle > 0) out += '%' + std::to_string(throttle);
  return out;
}

}  // namespace herd::proto
