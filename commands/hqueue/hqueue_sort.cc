// herd hqueue — squeue's sort keys.
#include "commands/hqueue/hqueue_sort.h"

#include <algorithm>

#include "commands/lib/timefmt.h"

namespace herd::hqueue {
namespace {

using proto::JobInfo;

// Seconds left before the limit; unlimited sorts last.
uint64_t TimeLeft(const JobInfo& j, int64_t now) {
  if (j.time_limit_s < 0) return UINT64_MAX;
  const int64_t left = j.time_limit_s - cli::JobElapsed(j, now);
  return left > 0 ? static_cast<uint64_t>(left) : 0;
}

template <class T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// -1, 0 or 1 as `a` sorts before, with or after `b` by `letter` ascending; the letters of
// fields herd does not have (features, reservation, ...) compare equal.
int CompareBy(char letter, const JobInfo& a, const JobInfo& b, int64_t now) {
  switch (letter) {
    case 'i':
      return Compare(a.job_id, b.job_id);
    case 'j':
      return Compare(a.name, b.name);
    case 'u':
      return Compare(a.user, b.user);
    case 'U':
      return Compare(a.uid, b.uid);
    case 'g':
    case 'G':
      return Compare(a.gid, b.gid);
    case 'P':
      return Compare(a.partition, b.partition);
    case 't':  // squeue compares the states' names: CD < F < PD < R
      return Compare(std::string(proto::JobStateShort(a.state)),
                     std::string(proto::JobStateShort(b.state)));
    case 'T':
      return Compare(std::string(proto::JobStateName(a.state)),
                     std::string(proto::JobStateName(b.state)));
    case 'p':
    case 'Q':
      return Compare(a.priority, b.priority);
    case 'l':
      return Compare(static_cast<uint64_t>(a.time_limit_s), static_cast<uint64_t>(b.time_limit_s));
    case 'L':
      return Compare(TimeLeft(a, now), TimeLeft(b, now));
    case 'M':
      return Compare(cli::JobElapsed(a, now), cli::JobElapsed(b, now));
    case 'D':
      return Compare(a.num_nodes, b.num_nodes);
    case 'C':
      return Compare(a.num_cpus, b.num_cpus);
    case 'c':
      return Compare(a.cpus_per_task, b.cpus_per_task);
    case 'm':
      return Compare(a.mem_mb, b.mem_mb);
    case 'S':
      return Compare(a.start_time, b.start_time);
    case 'V':
      return Compare(a.submit_time, b.submit_time);
    case 'e':
      return Compare(a.end_time, b.end_time);
    case 'N':
      return Compare(a.nodelist, b.nodelist);
    case 'B':
      return Compare(a.batch_host, b.batch_host);
    default:
      return 0;
  }
}

}  // namespace

Result<std::vector<SortKey>> ParseSortKeys(const std::string& text,
                                           std::vector<std::string>* warnings) {
  static const std::string kSortable = "BcCdDefgGhHiIjJlLmMnNOpPQStTuUvVz";
  std::vector<SortKey> keys;
  bool descending = false;
  for (char c : text) {
    if (c == ',') continue;
    if (c == '+' || c == '-') {
      descending = c == '-';
      continue;
    }
    keys.push_back(SortKey{c, descending});
    descending = false;
  }
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    const std::string what = std::string("Invalid sort specification: ") + it->letter;
    if (it->letter == 'b') {
      warnings->push_back(what);
    } else if (kSortable.find(it->letter) == std::string::npos) {
      return InvalidArgument(what);
    }
  }
  return keys;
}

void SortJobs(const std::vector<SortKey>& keys, int64_t now, std::vector<JobInfo>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(), [&keys, now](const JobInfo& a, const JobInfo& b) {
    for (const SortKey& k : keys) {
      const int c = CompareBy(k.letter, a, b, now);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return a.job_id > b.job_id;
  });
}

}  // namespace herd::hqueue
