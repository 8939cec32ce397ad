// herd sim — invariant checks.
#include "testsuite/sim/invariants.h"

#include <algorithm>
#include <cstdio>

#include "common/base/hostlist.h"
#include "controller/sched/partition_rules.h"
#include "controller/sched/placement.h"

namespace herd::sim {

using proto::JobState;

namespace {

std::string Run(uint64_t job, uint32_t run_seq) {
  return std::to_string(job) + "." + std::to_string(run_seq);
}

bool Overlap(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  for (uint32_t c : a) {
    if (std::find(b.begin(), b.end(), c) != b.end()) return true;
  }
  return false;
}

bool SameAlloc(const std::vector<proto::NodeAlloc>& a, const std::vector<proto::NodeAlloc>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].node != b[i].node || a[i].cpus != b[i].cpus || a[i].mem_mb != b[i].mem_mb) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Invariants::Fail(int64_t now_ms, const std::string& what) {
  if (!reported_.insert(what).second) return;
  violations_.push_back({now_ms, what});
}

void Invariants::Note(int64_t now_ms, const std::string& what) {
  if (!reported_.insert(what).second) return;
  notes_.push_back({now_ms, what});
}

void Invariants::OnRunStarted(const RunEvent& e, const std::vector<int64_t>& lost_ms) {
  const std::string& here = config_.nodes[e.node].name;
  const std::string run = Run(e.job_id, e.run_seq);
  if (!e.has_script) Fail(e.time_ms, "job " + run + " launched on " + here + " without its script");
  if (e.batch_host != here) {
    Fail(e.time_ms,
         "job " + run + " launched on " + here + ", not on its batch host " + e.batch_host);
  }
  auto& records = runs_[{e.job_id, e.run_seq}];
  for (const RunRecord& r : records) {
    const std::string& there = config_.nodes[r.node].name;
    if (r.end_ms < 0) {
      Fail(e.time_ms, "run " + run + " launched on " + here + " while it runs on " + there);
    } else if (r.node != e.node) {
      Fail(e.time_ms, "run " + run + " launched on two nodes: " + there + ", then " + here);
    } else if (r.boot == e.boot) {
      Fail(e.time_ms, "run " + run + " launched twice on " + here + " (it had ended at " +
                          std::to_string(r.end_ms) + " ms)");
    } else {
      Note(e.time_ms, "run " + run + " started again on " + here + " after a reboot lost it");
    }
  }
  // The same job alive elsewhere under another run_seq, and cpus shared on this node.
  for (const auto& [key, recs] : runs_) {
    for (const RunRecord& r : recs) {
      if (r.end_ms >= 0) continue;
      const std::string& there = config_.nodes[r.node].name;
      if (key.first == e.job_id && key.second != e.run_seq) {
        std::string what = "job " + std::to_string(e.job_id) + " runs twice at once: run " +
                           Run(key.first, key.second) + " on " + there + " and run " + run +
                           " on " + here;
        // Also when the node was cut off or declared dead meanwhile: it stops its runs
        // when its lease runs out, before the controller requeues them (doc/ha.md).
        if (lost_ms[r.node] >= r.start_ms) {
          what += " (" + there + " was cut off or declared dead meanwhile)";
        }
        Fail(e.time_ms, what);
      }
      if (r.node == e.node && Overlap(r.cpus, e.cpus)) {
        Fail(e.time_ms, "cpus double-booked on " + here + ": job " + run +
                            " started on cpus still used by job " + Run(key.first, key.second));
      }
    }
  }
  RunRecord rec;
  rec.node = e.node;
  rec.start_ms = e.time_ms;
  rec.boot = e.boot;
  rec.cpus = e.cpus;
  records.push_back(rec);
}

void Invariants::OnRunEnded(const RunEvent& e) {
  auto it = runs_.find({e.job_id, e.run_seq});
  if (it == runs_.end()) return;
  for (RunRecord& r : it->second) {
    if (r.node == e.node && r.end_ms < 0) {
      r.end_ms = e.time_ms;
      r.wait_status = e.wait_status;
      r.natural = e.natural;
    }
  }
}

Invariants::View& Invariants::Ctl(size_t ctl) {
  if (ctl >= views_.size()) views_.resize(ctl + 1);
  return views_[ctl];
}

bool Invariants::ForgottenInTime(uint64_t job, int64_t now_s) const {
  auto e = end_times_.find(job);
  return e != end_times_.end() && e->second + config_.min_job_age_s <= now_s;
}

void Invariants::OnSubmitAcked(uint64_t job_id, int64_t now_ms, size_t ctl) {
  acked_total_++;
  if (!Ctl(ctl).jobs.count(job_id)) {
    Fail(now_ms, "job " + std::to_string(job_id) + " acknowledged but not committed");
  }
  acked_.insert(job_id);
}

void Invariants::OnKillOrdered(size_t ctl, size_t node, uint64_t job_id, uint32_t run_seq,
                               int64_t now_ms) {
  const View& view = Ctl(ctl);
  const std::string run = Run(job_id, run_seq);
  const std::string who = views_.size() > 1 ? "controller " + config_.controllers[ctl].name
                                            : std::string("the controller");
  const std::string where = " on " + config_.nodes[node].name;
  auto it = view.jobs.find(job_id);
  if (it == view.jobs.end()) {
    if (!end_times_.count(job_id)) {
      Fail(now_ms, "run " + run + where + " killed by " + who + ", which does not know the job");
    }
    return;
  }
  const JobView& v = it->second;
  if (proto::IsFinished(v.state) || v.intent != ctld::KillIntent::kNone) return;
  if (v.run_seq > run_seq) return;  // a later run: this one was requeued
  if (v.run_seq == run_seq && v.state == JobState::kPending && v.restarts > 0 &&
      !v.reason.empty()) {
    return;  // requeued after a node fault, not started again yet
  }
  Fail(now_ms, "run " + run + where + " killed by " + who + ", which has the job " +
                   proto::JobStateName(v.state) + " at run " + std::to_string(v.run_seq) +
                   " with no reason to kill it");
}

Invariants::JobView Invariants::ViewOf(const ctld::Job& j) {
  JobView v;
  v.state = j.state;
  v.run_seq = j.run_seq;
  v.alloc = j.alloc;
  v.hold = j.hold;
  v.intent = j.intent;
  v.restarts = j.restarts;
  v.submit_time = j.submit_time;
  v.end_time = j.end_time;
  v.reason = j.reason;
  return v;
}

void Invariants::AfterCommit(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s, size_t ctl,
                             bool writable) {
  View& view = Ctl(ctl);
  if (writable) {
    latest_ = ctl;
    CheckAcked(s, now_ms, now_s);
    CheckResources(s, now_ms);
    CheckEndings(view, s, now_ms);
    CheckPendingReasons(s, now_ms);
  }
  const std::string who =
      views_.size() > 1 ? " on " + config_.controllers[ctl].name : std::string();
  for (auto it = view.jobs.begin(); it != view.jobs.end();) {
    if (s.FindJob(it->first) != nullptr) {
      ++it;
      continue;
    }
    const JobView& v = it->second;
    const std::string id = std::to_string(it->first);
    if (!proto::IsFinished(v.state)) {
      Fail(now_ms,
           "committed job " + id + " vanished" + who + " while " + proto::JobStateName(v.state));
    } else if (v.end_time + config_.min_job_age_s > now_s) {
      Fail(now_ms, "job " + id + " forgotten" + who + " before MinJobAge");
    }
    view.forgotten.insert(it->first);
    it = view.jobs.erase(it);
  }
  for (const auto& [id, j] : s.jobs()) {
    view.jobs[id] = ViewOf(j);
    if (proto::IsFinished(j.state)) end_times_[id] = j.end_time;
  }
}

void Invariants::AfterInstall(const ctld::ClusterState& s, size_t ctl) {
  View& view = Ctl(ctl);
  for (const auto& [id, v] : view.jobs) {
    if (s.FindJob(id) == nullptr) view.forgotten.insert(id);
  }
  view.jobs.clear();
  for (const auto& [id, j] : s.jobs()) {
    view.jobs[id] = ViewOf(j);
    if (proto::IsFinished(j.state)) end_times_[id] = j.end_time;
  }
}

void Invariants::CheckAcked(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s) {
  for (auto it = acked_.begin(); it != acked_.end();) {
    if (s.FindJob(*it) != nullptr) {
      ++it;
      continue;
    }
    const std::map<uint64_t, JobView>& jobs = views_[latest_].jobs;
    auto v = jobs.find(*it);
    if (!ForgottenInTime(*it, now_s)) {
      Fail(now_ms,
           "acknowledged job " + std::to_string(*it) + " is gone" +
               (views_.size() > 1 ? " from " + config_.controllers[latest_].name + " (now active)"
                                  : std::string()) +
               (v == jobs.end() ? ""
                                : std::string(" (last committed ") +
                                      proto::JobStateName(v->second.state) + ")"));
    }
    it = acked_.erase(it);
  }
}

void Invariants::AfterRecover(const ctld::ClusterState& s, int64_t now_ms, int64_t now_s,
                              size_t ctl) {
  const View& view = Ctl(ctl);
  for (const auto& [id, v] : view.jobs) {
    const ctld::Job* j = s.FindJob(id);
    const std::string name = "job " + std::to_string(id);
    if (j == nullptr) {
      if (!proto::IsFinished(v.state) || v.end_time + config_.min_job_age_s > now_s) {
        Fail(now_ms, "recovery lost committed " + name + " (" + proto::JobStateName(v.state) + ")");
      }
      continue;
    }
    if (j->state != v.state || j->run_seq != v.run_seq || j->hold != v.hold ||
        j->intent != v.intent || j->restarts != v.restarts || !SameAlloc(j->alloc, v.alloc)) {
      Fail(now_ms, "recovery changed " + name + ": committed " + proto::JobStateName(v.state) +
                       " run " + std::to_string(v.run_seq) + ", recovered " +
                       proto::JobStateName(j->state) + " run " + std::to_string(j->run_seq));
    }
  }
  for (const auto& [id, j] : s.jobs()) {
    if (view.jobs.count(id)) continue;
    if (!view.forgotten.count(id) || !proto::IsFinished(j.state)) {
      Fail(now_ms, "recovery produced job " + std::to_string(id) + " (" +
                       proto::JobStateName(j.state) + ") that was never committed");
    }
  }
}

void Invariants::CheckResources(const ctld::ClusterState& s, int64_t now_ms) {
  const auto& nodes = s.nodes();
  std::vector<std::vector<uint64_t>> owner(nodes.size());
  std::vector<uint64_t> mem(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) owner[i].assign(s.NodeConf(i).cpus, 0);
  for (const auto& [id, j] : s.jobs()) {
    if (j.state != JobState::kRunning && j.state != JobState::kCompleting) continue;
    for (const auto& a : j.alloc) {
      int idx = s.NodeIndex(a.node);
      if (idx < 0) {
        Fail(now_ms, "job " + std::to_string(id) + " holds unknown node " + a.node);
        continue;
      }
      mem[idx] += a.mem_mb;
      for (uint32_t c : a.cpus) {
        if (c >= owner[idx].size()) {
          Fail(now_ms, "job " + std::to_string(id) + " holds cpu " + std::to_string(c) + " that " +
                           a.node + " does not have");
        } else if (owner[idx][c] != 0) {
          Fail(now_ms, "cpu " + std::to_string(c) + " of " + a.node + " is held by jobs " +
                           std::to_string(owner[idx][c]) + " and " + std::to_string(id));
        } else {
          owner[idx][c] = id;
        }
      }
    }
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeConfig& nc = s.NodeConf(i);
    if (mem[i] > nc.real_memory_mb) {
      Fail(now_ms, "memory of " + nc.name + " overbooked: " + std::to_string(mem[i]) + " MB");
    }
    for (size_t c = 0; c < owner[i].size() && c < nodes[i].cpu_used.size(); ++c) {
      if (nodes[i].cpu_used[c] != (owner[i][c] != 0)) {
        Fail(now_ms, "the controller's cpu map of " + nc.name + " disagrees with its jobs at cpu " +
                         std::to_string(c));
      }
    }
  }
}

void Invariants::CheckEndings(const View& view, const ctld::ClusterState& s, int64_t now_ms) {
  for (const auto& [id, j] : s.jobs()) {
    if (!proto::IsFinished(j.state)) continue;
    auto v = view.jobs.find(id);
    if (v != view.jobs.end() && proto::IsFinished(v->second.state)) continue;  // seen already
    bool completed = j.state == JobState::kCompleted;
    bool exit_failed = j.state == JobState::kFailed && j.reason == "NonZeroExitCode";
    if (!completed && !exit_failed) continue;
    bool ran = false;
    auto r = runs_.find({id, j.run_seq});
    if (r != runs_.end()) {
      for (const RunRecord& rec : r->second) {
        ran = ran || (rec.end_ms >= 0 && rec.natural && rec.wait_status == j.wait_status);
      }
    }
    if (!ran) {
      Fail(now_ms, "job " + Run(id, j.run_seq) + " reported " + proto::JobStateName(j.state) +
                       " but no node ran it to its end with wait status " +
                       std::to_string(j.wait_status));
    }
  }
}

void Invariants::CheckPendingReasons(const ctld::ClusterState& s, int64_t now_ms) {
  std::vector<const ctld::Job*> pending;
  for (const auto& [id, j] : s.jobs()) {
    if (j.state == JobState::kPending) pending.push_back(&j);
  }
  std::stable_sort(pending.begin(), pending.end(), [](const ctld::Job* a, const ctld::Job* b) {
    return a->spec.nice < b->spec.nice;
  });
  std::set<std::string> head_seen;  // partitions whose first waiting job was checked
  // The nodes reserved (sched/backfill) by the jobs ahead: a job may be kept off them
  // even where it fits.
  std::vector<bool> reserved(s.nodes().size(), false);
  bool any_reserved = false;
  const ctld::Job* ahead = nullptr;
  for (const ctld::Job* j : pending) {
    if (ahead != nullptr && ahead->expected_start > 0) {
      auto names = ExpandHostlist(s.SchedNodes(ahead->id));
      for (const auto& n : names.ok() ? *names : std::vector<std::string>{}) {
        if (int idx = s.NodeIndex(n); idx >= 0) reserved[static_cast<size_t>(idx)] = true;
        any_reserved = true;
      }
    }
    ahead = j;
    const std::string id = std::to_string(j->id);
    const char* reason = ctld::PendingReasonName(j->pending_reason);
    bool held_reason = j->pending_reason == ctld::PendingReason::kJobHeldUser ||
                       j->pending_reason == ctld::PendingReason::kJobHeldAdmin ||
                       j->pending_reason == ctld::PendingReason::kLaunchFailedRequeuedHeld;
    if ((j->hold != ctld::HoldKind::kNone) != held_reason) {
      Fail(now_ms, "job " + id + " pending with reason " + reason + " but hold is " +
                       std::to_string(static_cast<int>(j->hold)));
      continue;
    }
    if (held_reason) continue;
    // A requeued job whose previous run is still being killed is passed over on purpose
    // (it must not run twice at once) and does not hold up its partition.
    if (j->awaiting_kill) {
      if (j->pending_reason != ctld::PendingReason::kRequeued) {
        Fail(now_ms, "job " + id + " awaits the kill of its last run but says " + reason);
      }
      continue;
    }
    if (j->pending_reason == ctld::PendingReason::kNone) {
      Fail(now_ms, "job " + id + " pending without a reason after a scheduling pass");
    }
    if (j->pending_reason == ctld::PendingReason::kBadConstraints &&
        ctld::PlaceJob(s, *j, ctld::PlaceMode::kEver).ok()) {
      Fail(now_ms, "job " + id + " waits with BadConstraints but fits its partition");
    }
    // Only where the partition lets jobs start (UP or DRAIN, within its limits), as the
    // scheduler decides it.
    if (ctld::PartitionHolds(s, *j) != ctld::PendingReason::kNone ||
        !head_seen.insert(j->partition).second) {
      continue;
    }
    // The first job in line of its partition: nothing is ahead of it.
    if (j->pending_reason == ctld::PendingReason::kPriority) {
      Fail(now_ms, "job " + id + " waits for Priority but is first in line in " + j->partition);
    }
    if (ctld::PlaceJob(s, *j, ctld::PlaceMode::kNow, nullptr, any_reserved ? &reserved : nullptr)
            .ok()) {
      Fail(now_ms, "job " + id + " waits (" + reason + ") although it fits now off the reserved " +
                       "nodes and is first in line in " + j->partition);
    }
  }
}

bool Invariants::AllFinished() const {
  for (const auto& [id, v] : jobs()) {
    if (!proto::IsFinished(v.state)) return false;
  }
  for (const auto& [key, recs] : runs_) {
    for (const RunRecord& r : recs) {
      if (r.end_ms < 0) return false;
    }
  }
  return true;
}

void Invariants::CheckAllFinished(int64_t now_ms) {
  std::string stuck;
  int n = 0;
  for (const auto& [id, v] : jobs()) {
    if (proto::IsFinished(v.state)) continue;
    if (++n <= 8) {
      stuck += " " + std::to_string(id) + "(" + proto::JobStateShort(v.state) +
               (v.reason.empty() ? "" : " " + v.reason) + ")";
    }
  }
  if (n > 0) Fail(now_ms, "liveness: " + std::to_string(n) + " jobs never ended:" + stuck);
  for (const auto& [key, recs] : runs_) {
    for (const RunRecord& r : recs) {
      if (r.end_ms < 0) {
        Fail(now_ms, "liveness: run " + Run(key.first, key.second) + " still runs on " +
                         config_.nodes[r.node].name + " after everything ended");
      }
    }
  }
}

}  // namespace herd::sim
