// herd — a partition's keys (a PartitionName line of herd.conf, and `hcontrol
// create|update partition`), its canonical line, and the merge of runtime partitions
// into a herd.conf text (`hcontrol write config`, doc/admin.md).
#include <set>
#include <sstream>

#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

const char* const kPartitionKeys[] = {"Nodes",    "Default",          "MaxTime",      "DefaultTime",
                                      "State",    "MaxNodes",         "PriorityTier", "Priority",
                                      "MinNodes", "PriorityJobFactor"};

Result<uint32_t> ParseNodeCount(const std::string& v, uint32_t min) {
  if (EqualsIgnoreCase(v, "UNLIMITED") || EqualsIgnoreCase(v, "INFINITE")) return 0u;
  HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(v, UINT32_MAX));
  if (n < min) return InvalidArgument("must be at least " + std::to_string(min));
  return static_cast<uint32_t>(n);
}

// The partition name of a PartitionName= line, or "" for any other line.
std::string PartitionNameOf(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos) return "";
  const size_t eq = line.find('=', i);
  if (eq == std::string::npos || !EqualsIgnoreCase(line.substr(i, eq - i), "PartitionName")) {
    return "";
  }
  const size_t end = line.find_first_of(" \t#", eq + 1);
  std::string name = line.substr(eq + 1, end == std::string::npos ? end : end - eq - 1);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  return name;
}

}  // namespace

std::string CanonicalPartitionKey(const std::string& key) {
  for (const char* k : kPartitionKeys) {
    if (EqualsIgnoreCase(key, k)) return EqualsIgnoreCase(key, "Priority") ? "PriorityTier" : k;
  }
  return "";
}

const char* PartitionStateName(PartitionState s) {
  switch (s) {
    case PartitionState::kUp:
      return "UP";
    case PartitionState::kDown:
      return "DOWN";
    case PartitionState::kDrain:
      return "DRAIN";
    case PartitionState::kInactive:
      return "INACTIVE";
  }
  return "UP";
}

Result<PartitionState> ParsePartitionState(const std::string& text) {
  const std::string s = ToUpper(Trim(text));
  if (s == "UP") return PartitionState::kUp;
  if (s == "DOWN") return PartitionState::kDown;
  if (s == "DRAIN") return PartitionState::kDrain;
  if (s == "INACTIVE") return PartitionState::kInactive;
  return InvalidArgument("must be UP, DOWN, DRAIN or INACTIVE, got '" + text + "'");
}

Status ApplyPartitionKey(PartitionConfig* p, const std::string& key, const std::string& value,
                         bool* all_nodes) {
  const std::string& v = value;
  if (key == "Nodes") {
    *all_nodes = EqualsIgnoreCase(v, "ALL");
    if (*all_nodes) {
      p->nodes.clear();
      return Status::Ok();
    }
    if (Trim(v).empty()) {
      p->nodes.clear();  // a partition without nodes accepts jobs that wait
      return Status::Ok();
    }
    HERD_ASSIGN_OR_RETURN(p->nodes, ExpandHostlist(v));
    return Status::Ok();
  }
  if (key == "Default") {
    HERD_ASSIGN_OR_RETURN(p->is_default, ParseYesNo(v));
    return Status::Ok();
  }
  if (key == "MaxTime" || key == "DefaultTime") {
    HERD_ASSIGN_OR_RETURN(int64_t s, ParseTimeLimit(v));
    (key == "MaxTime" ? p->max_time_s : p->default_time_s) = s;
    return Status::Ok();
  }
  if (key == "State") {
    HERD_ASSIGN_OR_RETURN(p->state, ParsePartitionState(v));
    return Status::Ok();
  }
  if (key == "MaxNodes") {
    HERD_ASSIGN_OR_RETURN(p->max_nodes, ParseNodeCount(v, 1));
    return Status::Ok();
  }
  if (key == "MinNodes") {
    HERD_ASSIGN_OR_RETURN(p->min_nodes, ParseNodeCount(v, 0));
    return Status::Ok();
  }
  if (key == "PriorityTier") {
    HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(v, UINT32_MAX));
    p->priority = static_cast<uint32_t>(n);
    return Status::Ok();
  }
  if (key == "PriorityJobFactor") {
    HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(v, 65533));
    p->priority_job_factor = static_cast<uint32_t>(n);
    return Status::Ok();
  }
  return NotFound("unknown partition key");
}

Status CheckPartition(const PartitionConfig& p) {
  if (p.name.empty() || p.name.find_first_of(",[]= \t\"#") != std::string::npos) {
    return InvalidArgument("bad partition name '" + p.name + "'");
  }
  std::set<std::string> members;
  for (const std::string& n : p.nodes) {
    if (!members.insert(n).second) return InvalidArgument("node '" + n + "' is listed twice");
  }
  if (p.max_time_s >= 0 && p.default_time_s > p.max_time_s) {
    return InvalidArgument("DefaultTime is longer than MaxTime");
  }
  if (p.max_nodes != 0 && p.min_nodes > p.max_nodes) {
    return InvalidArgument("MinNodes is larger than MaxNodes");
  }
  return Status::Ok();
}

std::string FormatPartitionLine(const PartitionConfig& p) {
  std::ostringstream o;
  o << "PartitionName=" << p.name << " Nodes=" << CompressHostlist(p.nodes)
    << " Default=" << (p.is_default ? "YES" : "NO") << " MaxTime=" << FormatDuration(p.max_time_s)
    << " DefaultTime=" << FormatDuration(p.default_time_s)
    << " State=" << PartitionStateName(p.state) << " MinNodes=" << p.min_nodes
    << " MaxNodes=" << (p.max_nodes == 0 ? std::string("UNLIMITED") : std::to_string(p.max_nodes))
    << " PriorityJobFactor=" << p.priority_job_factor << " PriorityTier=" << p.priority;
  return o.str();
}

std::string MergePartitionLines(const std::string& conf_text,
                                const std::map<std::string, std::string>& lines) {
  std::set<std::string> written;
  std::string out;
  size_t pos = 0;
  while (pos < conf_text.size()) {
    size_t eol = conf_text.find('\n', pos);
    if (eol == std::string::npos) eol = conf_text.size();
    const std::string line = conf_text.substr(pos, eol - pos);
    pos = eol + 1;
    const std::string name = PartitionNameOf(line);
    if (name.empty()) {
      out += line + "\n";
      continue;
    }
    auto it = lines.find(name);
    if (it == lines.end()) {
      out += "# deleted at runtime: " + line + "\n";
    } else if (written.insert(name).second) {
      out += it->second + "\n";
    }
  }
  for (const auto& [name, line] : lines) {
    if (written.insert(name).second) out += "# created at runtime\n" + line + "\n";
  }
  return out;
}

}  // namespace herd
