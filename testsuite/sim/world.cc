// herd sim — the simulated cluster: configuration from the seed, the event loop, the
// controller's crash and recovery, and the routing of packets.
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

std::string MsgName(const std::string& bytes) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  return f.ok() ? proto::MsgTypeName(f->type) : "(malformed)";
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
  knobs_ = k.str();
  std::ostringstream t;
  t << "ClusterName=sim\nControllerHost=ctl(127.0.0.1:6817)\nStateDir=" << dir_ << "\n";
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
  blobs_ = std::make_unique<ctld::BlobStore>(dir_ + "/jobs");
  if (Status s = blobs_->Init(); !s.ok()) {
    std::fprintf(stderr, "herd sim: %s\n", s.message().c_str());
    std::abort();
  }
  LinkKnobs links;
  if (o.random_knobs) {
    links.max_delay_ms = rng_.Pick<int64_t>({5, 50, 300});
  }
  net_.set_knobs(links);
  store_.set_ignores_fsync(o.disk_ignores_fsync);
  Trace("config: " + knobs_);
  StartController();
  for (size_t i = 0; i < config_.nodes.size(); ++i) {
    nodes_.push_back(std::make_unique<SimNode>(i, config_.nodes[i], config_, *this));
    nodes_.back()->PowerOn();
  }
}

World::~World() { (void)RemoveTree(dir_); }

void World::Trace(const std::string& line) {
  if (trace_ == nullptr) return;
  char ts[32];
  std::snprintf(ts, sizeof ts, "%9.3f ", static_cast<double>(NowMs()) / 1000.0);
  *trace_ << ts << line << "\n";
}

void World::StartController() {
  incarnation_++;
  core_ = std::make_unique<ctld::ControllerCore>(config_, clock_, store_, *blobs_, auth_,
                                                 "tcp://ctl:6817");
  Status s = core_->Recover();
  Trace("controller starts (incarnation " + std::to_string(incarnation_) + "): recovery " +
        s.ToString());
  if (!s.ok()) {
    inv_.Report(NowMs(), "the controller cannot recover: " + s.ToString());
    core_.reset();
    restart_at_ms_ = INT64_MAX;
    return;
  }
  if (incarnation_ > 1) inv_.AfterRecover(core_->state(), NowMs(), NowSeconds());
  last_iteration_ms_ = NowMs();
}

void World::CrashController(CrashPoint point, int64_t down_ms, bool lose_unsynced_blobs) {
  if (!core_) return;
  armed_ = true;
  armed_point_ = point;
  armed_down_ms_ = down_ms;
  armed_lose_blobs_ = lose_unsynced_blobs;
  armed_after_inputs_ = static_cast<int>(rng_.Uniform(0, 3));
  if (point == CrashPoint::kBetweenSteps) CrashNow(CrashPointName(point));
}

void World::CrashNow(const char* where) {
  armed_ = false;
  core_.reset();
  store_.Crash();
  size_t lost_blobs = 0;
  if (armed_lose_blobs_) {
    // A blob renamed into place without fsync may be gone after a power loss, or be there
    // with no content (the rename reached the disk, the data did not).
    for (uint64_t id : unsynced_blobs_) {
      int64_t fate = rng_.Uniform(0, 3);
      if (fate == 0) blobs_->Remove(id);
      if (fate == 1) (void)WriteFileAtomic(dir_ + "/jobs/" + std::to_string(id), "", false);
      lost_blobs += fate <= 1 ? 1 : 0;
    }
  }
  unsynced_blobs_.clear();
  size_t dropped = net_.DropToController();
  restart_at_ms_ = NowMs() + armed_down_ms_;
  Trace(std::string("CONTROLLER CRASH ") + where + ": " + std::to_string(dropped) +
        " packets to it lost, " + std::to_string(lost_blobs) + " unsynced blobs lost; back in " +
        std::to_string(armed_down_ms_) + " ms");
}

void World::SetNodeCut(size_t node, bool cut) {
  net_.SetCut(node, cut);
  Trace(nodes_[node]->name() + (cut ? " cut off from the network" : " reachable again"));
}

uint64_t World::ClientSend(uint32_t client, uint32_t uid, proto::Frame f) {
  f.request_id = next_client_rid_++;
  f.auth = "uid:" + std::to_string(uid);
  Packet p;
  p.kind = PacketKind::kToController;
  p.peer = "client:" + std::to_string(client);
  p.client = client;
  p.bytes = proto::EncodeFrame(f);
  if (trace_ != nullptr) {
    Trace("client " + std::to_string(client) + " -> ctl " + proto::MsgTypeName(f.type) + " #" +
          std::to_string(f.request_id));
  }
  net_.Send(NowMs(), std::move(p));
  return f.request_id;
}

void World::NodeRequest(size_t node, std::string bytes) {
  Packet p;
  p.kind = PacketKind::kToController;
  p.peer = "node:" + std::to_string(node);
  p.node = node;
  p.bytes = std::move(bytes);
  net_.Send(NowMs(), std::move(p));
}

void World::NodeAnswer(size_t node, uint64_t incarnation, std::string bytes) {
  Packet p;
  p.kind = PacketKind::kFromNode;
  p.node = node;
  p.incarnation = incarnation;
  p.bytes = std::move(bytes);
  net_.Send(NowMs(), std::move(p));
}

void World::RunStarted(const RunEvent& e) {
  std::vector<bool> cut(nodes_.size());
  // Cut off now, or declared dead by the controller (the old run may live on there: nodes
  // do not fence themselves), is the accepted case of a job alive twice.
  for (size_t i = 0; i < cut.size(); ++i) {
    cut[i] = net_.IsCut(i) ||
             (core_ && i < core_->state().nodes().size() &&
              core_->state().nodes()[i].down_not_responding);
  }
  inv_.OnRunStarted(e, cut);
}

void World::RunEnded(const RunEvent& e) { inv_.OnRunEnded(e); }

void World::SendFromController(Packet p) {
  p.incarnation = incarnation_;
  net_.Send(NowMs(), std::move(p));
}

void World::ToController(const Packet& p) {
  if (p.kind == PacketKind::kToController) {
    core_->HandleRequest(p.peer, p.bytes);
  } else if (p.incarnation == incarnation_) {
    core_->HandleNodeReply(p.node, p.bytes);
  }
}

void World::Deliver(const Packet& p) {
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
  if (f->type == proto::MsgType::kSubmitJobReply) {
    auto rep = proto::DecodeBody<proto::SubmitJobReply>(f->body);
    if (rep.ok()) inv_.OnSubmitAcked(rep->job_id, NowMs());
  }
  if (reply_handler_) reply_handler_(p.client, *f);
}

void World::Step() {
  steps_++;
  const int64_t now = NowMs();
  if (!core_ && now >= restart_at_ms_) StartController();
  for (Actor* a : actors_) {
    if (a->NextActionMs() <= now) a->Act();
  }
  int inputs = 0;
  for (const Packet& p : net_.TakeDue(now)) {
    bool to_ctl = p.kind == PacketKind::kToController || p.kind == PacketKind::kFromNode;
    if (!to_ctl) {
      Deliver(p);
      continue;
    }
    if (armed_ && armed_point_ == CrashPoint::kBeforeFlush && inputs >= armed_after_inputs_) {
      CrashNow(CrashPointName(armed_point_));
    }
    if (!core_) continue;  // nobody listens: lost
    ToController(p);
    inputs++;
  }
  for (auto& n : nodes_) {
    if (n->NextWakeMs() <= now) n->Wake();
  }
  if (core_) ControllerIteration();
}

void World::ControllerIteration() {
  const int64_t now = NowMs();
  if (armed_ && armed_point_ == CrashPoint::kBeforeFlush) {
    CrashNow(CrashPointName(armed_point_));
    return;
  }
  last_iteration_ms_ = now;
  core_->Tick();
  ctld::FlushResult out = core_->Flush();
  if (!out.status.ok()) {
    Trace("journal commit failed: " + out.status.ToString());
    return;
  }
  for (const auto& [id, j] : core_->state().jobs()) {
    if (id > max_committed_job_) unsynced_blobs_.insert(id);
  }
  if (!core_->state().jobs().empty()) {
    max_committed_job_ = std::max(max_committed_job_, core_->state().jobs().rbegin()->first);
  }
  inv_.AfterCommit(core_->state(), now, NowSeconds());
  if (armed_ && armed_point_ == CrashPoint::kAfterCommit) {
    CrashNow(CrashPointName(armed_point_));
    return;
  }
  for (auto& r : out.replies) {
    Packet p;
    p.kind = PacketKind::kFromController;
    p.peer = r.peer;
    if (StartsWith(r.peer, "node:")) {
      p.node = static_cast<size_t>(std::stoul(r.peer.substr(5)));
    } else if (StartsWith(r.peer, "client:")) {
      p.client = static_cast<uint32_t>(std::stoul(r.peer.substr(7)));
    }
    if (trace_ != nullptr) Trace("ctl -> " + r.peer + " " + MsgName(r.bytes));
    p.bytes = std::move(r.bytes);
    SendFromController(std::move(p));
  }
  for (auto& m : out.node_messages) {
    if (trace_ != nullptr) Trace("ctl -> " + config_.nodes[m.node].name + " " + MsgName(m.bytes));
    Packet p;
    p.kind = PacketKind::kToNode;
    p.node = m.node;
    p.bytes = std::move(m.bytes);
    SendFromController(std::move(p));
  }
  uint64_t before = store_.RecordsSinceCheckpoint();
  Status c = core_->MaybeCheckpoint(false);
  if (!c.ok()) Trace("checkpoint failed: " + c.ToString());
  if (before > 0 && store_.RecordsSinceCheckpoint() == 0) {
    checkpoints_++;
    unsynced_blobs_.clear();  // a checkpoint syncs the file system first
  }
}

int64_t World::NextEventMs() const {
  int64_t next = net_.NextDueMs();
  for (const Actor* a : actors_) next = std::min(next, a->NextActionMs());
  for (const auto& n : nodes_) next = std::min(next, n->NextWakeMs());
  next = std::min(next, core_ ? last_iteration_ms_ + kLoopIdleMs : restart_at_ms_);
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
