// herd sim — the simulated cluster: configuration from the seed, the event loop, the
// controllers' crashes, pauses and recovery, the witness, and the routing of packets.
#include "testsuite/sim/world.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::sim {
namespace {

// The controller's loop runs at least this often (the real one polls with a 100 ms
// timeout; Tick() acts once a second and the outbox resends after 2 s).
constexpr int64_t kLoopIdleMs = 1000;
// With two controllers the loop must renew the lease every HaLeaseMs/4: herdctld's poll
// timeout of 100 ms is what bounds it.
constexpr int64_t kHaLoopIdleMs = 100;
// A client gives up waiting for an answer after this, and tries the other controller.
constexpr int64_t kClientTimeoutMs = 2000;
// A request is sent again at most this often after NotActiveReply (an election is on).
constexpr int64_t kRedirectDelayMs = 250;
constexpr int kMaxRedirects = 40;

std::string MsgName(const std::string& bytes) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  return f.ok() ? std::string(proto::MsgTypeName(f->type)) + " #" + std::to_string(f->request_id)
                : "(malformed)";
}

// A heartbeat or a registration: what the controller judges a node's liveness by.
bool IsLivenessCall(const std::string& bytes) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  return f.ok() && (f->type == proto::MsgType::kHeartbeatRequest ||
                    f->type == proto::MsgType::kRegisterNodeRequest);
}

}  // namespace

const char* CrashPointName(CrashPoint p) {
  switch (p) {
    case CrashPoint::kBetweenSteps:
      return "between steps";
    case CrashPoint::kBeforeFlush:
      return "before the journal commit";
    case CrashPoint::kAfterCommit:
      return "after the commit, before sending";
  }
  return "?";
}

const char* PausePointName(PausePoint p) {
  switch (p) {
    case PausePoint::kBetweenSteps:
      return "between steps";
    case PausePoint::kBeforeSend:
      return "after the commit, before sending";
  }
  return "?";
}

Result<Identity> SimAuth::Verify(const std::string& cred, const std::string&) {
  if (!StartsWith(cred, "uid:")) return PermissionDenied("bad credential");
  auto v = ParseUint(cred.substr(4));
  if (!v.ok()) return PermissionDenied("bad credential");
  return Identity{static_cast<uint32_t>(*v), static_cast<uint32_t>(*v)};
}

std::string World::BuildConfigText(const WorldOptions& o) {
  uint32_t heartbeat = 2, node_timeout = 20, min_job_age = 300, kill_wait = 5, ckpt = 30;
  bool requeue = true;
  if (o.random_knobs) {
    heartbeat = static_cast<uint32_t>(rng_.Pick({1, 2, 5}));
    node_timeout = static_cast<uint32_t>(rng_.Pick({10, 20, 30}));
    min_job_age = static_cast<uint32_t>(rng_.Pick({60, 300}));
    kill_wait = static_cast<uint32_t>(rng_.Pick({2, 10}));
    ckpt = static_cast<uint32_t>(rng_.Pick({5, 30, 120}));
    requeue = rng_.Chance(0.5);
  }
  std::ostringstream k;
  k << "HeartbeatInterval=" << heartbeat << " NodeTimeout=" << node_timeout
    << " MinJobAge=" << min_job_age << " KillWait=" << kill_wait << " CheckpointInterval=" << ckpt
    << " JobRequeue=" << (requeue ? 1 : 0);
  if (o.ha) {
    int64_t lease = 1000, sync = 500;
    if (o.random_knobs) {
      lease = rng_.Pick<int64_t>({500, 1000, 2000});
      sync = rng_.Pick<int64_t>({200, 500, 1000});
    }
    k << " HaLeaseMs=" << lease << " HaSyncTimeoutMs=" << sync;
  }
  knobs_ = k.str();
  std::ostringstream t;
  t << "ClusterName=sim\n";
  if (o.ha) {
    t << "ControllerHosts=ctl1(127.0.0.1:6817),ctl2(127.0.0.1:6818)\n";
    if (o.witness) t << "WitnessHost=w(127.0.0.1:6819)\n";
  } else {
    t << "ControllerHost=ctl(127.0.0.1:6817)\n";
  }
  t << "StateDir=" << dir_ << "\n";
  for (std::string kv : Split(knobs_, ' ')) t << kv << "\n";
  t << "ReturnToService=1\nAdminUser=root\n";
  t << "NodeName=n[1-" << o.nodes << "] NodeAddr=127.0.0.1 Port=7100";
  if (o.nodes > 1) t << "-" << 7100 + o.nodes - 1;
  t << " CPUs=" << o.cpus << " RealMemory=" << o.memory_mb << "\n";
  t << "PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
  t << "PartitionName=short Nodes=" << (o.nodes > 1 ? "n[1-2]" : "n1") << " MaxTime=30 State=UP\n";
  return t.str();
}

World::World(const WorldOptions& o) : rng_(o.seed), trace_(o.trace), net_(rng_), inv_(config_) {
  char tmpl[] = "/tmp/herd-sim-XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  dir_ = d != nullptr ? d : "/tmp/herd-sim-fallback";
  auto cfg = ParseConfig(BuildConfigText(o), "sim.conf");
  if (!cfg.ok()) {
    std::fprintf(stderr, "herd sim: bad generated config: %s\n", cfg.error().message().c_str());
    std::abort();
  }
  config_ = std::move(*cfg);
  for (size_t i = 0; i < config_.controllers.size(); ++i) {
    auto c = std::make_unique<Controller>();
    c->index = i;
    c->name = config_.controllers[i].name;
    c->addr = ctld::ha::TcpEndpoint(config_.controllers[i].host, config_.controllers[i].port);
    // One controller keeps the historical layout (<dir>/jobs).
    c->blob_dir = dir_ + (config_.controllers.size() == 1 ? "/jobs" : "/" + c->name + "/jobs");
    c->blobs = std::make_unique<ctld::BlobStore>(c->blob_dir);
    if (Status s = c->blobs->Init(); !s.ok()) {
      std::fprintf(stderr, "herd sim: %s\n", s.message().c_str());
      std::abort();
    }
    c->clock = std::make_unique<SimClock>(clock_, i == 0 ? o.ctl1_clock_rate : 1.0);
    c->store.set_ignores_fsync(o.disk_ignores_fsync);
    c->heard_ms.assign(config_.nodes.size(), INT64_MIN / 2);
    c->node_down.assign(config_.nodes.size(), false);
    ctls_.push_back(std::move(c));
  }
  if (config_.has_witness()) witness_voter_ = static_cast<int>(ctls_.size());
  LinkKnobs links;
  if (o.random_knobs) {
    links.max_delay_ms = rng_.Pick<int64_t>({5, 50, 300});
  }
  // A lease shorter than a few round trips cannot be renewed: the pair would hold
  // elections forever. Keep the delays below a fifth of the lease.
  if (is_ha()) {
    links.max_delay_ms = std::min<int64_t>(links.max_delay_ms, config_.ha_lease_ms / 5);
  }
  net_.set_knobs(links);
  Trace("config: " + knobs_);
  if (has_witness()) StartWitness();
  for (auto& c : ctls_) StartController(*c);
  node_lost_ms_.assign(config_.nodes.size(), INT64_MIN);
  for (size_t i = 0; i < config_.nodes.size(); ++i) {
    nodes_.push_back(std::make_unique<SimNode>(i, config_.nodes[i], config_, *this));
    nodes_.back()->PowerOn();
  }
}

World::~World() { (void)RemoveTree(dir_); }

uint32_t World::crashes() const {
  uint32_t n = 0;
  for (const auto& c : ctls_) n += c->incarnation - 1;
  return n;
}

uint32_t World::checkpoints() const {
  uint32_t n = 0;
  for (const auto& c : ctls_) n += c->checkpoints;
  return n;
}

void World::Trace(const std::string& line) {
  if (trace_ == nullptr) return;
  char ts[32];
  std::snprintf(ts, sizeof ts, "%9.3f ", static_cast<double>(NowMs()) / 1000.0);
  *trace_ << ts << line << "\n";
}

std::string World::VoterName(int voter) const {
  if (voter >= 0 && static_cast<size_t>(voter) < ctls_.size()) return ctls_[voter]->name;
  if (voter == witness_voter_) return config_.witness_addr.name;
  return "?";
}

int World::VoterIndex(const std::string& name) const {
  for (const auto& c : ctls_) {
    if (c->name == name) return static_cast<int>(c->index);
  }
  return name == config_.witness_addr.name ? witness_voter_ : kNoVoter;
}

void World::StartController(Controller& c) {
  c.incarnation++;
  c.core = std::make_unique<ctld::ControllerCore>(
      config_, *c.clock, c.store, *c.blobs, auth_, c.addr, &c.votes, c.name,
      [this](int64_t lo, int64_t hi) { return rng_.Uniform(lo, hi); });
  Status s = c.core->Recover();
  const std::string who = is_ha() ? "controller " + c.name : std::string("controller");
  Trace(who + " starts (incarnation " + std::to_string(c.incarnation) + "): recovery " +
        s.ToString());
  if (!s.ok()) {
    inv_.Report(NowMs(), who + " cannot recover: " + s.ToString());
    c.core.reset();
    c.restart_at_ms = INT64_MAX;
    return;
  }
  if (c.incarnation > 1) inv_.AfterRecover(c.core->state(), NowMs(), NowSeconds(), c.index);
  c.last_iteration_ms = NowMs();
}

void World::StartWitness() {
  witness_ = std::make_unique<ctld::ha::WitnessCore>(config_, clock_, witness_votes_, auth_);
  Status s = witness_->Load();
  Trace("witness starts: " + s.ToString());
  if (!s.ok()) {
    inv_.Report(NowMs(), "the witness cannot start: " + s.ToString());
    witness_.reset();
  }
  witness_restart_ms_ = INT64_MAX;
}

void World::CrashWitness(int64_t down_ms) {
  if (!witness_) return;
  witness_.reset();
  witness_crashes_++;
  size_t dropped = net_.DropToVoter(witness_voter_);
  witness_restart_ms_ = NowMs() + down_ms;
  Trace("WITNESS CRASH: " + std::to_string(dropped) + " packets to it lost; back in " +
        std::to_string(down_ms) + " ms");
}

void World::CrashController(size_t ctl, CrashPoint point, int64_t down_ms,
                            bool lose_unsynced_blobs) {
  Controller& c = *ctls_[ctl];
  if (!c.core) return;
  c.armed = true;
  c.armed_point = point;
  c.armed_down_ms = down_ms;
  c.armed_lose_blobs = lose_unsynced_blobs;
  c.armed_after_inputs = static_cast<int>(rng_.Uniform(0, 3));
  // A paused process dies where it stopped.
  if (point == CrashPoint::kBetweenSteps || c.paused) CrashNow(c, CrashPointName(point));
}

void World::CrashNow(Controller& c, const char* where) {
  c.armed = false;
  c.core.reset();
  c.store.Crash();
  size_t lost_blobs = 0;
  if (c.armed_lose_blobs) {
    // A blob renamed into place without fsync may be gone after a power loss, or be there
    // with no content (the rename reached the disk, the data did not).
    for (uint64_t id : c.unsynced_blobs) {
      int64_t fate = rng_.Uniform(0, 3);
      if (fate == 0) c.blobs->Remove(id);
      if (fate == 1) (void)WriteFileAtomic(c.blob_dir + "/" + std::to_string(id), "", false);
      lost_blobs += fate <= 1 ? 1 : 0;
    }
  }
  c.unsynced_blobs.clear();
  c.paused = false;
  c.pause_armed = false;
  c.inbox.clear();
  c.unsent.clear();
  size_t dropped = net_.DropToController(c.index);
  c.restart_at_ms = NowMs() + c.armed_down_ms;
  Trace(std::string("CONTROLLER ") + (is_ha() ? c.name + " " : "") + "CRASH " + where + ": " +
        std::to_string(dropped) + " packets to it lost, " + std::to_string(lost_blobs) +
        " unsynced blobs lost; back in " + std::to_string(c.armed_down_ms) + " ms");
}

void World::PauseController(size_t ctl, PausePoint point, int64_t ms) {
  Controller& c = *ctls_[ctl];
  if (!c.core || c.paused || c.pause_armed) return;
  c.pause_ms = ms;
  if (point == PausePoint::kBeforeSend) {
    c.pause_armed = true;
    return;
  }
  c.paused = true;
  c.resume_at_ms = NowMs() + ms;
  Trace("CONTROLLER " + c.name + " PAUSED " + PausePointName(point) + " for " + std::to_string(ms) +
        " ms");
}

void World::Resume(Controller& c) {
  c.paused = false;
  Trace("controller " + c.name + " resumes: " + std::to_string(c.unsent.size()) +
        " packets it had ready go out, " + std::to_string(c.inbox.size()) + " waiting for it");
  std::vector<Packet> unsent = std::move(c.unsent);
  c.unsent.clear();
  for (Packet& p : unsent) SendFromController(c, std::move(p));
  std::vector<Packet> inbox = std::move(c.inbox);
  c.inbox.clear();
  for (const Packet& p : inbox) ToController(c, p);
}

void World::IsolateVoter(int voter, bool isolated) {
  net_.SetIsolated(voter, isolated);
  const bool ctl = voter >= 0 && static_cast<size_t>(voter) < ctls_.size();
  Trace(VoterName(voter) + (isolated ? ctl ? " PARTITIONED from voters, nodes and clients"
                                           : " PARTITIONED from the controllers"
                                     : " reachable again"));
}

int World::Active() const {
  for (const auto& c : ctls_) {
    if (c->core && c->core->writable()) return static_cast<int>(c->index);
  }
  return -1;
}

void World::SetNodeCut(size_t node, bool cut) {
  net_.SetCut(node, cut);
  node_lost_ms_[node] = NowMs();
  Trace(nodes_[node]->name() + (cut ? " cut off from the network" : " reachable again"));
}

uint64_t World::ClientSend(uint32_t client, uint32_t uid, proto::Frame f) {
  f.request_id = next_client_rid_++;
  f.auth = "uid:" + std::to_string(uid);
  ClientRequest r;
  r.client = client;
  r.frame = f;
  r.deadline_ms = NowMs() + kClientTimeoutMs;
  client_requests_[f.request_id] = std::move(r);
  SendClient(client, f);
  return f.request_id;
}

void World::SendClient(uint32_t client, const proto::Frame& f) {
  Packet p;
  p.kind = PacketKind::kToController;
  p.peer = "client:" + std::to_string(client);
  p.client = client;
  p.ctl = client_ctl_[client];
  p.bytes = proto::EncodeFrame(f);
  auto r = client_requests_.find(f.request_id);
  if (r != client_requests_.end()) r->second.ctl = p.ctl;
  if (trace_ != nullptr) {
    Trace("client " + std::to_string(client) + " -> " + ctls_[p.ctl]->name + " " +
          proto::MsgTypeName(f.type) + " #" + std::to_string(f.request_id));
  }
  net_.Send(NowMs(), std::move(p));
}

void World::ExpireClientRequests() {
  const int64_t now = NowMs();
  for (auto it = client_requests_.begin(); it != client_requests_.end();) {
    ClientRequest& r = it->second;
    if (r.resend_at_ms >= 0 && r.resend_at_ms <= now) {
      r.resend_at_ms = -1;
      SendClient(r.client, r.frame);
    } else if (r.resend_at_ms < 0 && r.deadline_ms <= now) {
      // No answer: that controller may be gone. The client's next request (the workload
      // follows up by itself) goes to the other one.
      int64_t& switched = client_switched_ms_[r.client];
      if (is_ha() && r.ctl == client_ctl_[r.client] && now - switched >= kClientTimeoutMs / 2) {
        switched = now;
        size_t& target = client_ctl_[r.client];
        target = (target + 1) % ctls_.size();
        Trace("client " + std::to_string(r.client) + ": no answer, trying " + ctls_[target]->name);
      }
      it = client_requests_.erase(it);
      continue;
    }
    ++it;
  }
}

void World::NodeRequest(size_t node, size_t ctl, std::string bytes) {
  Packet p;
  p.kind = PacketKind::kToController;
  p.peer = "node:" + std::to_string(node);
  p.node = node;
  p.ctl = ctl;
  p.bytes = std::move(bytes);
  net_.Send(NowMs(), std::move(p));
}

void World::NodeAnswer(size_t node, uint64_t incarnation, std::string bytes) {
  Packet p;
  p.kind = PacketKind::kFromNode;
  p.node = node;
  p.ctl = sender_;
  p.incarnation = incarnation;
  p.bytes = std::move(bytes);
  net_.Send(NowMs(), std::move(p));
}

void World::RunStarted(const RunEvent& e) {
  // Cut off, or declared dead by a controller: said in the report of a job alive twice
  // (which the nodes' leases must prevent).
  std::vector<int64_t> lost = node_lost_ms_;
  for (size_t i = 0; i < lost.size(); ++i) {
    bool now = net_.IsCut(i);
    for (const auto& c : ctls_) {
      now = now || (c->core && i < c->core->state().nodes().size() &&
                    c->core->state().nodes()[i].down_not_responding);
    }
    if (now) lost[i] = NowMs();
  }
  inv_.OnRunStarted(e, lost);
}

void World::RunEnded(const RunEvent& e) { inv_.OnRunEnded(e); }

void World::RunKillOrdered(size_t node, uint64_t job_id, uint32_t run_seq) {
  inv_.OnKillOrdered(sender_, node, job_id, run_seq, NowMs());
}

void World::SendFromController(Controller& c, Packet p) {
  p.incarnation = c.incarnation;
  p.ctl = c.index;
  net_.Send(NowMs(), std::move(p));
}

void World::ToController(Controller& c, const Packet& p) {
  switch (p.kind) {
    case PacketKind::kToController:
      if (p.node != kNoNode && IsLivenessCall(p.bytes)) c.heard_ms[p.node] = NowMs();
      c.core->HandleRequest(p.peer, p.bytes);
      break;
    case PacketKind::kFromNode:
      if (p.incarnation == c.incarnation) c.core->HandleNodeReply(p.node, p.bytes);
      break;
    case PacketKind::kToVoter: {
      const uint64_t seq = c.store.LastSeq();
      c.core->HandleRequest("voter:" + std::to_string(p.src) + ":" + std::to_string(p.peer_index) +
                                ":" + std::to_string(p.incarnation),
                            p.bytes);
      // A snapshot replaces the state at once, durably.
      auto f = proto::DecodeFrame(p.bytes.data(), p.bytes.size());
      if (f.ok() && f->type == proto::MsgType::kInstallSnapshotRequest &&
          c.store.LastSeq() != seq) {
        inv_.AfterInstall(c.core->state(), c.index);
      }
      break;
    }
    case PacketKind::kFromVoter:
      if (p.incarnation == c.incarnation) c.core->HandlePeerReply(p.peer_index, p.bytes);
      break;
    default:
      break;
  }
}

void World::ToWitness(const Packet& p) {
  if (!witness_) return;
  std::string rep = witness_->HandleRequest(p.bytes);
  if (rep.empty()) return;
  Packet r;
  r.kind = PacketKind::kFromVoter;
  r.src = p.src;
  r.dst = p.dst;
  r.peer_index = p.peer_index;
  r.incarnation = p.incarnation;
  r.ctl = static_cast<size_t>(p.src);
  r.bytes = std::move(rep);
  net_.Send(NowMs(), std::move(r));
}

void World::Deliver(const Packet& p) {
  sender_ = p.ctl;
  if (p.kind == PacketKind::kToNode) {
    auto f = proto::DecodeFrame(p.bytes.data(), p.bytes.size());
    if (f.ok()) nodes_[p.node]->OnRequest(*f, p.incarnation);
    return;
  }
  // kFromController: to a node daemon or a client.
  auto f = proto::DecodeFrame(p.bytes.data(), p.bytes.size());
  if (!f.ok()) return;
  if (p.node != kNoNode) {
    nodes_[p.node]->OnReply(*f);
    return;
  }
  auto req = client_requests_.find(f->request_id);
  if (f->type == proto::MsgType::kNotActiveReply) {
    if (req == client_requests_.end()) return;  // given up already
    // Follow it, as the client library does: to the named controller, or the other one.
    auto na = proto::DecodeBody<proto::NotActiveReply>(f->body);
    size_t& target = client_ctl_[p.client];
    int named = na.ok() ? VoterIndex(na->active_name) : kNoVoter;
    bool known = named >= 0 && static_cast<size_t>(named) < ctls_.size() &&
                 static_cast<size_t>(named) != p.ctl;
    if (known) {
      target = static_cast<size_t>(named);
    } else if (target == p.ctl) {
      target = (p.ctl + 1) % ctls_.size();
    }
    client_switched_ms_[p.client] = NowMs();
    ClientRequest& r = req->second;
    if (++r.redirects > kMaxRedirects) {
      client_requests_.erase(req);
      return;
    }
    r.resend_at_ms = NowMs() + (known ? 0 : kRedirectDelayMs);
    r.deadline_ms = std::max(r.deadline_ms, r.resend_at_ms + kClientTimeoutMs);
    return;
  }
  if (req != client_requests_.end()) client_requests_.erase(req);
  if (f->type == proto::MsgType::kSubmitJobReply) {
    auto rep = proto::DecodeBody<proto::SubmitJobReply>(f->body);
    if (rep.ok()) inv_.OnSubmitAcked(rep->job_id, NowMs(), p.ctl);
  }
  if (reply_handler_) reply_handler_(p.client, *f);
}

void World::Step() {
  steps_++;
  const int64_t now = NowMs();
  for (auto& c : ctls_) {
    if (!c->core && now >= c->restart_at_ms) StartController(*c);
  }
  if (has_witness() && !witness_ && now >= witness_restart_ms_) StartWitness();
  for (auto& c : ctls_) {
    if (c->paused && now >= c->resume_at_ms) Resume(*c);
  }
  for (Actor* a : actors_) {
    if (a->NextActionMs() <= now) a->Act();
  }
  ExpireClientRequests();
  for (auto& c : ctls_) c->inputs = 0;
  for (const Packet& p : net_.TakeDue(now)) {
    size_t target = 0;
    switch (p.kind) {
      case PacketKind::kToNode:
      case PacketKind::kFromController:
        Deliver(p);
        continue;
      case PacketKind::kToVoter:
        if (p.dst == witness_voter_) {
          ToWitness(p);
          continue;
        }
        target = static_cast<size_t>(p.dst);
        break;
      case PacketKind::kFromVoter:
        target = static_cast<size_t>(p.src);
        break;
      case PacketKind::kToController:
      case PacketKind::kFromNode:
        target = p.ctl;
        break;
    }
    Controller& c = *ctls_[target];
    if (c.armed && c.armed_point == CrashPoint::kBeforeFlush && c.inputs >= c.armed_after_inputs) {
      CrashNow(c, CrashPointName(c.armed_point));
    }
    if (!c.core) continue;  // nobody listens: lost
    if (c.paused) {
      c.inbox.push_back(p);  // in the socket buffer until it runs again
      continue;
    }
    ToController(c, p);
    c.inputs++;
  }
  for (auto& n : nodes_) {
    if (n->NextWakeMs() <= now) n->Wake();
  }
  for (auto& c : ctls_) {
    if (c->core && !c->paused) ControllerIteration(*c);
  }
  CheckControllers();
}

void World::CheckControllers() {
  int writer = -1;
  for (const auto& c : ctls_) {
    if (!c->core) continue;
    if (trace_ != nullptr && is_ha()) {
      const ctld::ha::HaControl& h = c->core->ha();
      std::string role = std::string(ctld::ha::RoleName(h.role())) +
                         (c->core->writable() ? "+w" : "") + " epoch " + std::to_string(h.epoch());
      if (h.role() == ctld::ha::Role::kActive && h.ReleasableSeq() < c->store.LastSeq()) {
        role += ", output held (passive has " + std::to_string(h.ReleasableSeq()) + ")";
      }
      if (role != c->traced_role) {
        Trace("controller " + c->name + ": " + role);
        c->traced_role = role;
      }
    }
    if (!c->core->writable()) continue;
    const uint64_t epoch = c->core->epoch();
    if (writer >= 0) {
      inv_.Report(NowMs(), "two controllers writable at once: " + ctls_[writer]->name + " (epoch " +
                               std::to_string(ctls_[writer]->core->epoch()) + ") and " + c->name +
                               " (epoch " + std::to_string(epoch) + ")");
    }
    writer = static_cast<int>(c->index);
    auto [it, first] = epoch_writer_.emplace(epoch, c->index);
    if (!first && it->second != c->index) {
      inv_.Report(NowMs(), "two controllers writable in epoch " + std::to_string(epoch) + ": " +
                               ctls_[it->second]->name + " and " + c->name);
    }
  }
}

// A controller that declares a node not responding although the node's heartbeats (or
// registrations) reach it kills that node's jobs (requeue or NODE_FAIL) for nothing: after
// a failover this is a takeover killing running jobs. Half a NodeTimeout of silence is the
// least a fair verdict needs.
void World::CheckNodesDeclaredDead(Controller& c, bool writable) {
  const auto& nodes = c.core->state().nodes();
  const int64_t limit = int64_t{config_.node_timeout_s} * 1000 / 2;
  for (size_t i = 0; i < nodes.size() && i < c.node_down.size(); ++i) {
    const bool down = nodes[i].down_not_responding;
    if (down && !c.node_down[i]) node_lost_ms_[i] = NowMs();
    if (down && !c.node_down[i] && writable && NowMs() - c.heard_ms[i] < limit) {
      inv_.Report(NowMs(), (is_ha() ? c.name : std::string("the controller")) + " declared " +
                               nodes[i].name + " not responding " +
                               std::to_string(NowMs() - c.heard_ms[i]) +
                               " ms after its heartbeat or registration reached it (NodeTimeout " +
                               std::to_string(config_.node_timeout_s) + " s)");
    }
    c.node_down[i] = down;
  }
}

// What one flush of controller `c` sends: replies (to nodes, clients, other voters), node
// messages and messages to the other voters, as packets.
std::vector<Packet> World::PacketsOf(Controller& c, ctld::FlushResult out) {
  const std::string from = is_ha() ? c.name : "ctl";
  std::vector<Packet> packets;
  for (auto& r : out.replies) {
    Packet p;
    p.kind = PacketKind::kFromController;
    p.peer = r.peer;
    if (StartsWith(r.peer, "node:")) {
      p.node = static_cast<size_t>(std::stoul(r.peer.substr(5)));
    } else if (StartsWith(r.peer, "client:")) {
      p.client = static_cast<uint32_t>(std::stoul(r.peer.substr(7)));
    } else if (StartsWith(r.peer, "voter:")) {
      // voter:<src>:<peer index>:<incarnation>, the answer to another voter's request.
      std::vector<std::string> parts = Split(r.peer, ':');
      if (parts.size() != 4) continue;
      p.kind = PacketKind::kFromVoter;
      p.src = std::stoi(parts[1]);
      p.dst = static_cast<int>(c.index);
      p.peer_index = std::stoul(parts[2]);
      p.bytes = std::move(r.bytes);
      p.ctl = static_cast<size_t>(p.src);
      p.incarnation = std::stoull(parts[3]);
      packets.push_back(std::move(p));
      continue;
    }
    if (trace_ != nullptr) Trace(from + " -> " + r.peer + " " + MsgName(r.bytes));
    p.bytes = std::move(r.bytes);
    packets.push_back(std::move(p));
  }
  for (auto& m : out.node_messages) {
    if (trace_ != nullptr)
      Trace(from + " -> " + config_.nodes[m.node].name + " " + MsgName(m.bytes));
    Packet p;
    p.kind = PacketKind::kToNode;
    p.node = m.node;
    p.bytes = std::move(m.bytes);
    packets.push_back(std::move(p));
  }
  for (auto& m : out.peer_messages) {
    Packet p;
    p.kind = PacketKind::kToVoter;
    p.src = static_cast<int>(c.index);
    p.dst = VoterIndex(c.core->ha().peers()[m.peer].name);
    p.peer_index = m.peer;
    p.bytes = std::move(m.bytes);
    if (trace_ != nullptr && MsgName(p.bytes).rfind("AppendRequest", 0) != 0) {
      Trace(from + " -> " + VoterName(p.dst) + " " + MsgName(p.bytes));
    }
    packets.push_back(std::move(p));
  }
  return packets;
}

void World::ControllerIteration(Controller& c) {
  const int64_t now = NowMs();
  if (c.armed && c.armed_point == CrashPoint::kBeforeFlush) {
    CrashNow(c, CrashPointName(c.armed_point));
    return;
  }
  c.last_iteration_ms = now;
  ctld::ControllerCore& core = *c.core;
  core.Tick();
  ctld::FlushResult out = core.Flush();
  if (!out.status.ok()) {
    Trace("journal commit failed: " + out.status.ToString());
    return;
  }
  for (const auto& [id, j] : core.state().jobs()) {
    if (id > c.max_committed_job) c.unsynced_blobs.insert(id);
  }
  if (!core.state().jobs().empty()) {
    c.max_committed_job = std::max(c.max_committed_job, core.state().jobs().rbegin()->first);
  }
  inv_.AfterCommit(core.state(), now, NowSeconds(), c.index, core.writable());
  CheckNodesDeclaredDead(c, core.writable());
  if (c.armed && c.armed_point == CrashPoint::kAfterCommit) {
    CrashNow(c, CrashPointName(c.armed_point));
    return;
  }
  std::vector<Packet> packets = PacketsOf(c, std::move(out));
  if (c.pause_armed) {
    // SIGSTOP between the commit and the sends: all of it goes out at the resume.
    c.pause_armed = false;
    c.paused = true;
    c.resume_at_ms = now + c.pause_ms;
    Trace("CONTROLLER " + c.name + " PAUSED " + PausePointName(PausePoint::kBeforeSend) + " for " +
          std::to_string(c.pause_ms) + " ms, " + std::to_string(packets.size()) + " packets ready");
    c.unsent = std::move(packets);
  } else {
    for (Packet& p : packets) {
      if (p.kind == PacketKind::kFromVoter) {
        net_.Send(now, std::move(p));  // carries the requester's incarnation
      } else {
        SendFromController(c, std::move(p));
      }
    }
  }
  uint64_t before = c.store.RecordsSinceCheckpoint();
  Status ck = core.MaybeCheckpoint(false);
  if (!ck.ok()) Trace("checkpoint failed: " + ck.ToString());
  if (before > 0 && c.store.RecordsSinceCheckpoint() == 0) {
    c.checkpoints++;
    c.unsynced_blobs.clear();  // a checkpoint syncs the file system first
  }
}

int64_t World::NextEventMs() const {
  int64_t next = net_.NextDueMs();
  for (const Actor* a : actors_) next = std::min(next, a->NextActionMs());
  for (const auto& n : nodes_) next = std::min(next, n->NextWakeMs());
  const int64_t idle = is_ha() ? kHaLoopIdleMs : kLoopIdleMs;
  for (const auto& c : ctls_) {
    if (!c->core) {
      next = std::min(next, c->restart_at_ms);
    } else {
      next = std::min(next, c->paused ? c->resume_at_ms : c->last_iteration_ms + idle);
    }
  }
  if (has_witness() && !witness_) next = std::min(next, witness_restart_ms_);
  for (const auto& [rid, r] : client_requests_) {
    next = std::min(next, r.resend_at_ms >= 0 ? r.resend_at_ms : r.deadline_ms);
  }
  return std::max(next, NowMs() + 1);
}

bool World::RunUntil(const std::function<bool()>& done, int64_t until_ms) {
  while (NowMs() < until_ms) {
    if (done()) return true;
    int64_t next = std::min(NextEventMs(), until_ms);
    clock_.Advance(next - NowMs());
    Step();
  }
  return done();
}

}  // namespace herd::sim
