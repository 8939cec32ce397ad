// herd — mpi/pmix: step layout helpers and cleanup (see pmix_step.h).
#include "plugins/mpi/pmix/pmix_step.h"

#include <dirent.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::plugin::pmix {
namespace {

// PMIX_MAX_NSLEN of PMIx 4.2; the registration copies at most this many characters.
constexpr size_t kMaxNspaceLen = 255;
constexpr char kVaderPrefix[] = "vader_segment.";

std::string JoinRanks(const std::vector<uint32_t>& ranks) {
  std::string out;
  for (uint32_t r : ranks) {
    if (!out.empty()) out += ',';
    out += std::to_string(r);
  }
  return out;
}

}  // namespace

Status ValidateStepInfo(const MpiStepInfo& info) {
  if (info.nspace.empty() || info.nspace.size() > kMaxNspaceLen) {
    return InvalidArgument("mpi/pmix: the namespace must have 1.." + std::to_string(kMaxNspaceLen) +
                           " characters");
  }
  if (info.tmpdir.empty()) return InvalidArgument("mpi/pmix: no tmpdir for the step");
  if (info.num_tasks == 0) return InvalidArgument("mpi/pmix: a step without tasks");
  if (info.nodes.empty() || info.node_index >= info.nodes.size()) {
    return InvalidArgument("mpi/pmix: node_index " + std::to_string(info.node_index) +
                           " is not one of the step's " + std::to_string(info.nodes.size()) +
                           " nodes");
  }
  if (info.nodes.size() > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgument("mpi/pmix: too many nodes");
  }
  std::vector<bool> seen(info.num_tasks, false);
  for (const MpiNode& node : info.nodes) {
    if (node.name.empty() || node.name.find(',') != std::string::npos) {
      return InvalidArgument("mpi/pmix: bad node name '" + node.name + "'");
    }
    if (node.ranks.size() > std::numeric_limits<uint16_t>::max()) {
      return InvalidArgument("mpi/pmix: too many ranks on node " + node.name);
    }
    for (size_t i = 0; i < node.ranks.size(); ++i) {
      uint32_t r = node.ranks[i];
      if (r >= info.num_tasks || seen[r]) {
        return InvalidArgument("mpi/pmix: rank " + std::to_string(r) + " on node " + node.name +
                               " is out of range or placed twice");
      }
      if (i > 0 && r < node.ranks[i - 1]) {
        return InvalidArgument("mpi/pmix: the ranks of node " + node.name + " are not ascending");
      }
      seen[r] = true;
    }
  }
  for (uint32_t r = 0; r < info.num_tasks; ++r) {
    if (!seen[r]) return InvalidArgument("mpi/pmix: rank " + std::to_string(r) + " has no node");
  }
  if (info.nodes[info.node_index].ranks.empty()) {
    return InvalidArgument("mpi/pmix: this node (" + info.nodes[info.node_index].name +
                           ") runs no rank of the step");
  }
  return Status::Ok();
}

std::string NodeListSpec(const MpiStepInfo& info) {
  std::vector<std::string> names;
  names.reserve(info.nodes.size());
  for (const MpiNode& node : info.nodes) names.push_back(node.name);
  return Join(names, ",");
}

std::string ProcMapSpec(const MpiStepInfo& info) {
  std::vector<std::string> per_node;
  per_node.reserve(info.nodes.size());
  for (const MpiNode& node : info.nodes) per_node.push_back(JoinRanks(node.ranks));
  return Join(per_node, ";");
}

std::string LocalPeers(const MpiStepInfo& info) {
  return JoinRanks(info.nodes[info.node_index].ranks);
}

std::vector<RankPlace> PlaceRanks(const MpiStepInfo& info) {
  std::vector<RankPlace> places(info.num_tasks);
  for (size_t n = 0; n < info.nodes.size(); ++n) {
    const std::vector<uint32_t>& ranks = info.nodes[n].ranks;
    for (size_t i = 0; i < ranks.size(); ++i) {
      places[ranks[i]].node = static_cast<uint32_t>(n);
      places[ranks[i]].local_rank = static_cast<uint16_t>(i);
    }
  }
  return places;
}

uint32_t OmpiJobId(const std::string& nspace) {
  // OPAL_HASH_STR walks a plain `char*`: characters above 0x7f are sign-extended.
  uint32_t h = 0;
  for (char c : nspace) {
    h += static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
    h += h << 10;
    h ^= h >> 6;
  }
  h += h << 3;
  h ^= h >> 11;
  h += h << 15;
  return h & ~static_cast<uint32_t>(0x8000);
}

bool IsVaderSegmentOf(const std::string& file_name, uint32_t ompi_jobid) {
  if (!StartsWith(file_name, kVaderPrefix)) return false;
  size_t last = file_name.rfind('.');
  if (last == std::string::npos || last + 1 == file_name.size()) return false;
  size_t prev = file_name.rfind('.', last - 1);
  if (prev == std::string::npos || prev < sizeof(kVaderPrefix) - 1) return false;
  char hex[16];
  std::snprintf(hex, sizeof hex, "%x", ompi_jobid);
  return file_name.compare(prev + 1, last - prev - 1, hex) == 0;
}

Result<int> RemoveVaderSegments(const std::string& dir, uint32_t ompi_jobid) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return 0;
    return Internal("cannot open " + dir + ": " + std::strerror(errno));
  }
  std::vector<std::string> doomed;
  while (struct dirent* e = ::readdir(d)) {
    if (IsVaderSegmentOf(e->d_name, ompi_jobid)) doomed.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  for (const std::string& path : doomed) HERD_RETURN_IF_ERROR(RemoveTree(path));
  return static_cast<int>(doomed.size());
}

Status ClearDirectory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    return Internal("cannot open " + dir + ": " + std::strerror(errno));
  }
  std::vector<std::string> entries;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    entries.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  for (const std::string& path : entries) HERD_RETURN_IF_ERROR(RemoveTree(path));
  return Status::Ok();
}

}  // namespace herd::plugin::pmix
