// herd — task placement and binding within a node.
#include "nodedaemon/hw/binding.h"

#include <hwloc.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/base/strings.h"

namespace herd::noded {
namespace {

// A unit of placement: one core's (or one thread's) cpus of the step.
struct Unit {
  uint32_t socket = 0;
  std::vector<uint32_t> cpus;
};

// Hands units to tasks until each has at least `cpus_per_task` cpus (see binding.h for
// block and cyclic). Sets *wrapped when units had to be handed out twice.
std::vector<std::vector<size_t>> AssignUnits(const std::vector<Unit>& units, uint32_t num_tasks,
                                             uint32_t cpus_per_task, CpuDistribution dist,
                                             bool* wrapped) {
  std::vector<std::vector<size_t>> out(num_tasks);
  *wrapped = false;
  if (units.empty()) return out;
  std::vector<uint32_t> sockets;  // distinct, in unit order
  for (const Unit& u : units) {
    if (std::find(sockets.begin(), sockets.end(), u.socket) == sockets.end()) {
      sockets.push_back(u.socket);
    }
  }
  std::vector<bool> used(units.size(), false);
  size_t left = units.size();
  size_t next_socket = 0;  // cyclic: where the next task starts
  auto first_free_on = [&](uint32_t socket) -> size_t {
    for (size_t i = 0; i < units.size(); ++i) {
      if (!used[i] && units[i].socket == socket) return i;
    }
    return units.size();
  };
  for (uint32_t t = 0; t < num_tasks; ++t) {
    size_t have = 0;
    size_t socket_pos = next_socket % sockets.size();
    bool first = true;
    while (have < cpus_per_task && out[t].size() < units.size()) {
      if (left == 0) {
        // Everything is taken: start over, except what this task already holds.
        std::fill(used.begin(), used.end(), false);
        for (size_t i : out[t]) used[i] = true;
        left = units.size() - out[t].size();
        *wrapped = true;
      }
      size_t pick = units.size();
      if (dist == CpuDistribution::kBlock) {
        pick = static_cast<size_t>(std::find(used.begin(), used.end(), false) - used.begin());
      } else {
        // Stay on the current socket while it has free units, else move on.
        for (size_t k = 0; k < sockets.size() && pick == units.size(); ++k) {
          size_t pos = (socket_pos + k) % sockets.size();
          pick = first_free_on(sockets[pos]);
          if (pick != units.size()) socket_pos = pos;
        }
        if (first) next_socket = socket_pos + 1;
      }
      first = false;
      used[pick] = true;
      --left;
      out[t].push_back(pick);
      have += units[pick].cpus.size();
    }
  }
  return out;
}

std::vector<uint32_t> CpusOf(const std::vector<Unit>& units, const std::vector<size_t>& picks) {
  std::set<uint32_t> cpus;
  for (size_t i : picks) cpus.insert(units[i].cpus.begin(), units[i].cpus.end());
  return {cpus.begin(), cpus.end()};
}

// The step's cpus that share a core (or socket) with any of `cpus`.
std::vector<uint32_t> Widen(const CpuTopology& topo, const std::vector<uint32_t>& avail,
                            const std::vector<uint32_t>& cpus, bool by_socket) {
  std::set<uint32_t> keys;
  for (uint32_t c : cpus) keys.insert(by_socket ? topo.pus[c].socket : topo.pus[c].core);
  std::vector<uint32_t> out;
  for (uint32_t c : avail) {
    if (keys.count(by_socket ? topo.pus[c].socket : topo.pus[c].core) != 0) out.push_back(c);
  }
  return out;
}

// 0-15, or -1 for anything else (lower case only).
int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

Result<uint64_t> ParseNumber(const std::string& text, bool hex) {
  std::string t = ToLower(Trim(text));
  if (StartsWith(t, "0x")) {
    hex = true;
    t = t.substr(2);
  }
  if (t.empty() || t.size() > (hex ? 8u : 10u)) return InvalidArgument("bad cpu '" + text + "'");
  uint64_t v = 0;
  for (char ch : t) {
    int d = HexDigit(ch);
    if (d < 0 || d >= (hex ? 16 : 10)) return InvalidArgument("bad cpu '" + text + "'");
    v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);
  }
  return v;
}

// A hex mask of any length -> its cpus.
Result<std::vector<uint32_t>> ParseMask(const std::string& text) {
  std::string t = ToLower(Trim(text));
  if (StartsWith(t, "0x")) t = t.substr(2);
  if (t.empty() || t.size() > 1024) return InvalidArgument("bad cpu mask '" + text + "'");
  std::vector<uint32_t> cpus;
  for (size_t i = 0; i < t.size(); ++i) {
    char ch = t[t.size() - 1 - i];
    int d = HexDigit(ch);
    if (d < 0) return InvalidArgument("bad cpu mask '" + text + "'");
    for (int b = 0; b < 4; ++b) {
      if (d & (1 << b)) cpus.push_back(static_cast<uint32_t>(i * 4 + b));
    }
  }
  if (cpus.empty()) return InvalidArgument("cpu mask '" + text + "' is empty");
  return cpus;
}

const char* BindName(CpuBindType t) {
  switch (t) {
    case CpuBindType::kNone:
      return "NONE";
    case CpuBindType::kThreads:
      return "THREADS";
    case CpuBindType::kCores:
      return "CORES";
    case CpuBindType::kSockets:
      return "SOCKETS";
    case CpuBindType::kMapCpu:
      return "MAP_CPU";
    case CpuBindType::kMaskCpu:
      return "MASK_CPU";
  }
  return "?";
}

}  // namespace

Result<CpuTopology> LoadCpuTopology(const std::string& synthetic) {
  hwloc_topology_t t;
  if (hwloc_topology_init(&t) != 0) return Internal("hwloc_topology_init failed");
  if (!synthetic.empty() && hwloc_topology_set_synthetic(t, synthetic.c_str()) != 0) {
    hwloc_topology_destroy(t);
    return InvalidArgument("hwloc rejects the synthetic topology '" + synthetic + "'");
  }
  if (hwloc_topology_load(t) != 0) {
    hwloc_topology_destroy(t);
    return Internal("hwloc cannot load the topology");
  }
  CpuTopology topo;
  int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
    hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
    CpuTopology::Pu p;
    p.core = core != nullptr ? core->logical_index : pu->logical_index;
    p.socket = pkg != nullptr ? pkg->logical_index : 0;
    topo.pus.push_back(p);
  }
  hwloc_topology_destroy(t);
  if (topo.pus.empty()) return Internal("hwloc found no processing units");
  return topo;
}

Result<CpuBind> ParseCpuBind(const std::string& text) {
  CpuBind bind;
  bool typed = false;
  bool in_list = false;  // bare numbers continue a map_cpu/mask_cpu list
  auto set_type = [&](CpuBindType t) -> Status {
    if (typed) return InvalidArgument("--cpu-bind '" + text + "' names more than one binding");
    typed = true;
    bind.type = t;
    return Status::Ok();
  };
  for (const std::string& raw : Split(text, ',')) {
    std::string item = ToLower(Trim(raw));
    if (item.empty()) continue;
    if (item == "verbose" || item == "v") {
      bind.verbose = true;
      in_list = false;
    } else if (item == "quiet" || item == "q") {
      in_list = false;
    } else if (item == "none" || item == "no") {
      HERD_RETURN_IF_ERROR(set_type(CpuBindType::kNone));
    } else if (item == "cores") {
      HERD_RETURN_IF_ERROR(set_type(CpuBindType::kCores));
    } else if (item == "threads") {
      HERD_RETURN_IF_ERROR(set_type(CpuBindType::kThreads));
    } else if (item == "sockets") {
      HERD_RETURN_IF_ERROR(set_type(CpuBindType::kSockets));
    } else if (StartsWith(item, "map_cpu:") || StartsWith(item, "mask_cpu:")) {
      bool map = StartsWith(item, "map_cpu:");
      HERD_RETURN_IF_ERROR(set_type(map ? CpuBindType::kMapCpu : CpuBindType::kMaskCpu));
      item = item.substr(item.find(':') + 1);
      in_list = true;
    } else if (!in_list) {
      return InvalidArgument("unknown --cpu-bind item '" + Trim(raw) +
                             "' (none, cores, threads, sockets, map_cpu:, mask_cpu:, verbose)");
    }
    if (!in_list) continue;
    if (bind.type == CpuBindType::kMapCpu) {
      HERD_ASSIGN_OR_RETURN(uint64_t cpu, ParseNumber(item, /*hex=*/false));
      if (cpu > UINT32_MAX / 2) return InvalidArgument("cpu " + item + " is out of range");
      bind.lists.push_back({static_cast<uint32_t>(cpu)});
    } else {
      HERD_ASSIGN_OR_RETURN(std::vector<uint32_t> cpus, ParseMask(item));
      bind.lists.push_back(std::move(cpus));
    }
  }
  if ((bind.type == CpuBindType::kMapCpu || bind.type == CpuBindType::kMaskCpu) &&
      bind.lists.empty()) {
    return InvalidArgument("--cpu-bind '" + text + "' gives no cpus");
  }
  return bind;
}

Result<CpuDistribution> ParseCpuDistribution(const std::string& distribution) {
  std::vector<std::string> parts = Split(distribution, ':', /*keep_empty=*/true);
  if (parts.size() > 3) return InvalidArgument("bad distribution '" + distribution + "'");
  std::string within = parts.size() >= 2 ? ToLower(Trim(parts[1])) : "";
  if (within.empty() || within == "*" || within == "cyclic" || within == "fcyclic") {
    return CpuDistribution::kCyclic;
  }
  if (within == "block") return CpuDistribution::kBlock;
  return InvalidArgument("bad distribution '" + distribution +
                         "': the part after ':' is block or cyclic");
}

Result<std::vector<std::vector<uint32_t>>> ComputeBinding(const CpuTopology& topo,
                                                          const BindRequest& req) {
  const uint32_t ncpus = static_cast<uint32_t>(topo.pus.size());
  std::vector<uint32_t> avail = req.step_cpus;
  std::sort(avail.begin(), avail.end());
  avail.erase(std::unique(avail.begin(), avail.end()), avail.end());
  if (avail.empty()) {
    for (uint32_t c = 0; c < ncpus; ++c) avail.push_back(c);
  }
  if (avail.back() >= ncpus) {
    return InvalidArgument("cpu " + std::to_string(avail.back()) + " of the step is not on this " +
                           "node (" + std::to_string(ncpus) + " cpus)");
  }
  std::vector<std::vector<uint32_t>> out(req.num_tasks);
  const CpuBind& bind = req.bind;
  if (bind.type == CpuBindType::kNone) {
    std::fill(out.begin(), out.end(), avail);
    return out;
  }
  if (bind.type == CpuBindType::kMapCpu || bind.type == CpuBindType::kMaskCpu) {
    for (uint32_t t = 0; t < req.num_tasks; ++t) {
      out[t] = bind.lists[t % bind.lists.size()];
      for (uint32_t c : out[t]) {
        if (!std::binary_search(avail.begin(), avail.end(), c)) {
          return InvalidArgument("--cpu-bind cpu " + std::to_string(c) +
                                 " is not one of the step's cpus on this node");
        }
      }
      std::sort(out[t].begin(), out[t].end());
    }
    return out;
  }

  // Thread units, and core units (the step's cpus of each core), in logical order.
  std::vector<Unit> threads;
  std::vector<Unit> cores;
  std::map<uint32_t, size_t> core_index;
  for (uint32_t c : avail) {
    const CpuTopology::Pu& pu = topo.pus[c];
    threads.push_back({pu.socket, {c}});
    auto [it, added] = core_index.emplace(pu.core, cores.size());
    if (added) cores.push_back({pu.socket, {}});
    cores[it->second].cpus.push_back(c);
  }
  const uint32_t cpt = std::max<uint32_t>(1, req.cpus_per_task);
  bool wrapped = false;
  if (bind.type != CpuBindType::kThreads) {
    auto picks = AssignUnits(cores, req.num_tasks, cpt, req.distribution, &wrapped);
    bool threads_suffice = uint64_t{req.num_tasks} * cpt <= avail.size();
    if (!wrapped || !threads_suffice) {
      for (uint32_t t = 0; t < req.num_tasks; ++t) {
        out[t] = CpusOf(cores, picks[t]);
        if (bind.type == CpuBindType::kSockets) out[t] = Widen(topo, avail, out[t], true);
      }
      return out;
    }
  }
  // By thread: binding to threads, or too few cores for one per task.
  auto picks = AssignUnits(threads, req.num_tasks, cpt, req.distribution, &wrapped);
  for (uint32_t t = 0; t < req.num_tasks; ++t) {
    out[t] = CpusOf(threads, picks[t]);
    if (bind.type != CpuBindType::kThreads) {
      out[t] = Widen(topo, avail, out[t], bind.type == CpuBindType::kSockets);
    }
  }
  return out;
}

std::string FormatCpuMask(const std::vector<uint32_t>& cpus) {
  if (cpus.empty()) return "0x0";
  uint32_t top = *std::max_element(cpus.begin(), cpus.end());
  std::vector<int> nibbles(top / 4 + 1, 0);
  for (uint32_t c : cpus) nibbles[c / 4] |= 1 << (c % 4);
  std::string out = "0x";
  for (size_t i = nibbles.size(); i-- > 0;) out += "0123456789abcdef"[nibbles[i]];
  return out;
}

std::string VerboseBindLine(const CpuBind& bind, uint32_t rank, const std::string& node,
                            const std::vector<uint32_t>& cpus) {
  return std::string("cpu-bind=") + BindName(bind.type) + " task " + std::to_string(rank) + " on " +
         node + ": mask " + FormatCpuMask(cpus) + " set\n";
}

}  // namespace herd::noded
