// herd — hostlist expressions: "n[1-4,7]", "rack[1-2]-n[01-16]", and task-count lists
// "2(x3),1". Parsing keeps zero padding; printing compresses back to the shortest bracket
// form, so Format(Expand(s)) round-trips canonical expressions exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd {

// Expands a hostlist expression into names, in order, keeping duplicates.
// Errors (kInvalidArgument) name the offending text: unbalanced brackets, bad ranges
// ("5-3"), empty elements, more than kMaxHosts names.
Result<std::vector<std::string>> ExpandHostlist(const std::string& expr);

// Compresses names into the shortest expression, keeping the given order: consecutive
// names that differ only in a trailing number with equal width merge into ranges
// ("n1,n2,n3,n7" -> "n[1-3,7]"; "n01,n02" -> "n[01-02]").
std::string CompressHostlist(const std::vector<std::string>& names);

// Sorts names as Slurm's hostlist_sort does (scontrol show hostlistsorted): by the text
// before the trailing number, then by that number ("n2" before "n10"), keeping duplicates.
void SortHostnames(std::vector<std::string>* names);

// Task-count lists as in SLURM_TASKS_PER_NODE: {2,2,2,1} <-> "2(x3),1".
std::string FormatCountList(const std::vector<uint32_t>& counts);
Result<std::vector<uint32_t>> ParseCountList(const std::string& text);

inline constexpr size_t kMaxHosts = 1 << 20;

}  // namespace herd
