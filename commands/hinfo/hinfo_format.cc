// herd hinfo — node states, grouping and rendering.
#include "commands/hinfo/hinfo_format.h"

#include <algorithm>

#include "commands/lib/cli.h"
#include "commands/lib/table.h"
#include "commands/lib/timefmt.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd::hinfo {
namespace {

using proto::NodeInfo;
using proto::NodeState;
using proto::PartitionInfo;

// Fields computed over the nodes of a line rather than taken from one of them.
bool IsAggregate(char code) { return code == 'D' || code == 'N' || code == 'C' || code == 'F'; }

// Nodes that can run nothing: their idle cpus and the node itself count as "other".
bool Unusable(const NodeInfo& n) {
  return n.state == NodeState::kDown || n.state == NodeState::kUnknown || n.drain || n.fail ||
         !n.responding;
}

bool Busy(const NodeInfo& n) {
  return n.state == NodeState::kAllocated || n.state == NodeState::kMixed;
}

std::string OrNull(const std::vector<std::string>& v) {
  return v.empty() ? "(null)" : Join(v, ",");
}

// One field that depends on a single node (nullptr: a partition without nodes) and its
// partition (nullptr: the reasons list, which is not per partition).
std::string Field(char code, const PartitionInfo* p, const NodeInfo* n) {
  switch (code) {
    case 'P':
      return p == nullptr ? "" : p->name + (p->is_default ? "*" : "");
    case 'R':
      return p == nullptr ? "" : p->name;
    case 'a':
      return p == nullptr ? "" : PartitionAvail(p->state);
    case 'l':
      return p == nullptr ? "" : SinfoTimeLimit(p->max_time_s);
    case 'L':
      return p == nullptr || p->default_time_s < 0 ? "n/a" : SinfoTimeLimit(p->default_time_s);
    case 's':
      if (p == nullptr) return "";
      return "1-" + (p->max_nodes == 0 ? std::string("infinite") : std::to_string(p->max_nodes));
    case 'r':
      return "no";
    case 'h':
      return "NO";
    case 'g':
      return "all";
    default:
      break;
  }
  if (n == nullptr) {
    if (code == 't' || code == 'T') return "n/a";
    if (code == 'E') return "none";
    if (code == 'f' || code == 'b' || code == 'G') return "(null)";
    return "0";
  }
  switch (code) {
    case 't':
      return CompactNodeState(*n);
    case 'T':
      return LongNodeState(*n);
    case 'n':
      return n->name;
    case 'o':
      return n->addr.empty() ? n->name : n->addr;
    case 'c':
      return std::to_string(n->cpus);
    case 'm':
      return std::to_string(n->memory_mb);
    case 'f':
      return OrNull(n->features);
    case 'b':
      return OrNull(n->active_features);
    case 'G':
      return n->gres.empty() ? "(null)" : n->gres;
    case 'E':
      return n->reason.empty() ? "none" : n->reason;
    case 'z':
      return std::to_string(n->sockets) + ":" + std::to_string(n->cores_per_socket) + ":" +
             std::to_string(n->threads_per_core);
    case 'X':
      return std::to_string(n->sockets);
    case 'Y':
      return std::to_string(n->cores_per_socket);
    case 'Z':
      return std::to_string(n->threads_per_core);
    case 'd':
      return "0";
    case 'w':
      return std::to_string(n->weight);
    case 'u':
    case 'U': {
      // Who set the reason, as sinfo -R shows it: the name ('U': with the uid).
      if (n->reason.empty() || n->reason_uid < 0) return "Unknown";
      const auto uid = static_cast<uint32_t>(n->reason_uid);
      const std::string name = cli::UserNameOf(uid);
      return code == 'u' ? name : name + "(" + std::to_string(uid) + ")";
    }
    case 'H':
      return cli::FormatTimestamp(n->reason_time, "Unknown");
    default:
      return "";
  }
}

std::string Aggregate(char code, const std::vector<const NodeInfo*>& nodes) {
  switch (code) {
    case 'D':
      return std::to_string(nodes.size());
    case 'N': {
      std::vector<std::string> names;
      for (const NodeInfo* n : nodes) names.push_back(n->name);
      return CompressHostlist(names);
    }
    case 'C': {
      uint64_t alloc = 0, idle = 0, other = 0, total = 0;
      for (const NodeInfo* n : nodes) {
        const uint32_t used = std::min(n->alloc_cpus, n->cpus);
        alloc += used;
        (Unusable(*n) ? other : idle) += n->cpus - used;
        total += n->cpus;
      }
      return std::to_string(alloc) + "/" + std::to_string(idle) + "/" + std::to_string(other) +
             "/" + std::to_string(total);
    }
    case 'F': {
      uint64_t alloc = 0, idle = 0, other = 0;
      for (const NodeInfo* n : nodes) {
        if (Unusable(*n)) {
          ++other;
        } else if (Busy(*n)) {
          ++alloc;
        } else {
          ++idle;
        }
      }
      return std::to_string(alloc) + "/" + std::to_string(idle) + "/" + std::to_string(other) +
             "/" + std::to_string(nodes.size());
    }
    default:
      return "";
  }
}

// Nodes printing the same non-aggregate fields, in first-seen order.
struct Line {
  const PartitionInfo* partition = nullptr;
  const NodeInfo* first = nullptr;
  std::vector<std::string> key;
  std::vector<const NodeInfo*> nodes;
};

template <class T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool NodeWanted(const NodeInfo& n, const HinfoOptions& o) {
  if (!o.nodes.empty() && !Contains(o.nodes, n.name)) return false;
  if (o.responding_only && !n.responding) return false;
  if (o.states.empty()) return true;
  std::string state = CompactNodeState(n);
  if (!state.empty() && state.back() == '*') state.pop_back();
  // "drain" asks for drained and draining nodes alike, as in sinfo.
  if (state == "drng" && Contains(o.states, std::string("drain"))) return true;
  return Contains(o.states, state);
}

bool HasReason(const NodeInfo& n) {
  return n.state == NodeState::kDown || n.drain || !n.responding || !n.reason.empty();
}

// A line's place in sinfo's default order ("-t": by node state, highest first), which
// follows the order of Slurm's node states: unknown, down, idle, allocated, mixed.
int StateRank(const Line& l) {
  if (l.first == nullptr) return -1;
  switch (l.first->state) {
    case NodeState::kUnknown:
      return 0;
    case NodeState::kDown:
      return 1;
    case NodeState::kIdle:
      return 2;
    case NodeState::kAllocated:
      return 3;
    case NodeState::kMixed:
      return 5;
  }
  return 0;
}

// Appends `n` to the line with the same key in `lines`, or starts one.
void Group(const PartitionInfo* p, const NodeInfo* n, const std::vector<char>& codes,
           std::vector<Line>* lines) {
  std::vector<std::string> key;
  for (char c : codes) key.push_back(IsAggregate(c) ? "" : Field(c, p, n));
  for (Line& l : *lines) {
    if (l.partition == p && l.key == key) {
      l.nodes.push_back(n);
      return;
    }
  }
  Line l;
  l.partition = p;
  l.first = n;
  l.key = std::move(key);
  if (n != nullptr) l.nodes.push_back(n);
  lines->push_back(std::move(l));
}

}  // namespace

const std::map<char, std::string>& NodeTitles() {
  static const std::map<char, std::string> kTitles = {
      {'a', "AVAIL"},     {'C', "CPUS(A/I/O/T)"}, {'c', "CPUS"},           {'D', "NODES"},
      {'d', "TMP_DISK"},  {'E', "REASON"},        {'F', "NODES(A/I/O/T)"}, {'f', "AVAIL_FEATURES"},
      {'g', "GROUPS"},    {'H', "TIMESTAMP"},     {'h', "OVERSUBS"},       {'L', "DEFAULTTIME"},
      {'l', "TIMELIMIT"}, {'m', "MEMORY"},        {'N', "NODELIST"},       {'n', "HOSTNAMES"},
      {'o', "NODE_ADDR"}, {'P', "PARTITION"},     {'R', "PARTITION"},      {'r', "ROOT"},
      {'s', "JOB_SIZE"},  {'T', "STATE"},         {'t', "STATE"},          {'U', "USER"},
      {'u', "USER"},      {'w', "WEIGHT"},        {'X', "SOCKETS"},        {'Y', "CORES"},
      {'Z', "THREADS"},   {'z', "S:C:T"},         {'G', "GRES"},           {'b', "ACTIVE_FEATURES"},
  };
  return kTitles;
}

std::string CompactNodeState(const NodeInfo& n) {
  std::string s;
  if (n.drain) {
    s = Busy(n) ? "drng" : "drain";
  } else if (n.fail && n.state != NodeState::kDown) {
    s = n.state == NodeState::kAllocated ? "failg" : "fail";
  } else {
    switch (n.state) {
      case NodeState::kIdle:
        s = "idle";
        break;
      case NodeState::kMixed:
        s = "mix";
        break;
      case NodeState::kAllocated:
        s = "alloc";
        break;
      case NodeState::kDown:
        s = "down";
        break;
      case NodeState::kUnknown:
        s = "unk";
        break;
    }
  }
  return n.responding ? s : s + "*";
}

std::string LongNodeState(const NodeInfo& n) {
  std::string s;
  if (n.drain) {
    s = Busy(n) ? "draining" : "drained";
  } else if (n.fail && n.state != NodeState::kDown) {
    s = n.state == NodeState::kAllocated ? "failing" : "fail";
  } else {
    switch (n.state) {
      case NodeState::kIdle:
        s = "idle";
        break;
      case NodeState::kMixed:
        s = "mixed";
        break;
      case NodeState::kAllocated:
        s = "allocated";
        break;
      case NodeState::kDown:
        s = "down";
        break;
      case NodeState::kUnknown:
        s = "unknown";
        break;
    }
  }
  return n.responding ? s : s + "*";
}

std::string PartitionAvail(const std::string& state) {
  const std::string s = ToLower(state);
  if (s == "inactive") return "inact";
  return s.empty() ? "up" : s;
}

std::string SinfoTimeLimit(int64_t seconds) {
  return seconds < 0 ? "infinite" : FormatDuration(seconds);
}

Result<std::string> RenderInfo(const std::vector<PartitionInfo>& partitions,
                               const std::vector<NodeInfo>& nodes, const HinfoOptions& opts) {
  const std::string format = opts.format.empty() ? DefaultFormat(opts) : opts.format;
  auto fmt = cli::TableFormat::Parse(format, NodeTitles());
  if (!fmt.ok()) return InvalidArgument("Invalid node format: " + fmt.error().message());
  const std::vector<char> codes = fmt->codes();

  std::map<std::string, const NodeInfo*> by_name;
  for (const NodeInfo& n : nodes) by_name[n.name] = &n;
  std::vector<const PartitionInfo*> parts;
  for (const PartitionInfo& p : partitions) {
    if (opts.partitions.empty() || Contains(opts.partitions, p.name)) parts.push_back(&p);
  }
  const bool filtering = !opts.nodes.empty() || !opts.states.empty();

  std::vector<Line> lines;
  if (opts.mode == Mode::kNodes) {
    // One line per node and partition, node by node.
    for (const NodeInfo& n : nodes) {
      if (!NodeWanted(n, opts)) continue;
      for (const PartitionInfo* p : parts) {
        if (Contains(p->nodes, n.name)) lines.push_back(Line{p, &n, {}, {&n}});
      }
    }
  } else if (opts.mode == Mode::kReasons) {
    for (const NodeInfo& n : nodes) {
      if (!NodeWanted(n, opts) || !HasReason(n)) continue;
      if (!opts.partitions.empty() &&
          std::none_of(parts.begin(), parts.end(),
                       [&n](const PartitionInfo* p) { return Contains(p->nodes, n.name); })) {
        continue;
      }
      Group(nullptr, &n, codes, &lines);
    }
  } else {
    for (const PartitionInfo* p : parts) {
      const size_t before = lines.size();
      for (const std::string& name : p->nodes) {
        auto it = by_name.find(name);
        if (it == by_name.end() || !NodeWanted(*it->second, opts)) continue;
        Group(p, it->second, codes, &lines);
      }
      if (lines.size() == before && !filtering) Group(p, nullptr, codes, &lines);
      // Within a partition, sinfo's default order: node state, highest first.
      std::stable_sort(lines.begin() + static_cast<std::ptrdiff_t>(before), lines.end(),
                       [](const Line& a, const Line& b) { return StateRank(a) > StateRank(b); });
    }
  }

  std::vector<std::vector<std::string>> rows;
  for (const Line& l : lines) {
    std::vector<std::string> cells;
    for (char c : codes) {
      cells.push_back(IsAggregate(c) ? Aggregate(c, l.nodes) : Field(c, l.partition, l.first));
    }
    rows.push_back(std::move(cells));
  }
  return fmt->Render(rows, !opts.noheader);
}

}  // namespace herd::hinfo
