// herd sim — job clients and the submit storm.
#include "testsuite/sim/workloads.h"

#include <algorithm>
#include <sstream>

namespace herd::sim {
namespace {

constexpr int64_t kFollowUpMs = 5000;  // a request without a reply is followed up after this
constexpr uint32_t kAdminClient = 999;

}  // namespace

std::string SimScript(const std::string& name, int64_t run_ms, int exit_code) {
  std::ostringstream s;
  s << "#!/bin/sh\n# " << name << "\nsleep " << run_ms / 1000 << "." << (run_ms % 1000) / 100
    << "\n";
  if (exit_code != 0) s << "exit " << exit_code << "\n";
  return s.str();
}

JobClients::JobClients(World& world, std::vector<Plan> plans) : world_(world) {
  std::stable_sort(plans.begin(), plans.end(),
                   [](const Plan& a, const Plan& b) { return a.submit_at_ms < b.submit_at_ms; });
  for (auto& p : plans) {
    Entry e;
    e.next_ms = p.submit_at_ms;
    e.plan = std::move(p);
    entries_.push_back(std::move(e));
  }
  world_.set_reply_handler([this](uint32_t client, const proto::Frame& f) { OnReply(client, f); });
}

int64_t JobClients::NextActionMs() const {
  int64_t next = INT64_MAX;
  for (const Entry& e : entries_) {
    if (e.phase == Phase::kWaiting || e.phase == Phase::kSubmitted || e.phase == Phase::kQuerying) {
      next = std::min(next, e.next_ms);
    }
    if (e.release_at_ms >= 0) next = std::min(next, e.release_at_ms);
    if (e.cancel_at_ms >= 0) next = std::min(next, e.cancel_at_ms);
  }
  return next;
}

void JobClients::Send(size_t index, Req what, const proto::Frame& f) {
  const Entry& e = entries_[index];
  uint64_t rid = world_.ClientSend(e.plan.uid - 1000, e.plan.uid, f);
  inflight_[rid] = {index, what};
}

void JobClients::Act() {
  const int64_t now = world_.NowMs();
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    if (e.phase == Phase::kWaiting && e.next_ms <= now) {
      proto::SubmitJobRequest req;
      req.spec = e.plan.spec;
      Send(i, Req::kSubmit, proto::MakeFrame(req, 0));
      e.phase = Phase::kSubmitted;
      e.submitted_ms = now;
      e.next_ms = now + kFollowUpMs;
    } else if ((e.phase == Phase::kSubmitted || e.phase == Phase::kQuerying) && e.next_ms <= now) {
      // No reply: did the controller record it? Ask by the (unique) name.
      proto::QueryJobsRequest q;
      q.filter.names = {e.plan.spec.name};
      q.filter.include_finished = true;
      Send(i, Req::kQuery, proto::MakeFrame(q, 0));
      queries_++;
      e.phase = Phase::kQuerying;
      e.next_ms = now + kFollowUpMs;
    }
    if (e.phase != Phase::kKnown) continue;
    if (e.release_at_ms >= 0 && e.release_at_ms <= now) {
      proto::HoldJobsRequest h;
      h.filter.job_ids = {e.job_id};
      h.hold = false;
      h.token = 0x52000000ULL + i;  // the same in every resend, as a command's
      Send(i, Req::kRelease, proto::MakeFrame(h, 0));
      e.release_at_ms = now + kFollowUpMs;  // again unless answered
    }
    if (e.cancel_at_ms >= 0 && e.cancel_at_ms <= now) {
      proto::CancelJobsRequest c;
      c.filter.job_ids = {e.job_id};
      c.token = 0x43000000ULL + i;
      Send(i, Req::kCancel, proto::MakeFrame(c, 0));
      e.cancel_at_ms = now + kFollowUpMs;
    }
  }
}

void JobClients::Known(Entry& e, uint64_t job_id) {
  const int64_t now = world_.NowMs();
  e.phase = Phase::kKnown;
  e.job_id = job_id;
  if (e.plan.spec.hold) e.release_at_ms = now + std::max<int64_t>(0, e.plan.release_after_ms);
  if (e.plan.cancel_after_ms >= 0) e.cancel_at_ms = now + e.plan.cancel_after_ms;
  world_.Trace("client: " + e.plan.spec.name + " is job " + std::to_string(job_id));
}

void JobClients::OnReply(uint32_t, const proto::Frame& f) {
  auto it = inflight_.find(f.request_id);
  if (it == inflight_.end()) return;
  auto [index, what] = it->second;
  inflight_.erase(it);
  Entry& e = entries_[index];
  Status st = proto::ReplyStatus(f);
  switch (what) {
    case Req::kSubmit:
      if (e.phase != Phase::kSubmitted && e.phase != Phase::kQuerying) break;
      if (f.type == proto::MsgType::kSubmitJobReply) {
        auto rep = proto::DecodeBody<proto::SubmitJobReply>(f.body);
        if (rep.ok()) Known(e, rep->job_id);
      } else {
        e.phase = Phase::kRejected;
        world_.Trace("client: " + e.plan.spec.name + " rejected: " + st.ToString());
      }
      break;
    case Req::kQuery: {
      if (e.phase != Phase::kQuerying) break;
      auto rep = proto::DecodeBody<proto::QueryJobsReply>(f.body);
      if (f.type != proto::MsgType::kQueryJobsReply || !rep.ok()) break;  // asked again later
      for (const auto& j : rep->jobs) {
        if (j.name == e.plan.spec.name) Known(e, j.job_id);
      }
      if (e.phase == Phase::kQuerying) {
        e.phase = Phase::kLost;  // the submission never reached the journal
        world_.Trace("client: " + e.plan.spec.name + " was never recorded");
      }
      break;
    }
    case Req::kRelease:
      if (e.release_at_ms >= 0) released_++;
      e.release_at_ms = -1;
      break;
    case Req::kCancel:
      if (e.cancel_at_ms >= 0) cancels_++;
      e.cancel_at_ms = -1;
      break;
  }
}

bool JobClients::Done() const {
  for (const Entry& e : entries_) {
    if (e.phase == Phase::kWaiting || e.phase == Phase::kSubmitted || e.phase == Phase::kQuerying ||
        e.release_at_ms >= 0 || e.cancel_at_ms >= 0) {
      return false;
    }
  }
  return true;
}

std::string JobClients::Summary() const {
  size_t known = 0, lost = 0, rejected = 0;
  for (const Entry& e : entries_) {
    known += e.phase == Phase::kKnown;
    lost += e.phase == Phase::kLost;
    rejected += e.phase == Phase::kRejected;
  }
  std::ostringstream s;
  s << "jobs: " << entries_.size() << " planned, " << known << " recorded, " << lost
    << " lost before the journal, " << rejected << " rejected; " << queries_
    << " look-ups after a lost reply, " << released_ << " released, " << cancels_
    << " cancel requests answered";
  return s.str();
}

StormWorkload::StormWorkload(World& world, const StormOptions& o)
    : StormWorkload(world, MakePlans(world, o)) {}

StormWorkload::StormWorkload(World& world, Made made)
    : JobClients(world, std::move(made.plans)),
      admin_(std::move(made.admin)),
      deadline_ms_(made.deadline_ms) {}

void StormWorkload::PlanAdmin(World& world, const StormOptions& o, std::vector<AdminOp>* ops) {
  Rng& rng = world.rng();
  const int64_t nodes = static_cast<int64_t>(world.config().nodes.size());
  int64_t count = rng.Uniform(0, 3);
  for (int64_t k = 0; k < count; ++k) {
    AdminOp act, undo;
    act.at_ms = rng.Uniform(0, o.span_ms);
    undo.at_ms = act.at_ms + rng.Uniform(10000, 300000);
    undo.after = static_cast<int>(ops->size());
    int64_t kind = rng.Uniform(0, 2);
    if (kind < 2) {
      proto::UpdateNodeRequest u;
      u.names = {world.config().nodes[rng.Uniform(0, nodes - 1)].name};
      u.state = kind == 0 ? "DRAIN" : "DOWN";
      u.reason = "sim admin";
      act.what = u.state + " " + u.names.front();
      act.frame = proto::MakeFrame(u, 0);
      u.state = "RESUME";
      undo.what = "RESUME " + u.names.front();
      undo.frame = proto::MakeFrame(u, 0);
    } else {
      proto::UpdatePartitionRequest u;
      u.name = "short";
      u.state = "DOWN";
      act.what = "partition short DOWN";
      act.frame = proto::MakeFrame(u, 0);
      u.state = "UP";
      undo.what = "partition short UP";
      undo.frame = proto::MakeFrame(u, 0);
    }
    ops->push_back(std::move(act));
    ops->push_back(std::move(undo));
  }
}

bool StormWorkload::Ready(const AdminOp& op) const {
  return !op.done && (op.after < 0 || admin_[static_cast<size_t>(op.after)].done);
}

int64_t StormWorkload::NextActionMs() const {
  int64_t next = JobClients::NextActionMs();
  for (const AdminOp& op : admin_) {
    if (Ready(op)) next = std::min(next, op.at_ms);
  }
  return next;
}

void StormWorkload::Act() {
  JobClients::Act();
  const int64_t now = world_.NowMs();
  for (AdminOp& op : admin_) {
    if (!Ready(op) || op.at_ms > now) continue;
    world_.Trace("admin: " + op.what);
    op.rid = world_.ClientSend(kAdminClient, 0, op.frame);
    op.at_ms = now + kFollowUpMs;  // again unless answered
  }
}

void StormWorkload::OnReply(uint32_t client, const proto::Frame& reply) {
  if (client != kAdminClient) {
    JobClients::OnReply(client, reply);
    return;
  }
  for (AdminOp& op : admin_) {
    if (op.rid != 0 && op.rid == reply.request_id && !op.done) {
      op.done = true;
      world_.Trace("admin: " + op.what + ": " + proto::ReplyStatus(reply).ToString());
    }
  }
}

bool StormWorkload::Done() const {
  for (const AdminOp& op : admin_) {
    if (!op.done) return false;
  }
  return JobClients::Done();
}

std::string StormWorkload::Summary() const {
  return JobClients::Summary() + "; " + std::to_string(admin_.size()) + " admin actions";
}

StormWorkload::Made StormWorkload::MakePlans(World& world, const StormOptions& o) {
  Rng& rng = world.rng();
  const ClusterConfig& cfg = world.config();
  const int64_t nodes = static_cast<int64_t>(cfg.nodes.size());
  const int64_t cpus = cfg.nodes.front().cpus;
  std::vector<Plan> plans;
  int64_t total_run = 0;
  for (uint32_t k = 0; k < o.jobs; ++k) {
    Plan p;
    p.uid = 1000 + static_cast<uint32_t>(rng.Uniform(0, o.users - 1));
    p.submit_at_ms = rng.Uniform(0, o.span_ms);
    proto::JobSpec& s = p.spec;
    s.name = "storm-" + std::to_string(k);
    s.work_dir = "/tmp";
    bool short_part = nodes > 1 && rng.Chance(0.1);
    if (short_part) s.partition = "short";
    const int64_t max_nodes = short_part ? std::min<int64_t>(2, nodes) : nodes;
    s.cpus_per_task = static_cast<uint32_t>(rng.Pick({1, 1, 1, 2}));
    const int64_t per_node = std::max<int64_t>(1, cpus / s.cpus_per_task);
    if (rng.Chance(0.4)) {
      s.min_nodes = static_cast<uint32_t>(
          rng.Chance(0.1) ? max_nodes : rng.Uniform(1, std::min<int64_t>(max_nodes, 3)));
      s.num_tasks = static_cast<uint32_t>(rng.Uniform(s.min_nodes, s.min_nodes * per_node));
    } else {
      int64_t most = std::min<int64_t>(per_node * 2, per_node * max_nodes);
      s.num_tasks = static_cast<uint32_t>(rng.Uniform(1, most));
    }
    if (rng.Chance(0.2)) s.mem_per_cpu_mb = static_cast<uint64_t>(rng.Pick({500, 1000, 2000}));
    if (rng.Chance(0.05)) s.exclusive = true;
    if (rng.Chance(0.2)) s.requeue = false;
    if (rng.Chance(0.1)) s.nice = static_cast<int32_t>(rng.Uniform(1, 100));
    p.run_ms = rng.Chance(0.1) ? rng.Uniform(600, 1200) * 1000 : rng.Uniform(2000, 240000);
    if (short_part) p.run_ms = std::min<int64_t>(p.run_ms, 20 * 60 * 1000);
    total_run += p.run_ms;
    if (rng.Chance(o.too_long)) {
      s.time_limit_s = std::max<int64_t>(1, p.run_ms / 2000);
    } else if (rng.Chance(0.5)) {
      s.time_limit_s = std::max<int64_t>(60, p.run_ms / 500);
      if (short_part) s.time_limit_s = std::min<int64_t>(s.time_limit_s, 30 * 60);
    }  // else -2: the partition's default
    int exit_code = rng.Chance(o.fail) ? 3 : 0;
    s.script = SimScript(s.name, p.run_ms, exit_code);
    if (rng.Chance(o.hold)) {
      s.hold = true;
      p.release_after_ms = rng.Uniform(1000, 120000);
    }
    if (rng.Chance(o.cancel)) p.cancel_after_ms = rng.Uniform(0, 180000);
    plans.push_back(std::move(p));
  }
  // Even one job at a time would be done by then, with time for every fault to heal.
  std::vector<AdminOp> admin;
  if (o.admin) PlanAdmin(world, o, &admin);
  return {std::move(plans), std::move(admin), o.span_ms + total_run + 3600 * 1000};
}

}  // namespace herd::sim
