// herd — placement (select/cores).
#include "controller/sched/placement.h"

#include <algorithm>
#include <set>

#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::ctld {
namespace {

struct Candidate {
  size_t index;
  uint32_t free_cpus;
  uint64_t free_mem;
  uint32_t capacity;  // tasks that fit
};

const std::vector<std::string>& NodeFeatures(const ClusterState& state, size_t index, bool ever) {
  // At submit, what a node can have (AvailableFeatures); to start, what it has now.
  return ever ? state.NodeConf(index).features : state.ActiveFeatures(index);
}

// Slurm's order among the nodes that fit: the lowest Weight first, the partition's order
// among equals. `from`: the first candidates (required nodes) stay in front.
void SortByWeight(const ClusterState& state, std::vector<Candidate>* cands, size_t from) {
  if (cands->size() <= from + 1) return;
  auto weight = [&state](const Candidate& c) { return state.NodeConf(c.index).weight; };
  const uint32_t first = weight((*cands)[from]);
  const bool uniform = std::all_of(cands->begin() + static_cast<long>(from), cands->end(),
                                   [&](const Candidate& c) { return weight(c) == first; });
  if (uniform) return;
  std::stable_sort(cands->begin() + static_cast<long>(from), cands->end(),
                   [&](const Candidate& a, const Candidate& b) { return weight(a) < weight(b); });
}

// Counted features (`gpu*2`): the first candidates of each count moved right behind the
// required ones, so that the usual choice takes them. False when too few match.
bool FrontCounted(const ClusterState& state, const proto::FeatureAlternative& feat, bool ever,
                  size_t from, std::vector<Candidate>* cands) {
  if (feat.counted.empty()) return true;
  std::vector<bool> taken(cands->size(), false);
  for (const auto& term : feat.counted) {
    uint32_t got = 0;
    for (size_t i = 0; i < cands->size() && got < term.second; ++i) {
      if (taken[i] || !term.first.Matches(NodeFeatures(state, (*cands)[i].index, ever))) continue;
      taken[i] = true;
      ++got;
    }
    if (got < term.second) return false;
  }
  std::vector<Candidate> out(cands->begin(), cands->begin() + static_cast<long>(from));
  for (size_t i = from; i < cands->size(); ++i) {
    if (taken[i]) out.push_back((*cands)[i]);
  }
  for (size_t i = from; i < cands->size(); ++i) {
    if (!taken[i]) out.push_back((*cands)[i]);
  }
  *cands = std::move(out);
  return true;
}

// Whether the chosen nodes hold every count (each node counted for one term).
bool CountsMet(const ClusterState& state, const proto::FeatureAlternative& feat, bool ever,
               const std::vector<Candidate>& chosen) {
  std::vector<uint32_t> need;
  for (const auto& term : feat.counted) need.push_back(term.second);
  for (const Candidate& c : chosen) {
    const auto& have = NodeFeatures(state, c.index, ever);
    for (size_t k = 0; k < need.size(); ++k) {
      if (need[k] > 0 && feat.counted[k].first.Matches(have)) {
        --need[k];
        break;
      }
    }
  }
  return std::all_of(need.begin(), need.end(), [](uint32_t n) { return n == 0; });
}

Result<std::vector<NodeAlloc>> PlaceOne(const ClusterState& state, const Job& job, PlaceMode mode,
                                        const PlannedUse* planned, const std::vector<bool>* avoid,
                                        const proto::FeatureAlternative& feat);

}  // namespace

Result<proto::FeatureRequest> JobFeatures(const std::vector<std::string>& constraints) {
  proto::FeatureRequest out;
  out.alternatives.emplace_back();
  if (constraints.empty()) return out;
  auto plain = [](const std::string& c) {
    return c.find_first_of("&,|()[]*!") == std::string::npos;
  };
  if (std::all_of(constraints.begin(), constraints.end(), plain)) {
    // The common form: names that every node must have.
    for (const std::string& name : constraints) {
      proto::FeaturePred p;
      p.op = proto::FeaturePred::Op::kName;
      p.name = name;
      out.alternatives[0].all.kids.push_back(std::move(p));
      out.names.push_back(name);
    }
    return out;
  }
  return proto::ParseFeatures(Join(constraints, "&"));
}

Result<std::vector<NodeAlloc>> PlaceJob(const ClusterState& state, const Job& job, PlaceMode mode,
                                        const PlannedUse* planned, const std::vector<bool>* avoid) {
  if (job.spec.constraints.empty()) {  // most jobs: no parsing, no allocation
    static const proto::FeatureAlternative kAnyNode;
    return PlaceOne(state, job, mode, planned, avoid, kAnyNode);
  }
  auto feat = JobFeatures(job.spec.constraints);
  if (!feat.ok()) return FailedPrecondition("Invalid feature specification");
  if (mode == PlaceMode::kEver && !feat->names.empty()) {
    // As Slurm: a feature no node of the cluster has is an invalid specification.
    std::set<std::string> unknown(feat->names.begin(), feat->names.end());
    for (size_t i = 0; i < state.nodes().size() && !unknown.empty(); ++i) {
      for (const std::string& f : state.NodeConf(i).features) unknown.erase(f);
    }
    if (!unknown.empty()) return FailedPrecondition("Invalid feature specification");
  }
  Status last = Status::Ok();
  bool later = false;  // some alternative may fit once nodes free up
  for (const proto::FeatureAlternative& alt : feat->alternatives) {
    auto r = PlaceOne(state, job, mode, planned, avoid, alt);
    if (r.ok()) return r;
    if (r.error().code() == Code::kResourceExhausted) later = true;
    last = r.error();
  }
  if (later) return ResourceExhausted("Resources");
  return last;
}

bool NodeUsable(const NodeRecord& n) {
  return n.registered && !n.admin_down && !n.drain && !n.fail && n.pending_kills.empty();
}

uint64_t JobMemOnNode(const ClusterConfig& cfg, const SpecRecord& spec, uint32_t cpus) {
  if (spec.mem_per_node_mb > 0) return spec.mem_per_node_mb;
  if (spec.mem_per_cpu_mb > 0) return spec.mem_per_cpu_mb * cpus;
  return cfg.def_mem_per_cpu_mb * cpus;
}

const PlannedUse::Use* PlannedUse::Find(size_t index) const {
  auto it = nodes_.find(index);
  return it == nodes_.end() ? nullptr : &it->second;
}

PlannedUse::Use& PlannedUse::At(const ClusterState& state, size_t index) {
  auto [it, fresh] = nodes_.try_emplace(index);
  if (fresh) {
    const NodeRecord& n = state.nodes()[index];
    it->second = Use{n.cpu_used, n.mem_used_mb, n.jobs};
  }
  return it->second;
}

void PlannedUse::Take(const ClusterState& state, const std::vector<NodeAlloc>& alloc) {
  for (const auto& a : alloc) {
    int idx = state.NodeIndex(a.node);
    if (idx < 0) continue;
    Use& u = At(state, static_cast<size_t>(idx));
    for (uint32_t c : a.cpus) {
      if (c < u.cpu_used.size()) u.cpu_used[c] = true;
    }
    u.mem_used_mb += a.mem_mb;
    u.jobs++;
  }
}

void PlannedUse::Release(const ClusterState& state, const std::vector<NodeAlloc>& alloc) {
  for (const auto& a : alloc) {
    int idx = state.NodeIndex(a.node);
    if (idx < 0) continue;
    Use& u = At(state, static_cast<size_t>(idx));
    for (uint32_t c : a.cpus) {
      if (c < u.cpu_used.size()) u.cpu_used[c] = false;
    }
    u.mem_used_mb -= std::min(u.mem_used_mb, a.mem_mb);
    if (u.jobs > 0) u.jobs--;
  }
}

Status StillFree(const ClusterState& state, const Job& job, const std::vector<NodeAlloc>& alloc) {
  if (alloc.empty()) return ResourceExhausted("an empty allocation");
  for (const auto& a : alloc) {
    int idx = state.NodeIndex(a.node);
    if (idx < 0) return ResourceExhausted("node " + a.node + " is not configured");
    const NodeRecord& n = state.nodes()[static_cast<size_t>(idx)];
    const NodeConfig& nc = state.NodeConf(static_cast<size_t>(idx));
    if (!NodeUsable(n)) return ResourceExhausted("node " + a.node + " is not usable");
    if (job.spec.exclusive && n.jobs > 0) return ResourceExhausted("node " + a.node + " is shared");
    for (uint32_t c : a.cpus) {
      if (c >= n.cpu_used.size() || n.cpu_used[c]) {
        return ResourceExhausted("cpu " + std::to_string(c) + " of " + a.node + " is taken");
      }
    }
    if (a.mem_mb > 0 && n.mem_used_mb + a.mem_mb > nc.real_memory_mb) {
      return ResourceExhausted("memory of " + a.node + " is taken");
    }
  }
  return Status::Ok();
}

namespace {

Result<std::vector<NodeAlloc>> PlaceOne(const ClusterState& state, const Job& job, PlaceMode mode,
                                        const PlannedUse* planned, const std::vector<bool>* avoid,
                                        const proto::FeatureAlternative& feat) {
  const ClusterConfig& cfg = state.config();
  const SpecRecord& spec = job.spec;
  const PartitionConfig* part = state.FindPartition(job.partition);
  if (part == nullptr) return FailedPrecondition("invalid partition name specified");
  const bool ever = mode == PlaceMode::kEver;
  auto never = [&](const std::string& why) -> Status {
    return FailedPrecondition("Requested node configuration is not available (" + why + ")");
  };
  const Status not_now = ResourceExhausted("Resources");

  std::set<std::string> required, excluded;
  if (!spec.nodelist.empty()) {
    auto r = ExpandHostlist(spec.nodelist);
    if (!r.ok()) return InvalidArgument("invalid node list: " + r.error().message());
    required.insert(r->begin(), r->end());
  }
  if (!spec.exclude.empty()) {
    auto r = ExpandHostlist(spec.exclude);
    if (!r.ok()) return InvalidArgument("invalid excluded node list: " + r.error().message());
    excluded.insert(r->begin(), r->end());
  }
  for (const auto& name : required) {
    if (std::find(part->nodes.begin(), part->nodes.end(), name) == part->nodes.end()) {
      return never("node " + name + " is not in partition " + part->name);
    }
    if (excluded.count(name)) return never("node " + name + " is both required and excluded");
  }

  const uint32_t cpt = std::max<uint32_t>(1, spec.cpus_per_task);
  const uint32_t min_nodes = std::max<uint32_t>(
      {spec.min_nodes, 1u, static_cast<uint32_t>(required.size()), feat.CountedNodes(),
       (spec.ntasks_per_node > 0 && spec.num_tasks > 0)
           ? (spec.num_tasks + spec.ntasks_per_node - 1) / spec.ntasks_per_node
           : 1u});
  uint32_t max_nodes = spec.max_nodes > 0   ? spec.max_nodes
                       : spec.min_nodes > 0 ? std::max(spec.min_nodes, min_nodes)
                                            : UINT32_MAX;
  if (max_nodes < min_nodes) return never("node count range is empty");
  uint32_t ntasks = spec.num_tasks;
  if (ntasks == 0) {
    ntasks = spec.ntasks_per_node > 0 ? spec.ntasks_per_node * min_nodes : min_nodes;
  }
  if (ntasks < min_nodes) return never("fewer tasks than nodes");
  if (part->max_nodes > 0 && min_nodes > part->max_nodes) {
    return never("partition " + part->name + " allows at most " + std::to_string(part->max_nodes) +
                 " nodes");
  }

  // Candidates in partition order, required nodes first.
  std::vector<Candidate> cands;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& name : part->nodes) {
      bool is_required = required.count(name) > 0;
      if ((pass == 0) != is_required) continue;
      if (excluded.count(name)) continue;
      int idx = state.NodeIndex(name);
      if (idx < 0) continue;
      const NodeConfig& nc = state.NodeConf(static_cast<size_t>(idx));
      const NodeRecord& nr = state.nodes()[static_cast<size_t>(idx)];
      if (!feat.all.Matches(NodeFeatures(state, static_cast<size_t>(idx), ever))) continue;
      if (!ever && avoid != nullptr && (*avoid)[static_cast<size_t>(idx)]) {
        if (is_required) return not_now;
        continue;
      }
      Candidate c{static_cast<size_t>(idx), nc.cpus, nc.real_memory_mb, 0};
      if (!ever) {
        if (!NodeUsable(nr)) {
          if (is_required) return not_now;
          continue;
        }
        const PlannedUse::Use* p = planned ? planned->Find(c.index) : nullptr;
        const uint32_t jobs = p ? p->jobs : nr.jobs;
        const uint64_t mem_used = p ? p->mem_used_mb : nr.mem_used_mb;
        if (spec.exclusive && jobs > 0) {
          if (is_required) return not_now;
          continue;
        }
        const std::vector<bool>& used = p ? p->cpu_used : nr.cpu_used;
        c.free_cpus = static_cast<uint32_t>(std::count(used.begin(), used.end(), false));
        c.free_mem = nc.real_memory_mb > mem_used ? nc.real_memory_mb - mem_used : 0;
      }
      c.capacity = c.free_cpus / cpt;
      if (spec.mem_per_node_mb > 0) {
        if (spec.mem_per_node_mb > c.free_mem) c.capacity = 0;
      } else if (uint64_t per_task = JobMemOnNode(cfg, spec, cpt); per_task > 0) {
        c.capacity = static_cast<uint32_t>(std::min<uint64_t>(c.capacity, c.free_mem / per_task));
      }
      if (spec.ntasks_per_node > 0) {
        c.capacity = c.capacity >= spec.ntasks_per_node ? spec.ntasks_per_node : 0;
      }
      if (c.capacity == 0) {
        if (is_required) return ever ? never("node " + name + " is too small") : not_now;
        continue;
      }
      cands.push_back(c);
    }
  }

  SortByWeight(state, &cands, required.size());
  if (!FrontCounted(state, feat, ever, required.size(), &cands)) {
    return ever ? never("too few nodes with the features counted") : not_now;
  }

  // Take nodes in order until enough tasks fit on at least min_nodes of them; when the
  // node count is bounded and that falls short, try again with the roomiest nodes first
  // (required nodes stay in front).
  auto choose = [&](const std::vector<Candidate>& from, uint64_t* slots_out) {
    std::vector<Candidate> out;
    uint64_t slots = 0;
    for (const auto& c : from) {
      if (out.size() >= max_nodes) break;
      if (out.size() >= min_nodes && slots >= ntasks) break;
      out.push_back(c);
      slots += c.capacity;
    }
    *slots_out = slots;
    return out;
  };
  uint64_t slots = 0;
  std::vector<Candidate> chosen = choose(cands, &slots);
  if ((chosen.size() < min_nodes || slots < ntasks) && max_nodes < cands.size()) {
    std::vector<Candidate> roomy = cands;
    std::stable_sort(
        roomy.begin() + static_cast<long>(required.size()), roomy.end(),
        [](const Candidate& a, const Candidate& b) { return a.capacity > b.capacity; });
    chosen = choose(roomy, &slots);
  }
  if (!CountsMet(state, feat, ever, chosen)) {
    return ever ? never("too few nodes with the features counted") : not_now;
  }
  if (chosen.size() < min_nodes || slots < ntasks) {
    if (ever) {
      if (chosen.size() < min_nodes) return never("not enough nodes in partition " + part->name);
      return never("not enough cpus or memory for " + std::to_string(ntasks) + " tasks");
    }
    return not_now;
  }

  // Slurm's block layout (select/cons_tres): one task on each node, then the rest filling
  // the nodes in order as far as each holds (-N2 -n4 on 4-cpu nodes: 3,1; -N3 -n7: 4,2,1).
  std::vector<uint32_t> tasks(chosen.size(), 1);
  uint32_t left = ntasks - static_cast<uint32_t>(chosen.size());
  for (size_t i = 0; i < chosen.size() && left > 0; ++i) {
    const uint32_t more = std::min(left, chosen[i].capacity - tasks[i]);
    tasks[i] += more;
    left -= more;
  }

  std::vector<NodeAlloc> out;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const NodeConfig& nc = state.NodeConf(chosen[i].index);
    const NodeRecord& nr = state.nodes()[chosen[i].index];
    const PlannedUse::Use* p = planned ? planned->Find(chosen[i].index) : nullptr;
    const std::vector<bool>& used = p ? p->cpu_used : nr.cpu_used;
    NodeAlloc a;
    a.node = nc.name;
    a.tasks = tasks[i];
    uint32_t want = spec.exclusive ? nc.cpus : tasks[i] * cpt;
    for (uint32_t c = 0; c < nc.cpus && a.cpus.size() < want; ++c) {
      if (ever || !used[c]) a.cpus.push_back(c);
    }
    a.mem_mb = spec.exclusive && JobMemOnNode(cfg, spec, want) == 0
                   ? 0
                   : JobMemOnNode(cfg, spec, static_cast<uint32_t>(a.cpus.size()));
    if (a.mem_mb > chosen[i].free_mem) {
      return ever ? never("not enough memory on node " + nc.name) : not_now;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace
}  // namespace herd::ctld
