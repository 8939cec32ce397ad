// herd hqueue — the order of the jobs (squeue's -S/--sort, SQUEUE_SORT): a list of format
// letters, each with '+' (ascending, the default) or '-' (descending), compared as values
// (numbers as numbers, states by their names as squeue compares them), the first key
// first. squeue's default is "P,t,-p": partition, state, then highest priority.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::hqueue {

inline constexpr const char* kDefaultSort = "P,t,-p";

struct SortKey {
  char letter = 'i';
  bool descending = false;
};

// "P,t,-p" -> keys, as squeue reads them: every character but ',' is a key ("ij" is i
// then j), a sign sets the order of the key after it. squeue checks the keys from the
// last: `b` only warns ("Invalid sort specification: b" in *warnings, in squeue's order),
// a letter it cannot sort by is the error "Invalid sort specification: X".
Result<std::vector<SortKey>> ParseSortKeys(const std::string& text,
                                           std::vector<std::string>* warnings);

// Sorts by the keys, the first key first; jobs equal by every key keep squeue's order
// (newest first).
void SortJobs(const std::vector<SortKey>& keys, int64_t now, std::vector<proto::JobInfo>* jobs);

}  // namespace herd::hqueue
