// herd — placement of a step inside its job's allocation.
#include "controller/sched/step_placement.h"

#include <algorithm>
#include <set>

#include "common/base/hostlist.h"

namespace herd::ctld {
namespace {

struct Slot {
  const NodeAlloc* alloc;
  std::vector<uint32_t> free;  // job cpus not held by other steps
  uint32_t capacity = 0;       // tasks
  uint32_t tasks = 0;
};

}  // namespace

Result<std::vector<proto::StepNode>> PlaceStep(const Job& job, const proto::StepSpec& spec) {
  auto never = [](const std::string& why) -> Status {
    return FailedPrecondition("Requested node configuration is not available: " + why);
  };
  std::set<std::string> want, skip;
  if (!spec.nodelist.empty()) {
    auto r = ExpandHostlist(spec.nodelist);
    if (!r.ok()) return InvalidArgument("invalid node list: " + r.error().message());
    want.insert(r->begin(), r->end());
  }
  if (!spec.exclude.empty()) {
    auto r = ExpandHostlist(spec.exclude);
    if (!r.ok()) return InvalidArgument("invalid excluded node list: " + r.error().message());
    skip.insert(r->begin(), r->end());
  }
  for (const auto& w : want) {
    bool in_job = std::any_of(job.alloc.begin(), job.alloc.end(),
                              [&](const NodeAlloc& a) { return a.node == w; });
    if (!in_job) return never("node " + w + " is not part of job " + std::to_string(job.id));
  }
  const uint32_t cpt = std::max<uint32_t>(1, spec.cpus_per_task);
  bool busy = false;
  std::vector<Slot> slots;
  for (const auto& a : job.alloc) {
    if (skip.count(a.node) || (!want.empty() && !want.count(a.node))) continue;
    Slot s;
    s.alloc = &a;
    std::set<uint32_t> held;
    if (!spec.overlap) {
      for (const auto& st : job.steps) {
        if (st.state != JobState::kRunning || st.overlap) continue;
        for (const auto& sn : st.layout) {
          if (sn.node == a.node) held.insert(sn.cpus.begin(), sn.cpus.end());
        }
      }
    }
    for (uint32_t c : a.cpus) {
      if (!held.count(c)) s.free.push_back(c);
    }
    if (a.cpus.size() / cpt == 0) return never("fewer cpus on " + a.node + " than per task");
    s.capacity = static_cast<uint32_t>(s.free.size()) / cpt;
    if (spec.ntasks_per_node > 0) {
      if (a.cpus.size() / cpt < spec.ntasks_per_node) return never("too many tasks per node");
      s.capacity = std::min(s.capacity, spec.ntasks_per_node);
    }
    if (s.capacity < (a.cpus.size() / cpt)) busy = true;
    slots.push_back(std::move(s));
  }
  if (slots.empty()) return never("no node of the allocation is left");

  uint32_t nnodes = spec.num_nodes;
  uint32_t ntasks = spec.num_tasks;
  if (nnodes == 0) {
    nnodes = ntasks > 0 ? std::min<uint32_t>(ntasks, static_cast<uint32_t>(slots.size()))
                        : static_cast<uint32_t>(slots.size());
  }
  if (nnodes > slots.size()) {
    return never(std::to_string(nnodes) + " nodes requested, the allocation has " +
                 std::to_string(slots.size()));
  }
  if (ntasks == 0) ntasks = spec.ntasks_per_node > 0 ? spec.ntasks_per_node * nnodes : nnodes;
  if (ntasks < nnodes) return never("fewer tasks than nodes");
  slots.resize(nnodes);

  uint64_t total_cpus = 0;
  for (const auto& s : slots) total_cpus += s.alloc->cpus.size();
  if (uint64_t{ntasks} * cpt > total_cpus && !spec.overlap) {
    return never("more processors requested than the allocation has");
  }
  uint64_t capacity = 0;
  for (const auto& s : slots) capacity += s.capacity;
  if (capacity < ntasks ||
      std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.capacity == 0; })) {
    if (busy) return ResourceExhausted("Requested nodes are busy");
    // Overlapping steps may oversubscribe: give every node an even share.
    if (!spec.overlap) return never("not enough cpus");
    for (auto& s : slots) s.capacity = ntasks;
  }

  // Task counts as even as capacity allows.
  for (auto& s : slots) s.tasks = 1;
  uint32_t left = ntasks - nnodes;
  while (left > 0) {
    for (auto& s : slots) {
      if (left > 0 && s.tasks < s.capacity) {
        s.tasks++;
        left--;
      }
    }
  }
  std::vector<proto::StepNode> out(slots.size());
  bool cyclic = spec.distribution.rfind("cyclic", 0) == 0;
  if (cyclic) {
    std::vector<uint32_t> given(slots.size(), 0);
    for (uint32_t rank = 0; rank < ntasks;) {
      for (size_t i = 0; i < slots.size() && rank < ntasks; ++i) {
        if (given[i] < slots[i].tasks) {
          out[i].tasks.push_back(rank++);
          given[i]++;
        }
      }
    }
  } else {
    uint32_t rank = 0;
    for (size_t i = 0; i < slots.size(); ++i) {
      for (uint32_t t = 0; t < slots[i].tasks; ++t) out[i].tasks.push_back(rank++);
    }
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    out[i].node = slots[i].alloc->node;
    const std::vector<uint32_t>& pool = spec.overlap ? slots[i].alloc->cpus : slots[i].free;
    size_t want_cpus = std::min<size_t>(pool.size(), size_t{slots[i].tasks} * cpt);
    out[i].cpus.assign(pool.begin(), pool.begin() + static_cast<long>(want_cpus));
    out[i].mem_mb = slots[i].alloc->mem_mb;
  }
  return out;
}

}  // namespace herd::ctld
