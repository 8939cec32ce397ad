// herd — the controller's job steps and interactive allocations (steps.h).
#include "controller/steps.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "controller/sched/step_placement.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

namespace {

// A CURVE public key in Z85 text (common/net/curve_keys.h; the core links no transport).
constexpr size_t kIoKeyChars = 40;

std::string RandomToken() {
  unsigned char buf[16] = {};
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    (void)n;
    ::close(fd);
  }
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : buf) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

Status Steps::AddHandlers(HandlerTable* table) {
  return table->AddAll(this, HandlerRole::kActive,
                       {{MsgType::kStepCreateRequest, &Steps::StepCreate},
                        {MsgType::kAllocationDoneRequest, &Steps::AllocationDone}});
}

const StepRecord* Steps::StepOfToken(const Job& j, uint64_t token) {
  if (token == 0) return nullptr;
  for (const StepRecord& st : j.steps) {
    if (st.client_token == token) return &st;
  }
  return nullptr;
}

// The answer to the StepCreateRequest that created `st`, also to that request sent again.
Frame Steps::StepReplyOf(const StepRecord& st) {
  proto::StepCreateReply rep;
  rep.step_id = st.step_id;
  rep.layout = st.layout;
  rep.token = st.launch_token;
  rep.num_tasks = st.num_tasks;
  return proto::MakeFrame(rep, 0);
}

// What the nodes of a new step `st` of `j` get: kept with the step, so that it can be sent
// again to a node that never confirmed it.
std::string Steps::EncodeStepLaunch(const Job& j, const proto::StepSpec& spec,
                                    const StepRecord& st) const {
  proto::LaunchStepRequest launch;
  launch.job_id = j.id;
  launch.run_seq = j.run_seq;
  launch.step_id = st.step_id;
  launch.spec = spec;
  launch.layout = st.layout;
  launch.num_tasks = st.num_tasks;
  launch.uid = j.uid;
  launch.gid = j.gid;
  launch.user = j.user;
  launch.partition = j.partition;
  launch.job_name = j.spec.name;
  std::vector<std::string> names;
  for (const auto& a : j.alloc) names.push_back(a.node);
  launch.job_nodelist = CompressHostlist(names);
  launch.job_alloc = j.alloc;
  launch.token = st.launch_token;
  launch.controller_addr = self_addr_;
  return proto::EncodeBody(launch);
}

Frame Steps::StepCreate(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::StepCreateRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  const Job* j = p_.state.FindJob(req->job_id);
  if (j == nullptr) return ErrorReply(NotFound("Invalid job id specified"));
  if (j->uid != who.uid && !core_.IsAdmin(who.uid)) {
    return ErrorReply(PermissionDenied("Access/permission denied"));
  }
  if (const StepRecord* same = StepOfToken(*j, req->token); same != nullptr) {
    return StepReplyOf(*same);  // this request created it already: its answer was lost
  }
  if (j->state != JobState::kRunning) {
    return ErrorReply(FailedPrecondition("Job " + std::to_string(j->id) + " is not running (" +
                                         proto::JobStateName(j->state) + ")"));
  }
  if (j->intent != KillIntent::kNone) {
    return ErrorReply(FailedPrecondition("Job " + std::to_string(j->id) + " is ending"));
  }
  const proto::StepSpec& spec = req->spec;
  if (spec.argv.empty() || spec.argv[0].empty())
    return ErrorReply(InvalidArgument("no program given"));
  if (spec.io_addr.empty()) return ErrorReply(InvalidArgument("no I/O address given"));
  // The step daemons talk only to the hrun holding this key's secret (doc/security.md).
  if (spec.io_key.size() != kIoKeyChars) {
    return ErrorReply(InvalidArgument(
        spec.io_key.empty() ? "no I/O key given (an hrun older than the controller)"
                            : "bad I/O key: not " + std::to_string(kIoKeyChars) + " characters"));
  }
  if (spec.cpus_per_task == 0) return ErrorReply(InvalidArgument("Invalid cpus-per-task: 0"));
  if (Status env = CheckEnvSize(p_.config, spec.env); !env.ok()) return ErrorReply(env);
  auto layout = PlaceStep(*j, spec);
  if (!layout.ok()) return ErrorReply(layout.error());

  StepStarted e;
  e.job_id = j->id;
  e.step.step_id = j->next_step_id;
  e.step.name = spec.name.empty() ? spec.argv[0] : spec.name;
  e.step.layout = *layout;
  e.step.overlap = spec.overlap;
  e.step.start_time = p_.clock.NowSeconds();
  for (const auto& n : *layout) e.step.num_tasks += static_cast<uint32_t>(n.tasks.size());
  e.step.client_token = req->token;
  e.step.launch_token = RandomToken();
  e.step.launch_body = EncodeStepLaunch(*j, spec, e.step);
  const uint32_t run_seq = j->run_seq;
  Status s = p_.journal.Emit(e);
  if (!s.ok()) return ErrorReply(s);
  std::vector<std::string> nodes;
  for (const auto& n : *layout) {
    nodes.push_back(n.node);
    int idx = p_.state.NodeIndex(n.node);
    if (idx >= 0) {
      p_.outbox.Queue(static_cast<size_t>(idx), MsgType::kLaunchStepRequest, e.job_id, run_seq,
                      e.step.launch_body);
    }
  }
  HERD_LOG(Info) << "step " << e.job_id << "." << e.step.step_id << " (" << e.step.num_tasks
                 << " tasks) on " << CompressHostlist(nodes);
  return StepReplyOf(e.step);
}

Frame Steps::StepNodeComplete(const proto::StepCompleteRequest& req) {
  const Job* j = p_.state.FindJob(req.step.job_id);
  if (j == nullptr) return ErrorReply(NotFound("no such job"));
  // A step still running when its job ended (cancelled with it) reports afterwards: its
  // usage is still recorded, for accounting.
  const bool job_ended = proto::IsFinished(j->state);
  if ((j->state != JobState::kRunning && !job_ended) || j->run_seq != req.step.run_seq) {
    return ErrorReply(FailedPrecondition("stale step completion"));
  }
  const StepRecord* st = j->FindStep(req.step.step_id);
  if (st == nullptr) return ErrorReply(NotFound("no such step"));
  bool in_step = std::any_of(st->layout.begin(), st->layout.end(),
                             [&](const proto::StepNode& n) { return n.node == req.node; });
  if (!in_step) return ErrorReply(FailedPrecondition("node " + req.node + " is not in the step"));
  const bool reported =
      std::find(st->nodes_done.begin(), st->nodes_done.end(), req.node) != st->nodes_done.end();
  if (reported || (st->state != JobState::kRunning && !job_ended)) {
    return proto::MakeStatusFrame(Status::Ok(), 0);  // already recorded: a resend
  }
  StepNodeEnded e;
  e.job_id = j->id;
  e.step_id = st->step_id;
  e.node = req.node;
  e.wait_status = req.step.wait_status;
  e.time = req.end_time > 0 ? req.end_time : p_.clock.NowSeconds();
  e.usage = req.usage;  // for accounting
  return proto::MakeStatusFrame(p_.journal.Emit(e), 0);
}

void Steps::EndInteractiveJob(const Job& job, JobState state, int32_t wait_status,
                              const std::string& reason, uint64_t token) {
  const uint64_t id = job.id;
  JobEnded e;
  e.job_id = id;
  e.state = state;
  e.wait_status = wait_status;
  e.end_time = p_.clock.NowSeconds();
  e.reason = reason;
  e.token = token;
  if (!p_.journal.Emit(e).ok()) return;
  hooks_.completing(id);
  p_.outbox.DropFor(id);
  hooks_.terminate(*p_.state.FindJob(id));  // what still runs; the Epilogs of its nodes
  core_.RequestSchedule();
}

Frame Steps::AllocationDone(const Identity& who, const Frame& f) {
  auto req = proto::DecodeBody<proto::AllocationDoneRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  const Job* j = p_.state.FindJob(req->job_id);
  if (j == nullptr) return ErrorReply(NotFound("Invalid job id specified"));
  if (j->uid != who.uid && !core_.IsAdmin(who.uid)) {
    return ErrorReply(PermissionDenied("Access/permission denied"));
  }
  if (!j->spec.interactive) return ErrorReply(FailedPrecondition("not an interactive allocation"));
  if (j->state == JobState::kPending) {
    EndInteractiveJob(*j, JobState::kCancelled, 0, "Allocation released while pending");
    return proto::MakeStatusFrame(Status::Ok(), 0);
  }
  if (j->state != JobState::kRunning) return proto::MakeStatusFrame(Status::Ok(), 0);
  int32_t code = std::clamp(req->exit_code, 0, 255);
  EndInteractiveJob(*j, code == 0 ? JobState::kCompleted : JobState::kFailed, code << 8,
                    code == 0 ? "" : "NonZeroExitCode");
  return proto::MakeStatusFrame(Status::Ok(), 0);
}

void Steps::ResendStepLaunches(size_t node,
                               const std::set<std::pair<uint64_t, uint32_t>>& reported) {
  const std::string& name = p_.state.NodeConf(node).name;
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state != JobState::kRunning) continue;
    for (const StepRecord& st : j.steps) {
      if (st.state != JobState::kRunning || st.launch_body.empty() ||
          reported.count({id, st.step_id}) != 0) {
        continue;
      }
      bool here = std::any_of(st.layout.begin(), st.layout.end(),
                              [&](const proto::StepNode& sn) { return sn.node == name; });
      bool done =
          std::find(st.nodes_done.begin(), st.nodes_done.end(), name) != st.nodes_done.end();
      bool confirmed =
          std::find(st.confirmed.begin(), st.confirmed.end(), name) != st.confirmed.end();
      if (!here || done || confirmed) continue;
      bool queued = p_.outbox.FindIf([&](const NodeMessage& o) {
        return o.node == node && o.type == MsgType::kLaunchStepRequest && o.body == st.launch_body;
      }) != nullptr;
      if (queued) continue;
      HERD_LOG(Info) << "step " << id << "." << st.step_id << " was never confirmed by " << name
                     << ": sending its launch again";
      p_.outbox.Queue(node, MsgType::kLaunchStepRequest, id, j.run_seq, st.launch_body);
    }
  }
}

void Steps::ReconcileStep(const std::string& node, const proto::StepRef& st,
                          proto::RegisterNodeReply* rep) {
  const Job* j = p_.state.FindJob(st.job_id);
  const StepRecord* rec = j != nullptr ? j->FindStep(st.step_id) : nullptr;
  bool current = rec != nullptr && j->state == JobState::kRunning && j->run_seq == st.run_seq &&
                 rec->state == JobState::kRunning &&
                 std::any_of(rec->layout.begin(), rec->layout.end(),
                             [&](const proto::StepNode& sn) { return sn.node == node; });
  if (st.finished) {
    if (current) {
      proto::StepCompleteRequest done;
      done.node = node;
      done.step = st;
      (void)StepNodeComplete(done);
    }
    rep->acked.push_back(st);
  } else if (!current) {
    HERD_LOG(Info) << "node " << node << " runs unknown step " << st.job_id << "." << st.step_id
                   << ": it will be killed";
    rep->kill.push_back(st);
    if (NodeRecord* nr = p_.state.FindNode(node)) {
      nr->pending_kills[{st.job_id, st.run_seq}] = hooks_.kill_deadline();
    }
  }
}

}  // namespace herd::ctld
