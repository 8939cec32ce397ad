// herd — the controller's read-only requests (queries.h).
#include "controller/queries.h"

#include <sys/wait.h>

#include <algorithm>

#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/proto/codec.h"
#include "common/proto/output_path.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

bool JobMatches(const proto::JobFilter& fl, const Job& j) {
  if (!fl.users.empty() && std::find(fl.users.begin(), fl.users.end(), j.user) == fl.users.end() &&
      std::find(fl.users.begin(), fl.users.end(), std::to_string(j.uid)) == fl.users.end()) {
    return false;
  }
  if (!fl.partitions.empty() &&
      std::find(fl.partitions.begin(), fl.partitions.end(), j.partition) == fl.partitions.end())
    return false;
  if (!fl.names.empty() &&
      std::find(fl.names.begin(), fl.names.end(), j.spec.name) == fl.names.end())
    return false;
  if (!fl.states.empty() &&
      std::find(fl.states.begin(), fl.states.end(), ShownState(j)) == fl.states.end())
    return false;
  return true;
}

std::vector<uint64_t> ExpandArrayIds(const ClusterState& state, const std::vector<uint64_t>& ids) {
  std::vector<uint64_t> out;
  for (uint64_t id : ids) {
    const Job* j = state.FindJob(id);
    if (j != nullptr && j->array_job_id != id) {  // a job, or one task by its own id
      out.push_back(id);
      continue;
    }
    bool any = false;  // the array's tasks have ids from its own on
    for (auto it = state.jobs().lower_bound(id); it != state.jobs().end(); ++it) {
      if (it->second.array_job_id == id) {
        out.push_back(it->first);
        any = true;
      }
    }
    if (!any) out.push_back(id);  // unknown: the caller says so
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<const Job*> SelectJobs(const ClusterState& state, const proto::JobFilter& fl) {
  std::vector<const Job*> out;
  auto match = [&](const Job& j) { return JobMatches(fl, j); };
  if (!fl.job_ids.empty()) {
    for (uint64_t id : ExpandArrayIds(state, fl.job_ids)) {
      const Job* j = state.FindJob(id);
      if (j != nullptr && match(*j)) out.push_back(j);
    }
    return out;
  }
  for (const auto& [id, j] : state.jobs()) {
    if (match(j)) out.push_back(&j);
  }
  return out;
}

Status Queries::AddHandlers(HandlerTable* table) {
  const HandlerRole read = HandlerRole::kRead;
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryJobsRequest, read,
                 [this](const Identity&, const Frame& f) { return QueryJobs(f); }));
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryStepsRequest, read,
                 [this](const Identity&, const Frame& f) { return QuerySteps(f); }));
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryNodesRequest, read,
                 [this](const Identity&, const Frame& f) { return QueryNodes(f); }));
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryPartitionsRequest, read,
                 [this](const Identity&, const Frame& f) { return QueryPartitions(f); }));
  HERD_RETURN_IF_ERROR(table->Add(MsgType::kQueryConfigRequest, read,
                                  [this](const Identity&, const Frame&) { return QueryConfig(); }));
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryAuditRequest, read,
                 [this](const Identity&, const Frame& f) { return QueryAudit(f); }));
  HERD_RETURN_IF_ERROR(
      table->Add(MsgType::kQueryPriorityRequest, read,
                 [this](const Identity&, const Frame& f) { return QueryPriority(f); }));
  HERD_RETURN_IF_ERROR(table->Add(MsgType::kQueryShareRequest, read,
                                  [this](const Identity&, const Frame&) { return QueryShare(); }));
  return table->Add(MsgType::kPingRequest, read, [](const Identity&, const Frame&) {
    return proto::MakeStatusFrame(Status::Ok(), 0);
  });
}

proto::JobInfo Queries::ToInfo(const Job& j) const {
  proto::JobInfo i;
  i.job_id = j.id;
  i.name = j.spec.name;
  i.uid = j.uid;
  i.gid = j.gid;
  i.user = j.user;
  i.partition = j.partition;
  i.state = ShownState(j);
  if (j.state == JobState::kPending) {
    // Dependencies and --begin are kept current by the state; the rest is the last pass's.
    i.reason = PendingReasonName(j.wait != PendingReason::kNone ? j.wait : j.pending_reason);
  } else {
    i.reason = j.reason.empty() ? "None" : j.reason.str();
  }
  // A held job (running ones too, as Slurm shows them); requeuehold's until released.
  if (j.hold != HoldKind::kNone && !proto::IsFinished(j.state)) {
    i.reason = j.hold == HoldKind::kLaunchFailed
                   ? PendingReasonName(PendingReason::kLaunchFailedRequeuedHeld)
               : j.reason == kRequeuedHeldReason ? kRequeuedHeldReason
               : j.hold == HoldKind::kUser       ? "JobHeldUser"
                                                 : "JobHeldAdmin";
  }
  i.priority = j.hold != HoldKind::kNone ? 0 : j.priority;
  i.submit_time = j.submit_time;
  // A pending job's StartTime is its expected start, as Slurm shows it (0: not known).
  i.start_time = j.state == JobState::kPending ? j.expected_start : j.start_time;
  i.end_time = j.end_time;
  i.time_limit_s = j.time_limit_s;
  i.cpus_per_task = j.spec.cpus_per_task;
  i.alloc = j.alloc;
  std::vector<std::string> names;
  uint32_t tasks = 0, cpus = 0;
  uint64_t mem = 0;
  for (const auto& a : j.alloc) {
    names.push_back(a.node);
    tasks += a.tasks;
    cpus += static_cast<uint32_t>(a.cpus.size());
    mem = std::max(mem, a.mem_mb);
  }
  if (!j.alloc.empty()) {
    i.nodelist = CompressHostlist(names);
    i.num_nodes = static_cast<uint32_t>(j.alloc.size());
    i.num_tasks = tasks;
    i.num_cpus = cpus;
    i.mem_mb = mem;
    i.batch_host = j.alloc.front().node;
  } else {
    i.nodelist = j.spec.nodelist;
    i.num_nodes = std::max<uint32_t>(1, j.spec.min_nodes);
    i.num_tasks = j.spec.num_tasks > 0 ? j.spec.num_tasks : i.num_nodes;
    i.num_cpus = i.num_tasks * std::max<uint32_t>(1, j.spec.cpus_per_task);
    i.mem_mb = j.spec.mem_per_node_mb;
  }
  i.exit_code = WIFEXITED(j.wait_status) ? WEXITSTATUS(j.wait_status) : 0;
  i.exit_signal = WIFSIGNALED(j.wait_status) ? WTERMSIG(j.wait_status) : 0;
  i.held = j.hold != HoldKind::kNone;
  i.restarts = j.restarts;
  i.work_dir = j.spec.work_dir;
  // As the node resolves them; %N is known once the job has a batch host.
  proto::OutputFields fields{j.id,         j.spec.name,    j.user,
                             i.batch_host, j.array_job_id, j.array_task_id};
  const bool array_default = j.array_job_id != 0 && j.spec.stdout_pattern.empty();
  const std::string out_pattern =
      array_default ? std::string(proto::kArrayOutputPattern) : j.spec.stdout_pattern.str();
  i.stdout_path = proto::ResolveOutputPath(out_pattern, "", j.spec.work_dir, fields);
  i.stderr_path =
      proto::ResolveOutputPath(j.spec.stderr_pattern, out_pattern, j.spec.work_dir, fields);
  i.array_job_id = j.array_job_id;
  i.array_task_id = j.array_task_id;
  i.array_throttle = j.array_throttle;
  i.array_pending = proto::FormatTasks(j.array_pending, 0);
  i.command = j.spec.name;
  i.account = j.spec.account;
  i.qos = j.spec.qos;
  i.submit_line = j.spec.submit_line;
  i.dependency = state_.dependencies().Describe(j);
  // Unknown (0) while a dependency decides it, as Slurm shows it.
  const bool dependent =
      j.wait == PendingReason::kDependency || j.wait == PendingReason::kDependencyNeverSatisfied;
  i.eligible_time = dependent ? 0 : std::max(j.submit_time, j.spec.begin_time);
  if (j.state == JobState::kPending && j.expected_start > 0) {
    i.sched_nodes = state_.SchedNodes(j.id);
  }
  i.nice = j.spec.nice;
  i.requeue = j.spec.requeue;
  i.batch = !j.spec.interactive;
  i.exclusive = j.spec.exclusive;
  if (j.spec.min_nodes != 0) i.max_nodes = std::max(j.spec.min_nodes, j.spec.max_nodes);
  i.ntasks_per_node = j.spec.ntasks_per_node;
  i.mem_per_cpu_mb = j.spec.mem_per_cpu_mb;
  i.req_nodes = j.spec.nodelist;
  i.exc_nodes = j.spec.exclude;
  i.features = Join(j.spec.constraints, "&");
  i.reservation = j.spec.reservation;
  return i;
}

namespace {

// Jobs a page examines at most (a filter matching few jobs ends the page early rather
// than walking the whole table in one go).
constexpr size_t kQueryPageMaxExamined = 20000;

// About the encoded size of `i` (Boost's binary archive: 8-byte string lengths).
size_t ApproxSize(const proto::JobInfo& i) {
  size_t n = 320;  // the fixed fields and the strings' lengths
  for (const std::string* s :
       {&i.name, &i.user, &i.partition, &i.reason, &i.nodelist, &i.work_dir, &i.dependency,
        &i.stdout_path, &i.stderr_path, &i.command, &i.batch_host, &i.sched_nodes, &i.account,
        &i.qos, &i.submit_line, &i.req_nodes, &i.exc_nodes, &i.features, &i.reservation}) {
    n += s->size();
  }
  for (const auto& a : i.alloc) n += 40 + a.node.size() + 4 * a.cpus.size();
  return n;
}

size_t ApproxSize(const proto::NodeInfo& i) {
  size_t n = 240 + i.name.size() + i.reason.size() + i.addr.size() + i.version.size() +
             i.hw.topology.size() + i.gres.size();
  for (const auto* list : {&i.features, &i.active_features, &i.partitions, &i.hw.nics}) {
    for (const std::string& s : *list) n += 8 + s.size();
  }
  return n;
}

}  // namespace

Frame Queries::QueryJobs(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryJobsRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  const proto::JobFilter& fl = req->filter;
  const bool finished_wanted = fl.include_finished || !fl.job_ids.empty() ||
                               std::any_of(fl.states.begin(), fl.states.end(), proto::IsFinished);
  if (req->max_jobs == 0) return QueryJobsUnpaged(*req, finished_wanted);
  proto::QueryJobsPage page;
  page.now = clock_.NowSeconds();
  page.state_seq = view_.state_seq();
  page.next_after = req->after_job_id;
  const size_t limit = std::min(req->max_jobs, proto::kQueryPageMaxJobs);
  size_t bytes = 0, examined = 0;
  // False when the page is full: more jobs may match after page.next_after.
  auto take = [&](const Job& j) {
    if (page.jobs.size() >= limit || bytes >= proto::kQueryPageMaxBytes ||
        examined >= kQueryPageMaxExamined) {
      page.more = true;
      return false;
    }
    examined++;
    page.next_after = j.id;
    if (proto::IsFinished(ShownState(j)) && !finished_wanted) return true;
    if (!JobMatches(fl, j)) return true;
    page.jobs.push_back(ToInfo(j));
    bytes += ApproxSize(page.jobs.back());
    return true;
  };
  if (!fl.job_ids.empty()) {
    const std::vector<uint64_t> ids = ExpandArrayIds(state_, fl.job_ids);
    for (auto it = std::upper_bound(ids.begin(), ids.end(), req->after_job_id); it != ids.end();
         ++it) {
      const Job* j = state_.FindJob(*it);
      if (j == nullptr) {
        if (page.jobs.size() < limit) page.next_after = *it;  // gone: nothing to show
        continue;
      }
      if (!take(*j)) break;
    }
  } else {
    const auto& jobs = state_.jobs();
    for (auto it = jobs.upper_bound(req->after_job_id); it != jobs.end(); ++it) {
      if (!take(it->second)) break;
    }
  }
  return proto::MakeFrame(page, 0);
}

// A client older than paged queries: every matching job in one reply, up to a bound.
Frame Queries::QueryJobsUnpaged(const proto::QueryJobsRequest& req, bool finished_wanted) const {
  std::vector<const Job*> selected;
  for (const Job* j : SelectJobs(state_, req.filter)) {
    if (proto::IsFinished(ShownState(*j)) && !finished_wanted) continue;
    selected.push_back(j);
  }
  if (selected.size() > proto::kUnpagedMaxJobs) {
    return proto::MakeStatusFrame(
        ResourceExhausted(
            std::to_string(selected.size()) +
            " jobs match, more than an unpaged query may return (" +
            std::to_string(proto::kUnpagedMaxJobs) +
            "): use a client of this controller's version (it pages) or narrow the query"),
        0);
  }
  proto::QueryJobsReply rep;
  rep.now = clock_.NowSeconds();
  for (const Job* j : selected) rep.jobs.push_back(ToInfo(*j));
  return proto::MakeFrame(rep, 0);
}

Frame Queries::QuerySteps(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryStepsRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  proto::QueryStepsReply rep;
  rep.now = clock_.NowSeconds();
  auto add = [&](const Job& j) {
    for (const auto& st : j.steps) {
      proto::StepInfo i;
      i.job_id = j.id;
      i.step_id = st.step_id;
      i.name = st.name;
      i.user = j.user;
      i.partition = j.partition;
      i.state = st.state;
      i.start_time = st.start_time;
      i.end_time = st.end_time;
      i.num_tasks = st.num_tasks;
      std::vector<std::string> names;
      for (const auto& n : st.layout) names.push_back(n.node);
      i.nodelist = CompressHostlist(names);
      i.layout = st.layout;
      i.exit_code = WIFEXITED(st.wait_status) ? WEXITSTATUS(st.wait_status) : 0;
      i.exit_signal = WIFSIGNALED(st.wait_status) ? WTERMSIG(st.wait_status) : 0;
      rep.steps.push_back(std::move(i));
    }
  };
  if (req->job_ids.empty()) {
    for (const auto& [id, j] : state_.jobs()) {
      if (j.state == JobState::kRunning) add(j);
    }
  } else {
    for (uint64_t id : req->job_ids) {
      const Job* j = state_.FindJob(id);
      if (j == nullptr) return proto::MakeStatusFrame(NotFound("Invalid job id specified"), 0);
      add(*j);
    }
  }
  return proto::MakeFrame(rep, 0);
}

proto::NodeInfo Queries::ToInfo(size_t index) const {
  const NodeRecord& n = state_.nodes()[index];
  const NodeConfig& c = state_.NodeConf(index);
  proto::NodeInfo i;
  i.name = n.name;
  i.cpus = c.cpus;
  i.alloc_cpus = c.cpus - state_.FreeCpus(n);
  i.memory_mb = c.real_memory_mb;
  i.alloc_mem_mb = n.mem_used_mb;
  // The passive hears no node daemon: it shows what the replicated state says (admin
  // state, allocations) and takes the nodes as responding, as the active last saw them.
  const bool responding = n.registered || !view_.hears_nodes();
  if (n.admin_down) {
    i.state = proto::NodeState::kDown;
  } else if (n.jobs > 0) {
    i.state = i.alloc_cpus >= c.cpus ? proto::NodeState::kAllocated : proto::NodeState::kMixed;
  } else if (responding) {
    i.state = proto::NodeState::kIdle;
  } else {
    i.state = proto::NodeState::kUnknown;
  }
  i.drain = n.drain;
  i.responding = responding;
  i.reason = n.reason;
  i.reason_time = n.reason_time;
  i.reason_uid = n.reason_uid;
  i.addr = c.addr;
  i.port = c.port;
  i.sockets = c.sockets;
  i.cores_per_socket = c.cores_per_socket;
  i.threads_per_core = c.threads_per_core;
  i.features = c.features;
  i.active_features = state_.ActiveFeatures(index);
  i.weight = c.weight;
  i.gres = c.gres;
  i.fail = n.fail;
  for (const PartitionRecord* p : state_.PartitionsInOrder()) {
    if (std::find(p->def.nodes.begin(), p->def.nodes.end(), n.name) != p->def.nodes.end()) {
      i.partitions.push_back(p->def.name);
    }
  }
  i.hw = n.hw;
  i.last_heartbeat = n.last_heartbeat;
  i.boot_time = n.boot_time;
  i.version = n.version;
  return i;
}

Frame Queries::QueryNodes(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryNodesRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  proto::QueryNodesReply rep;
  const size_t count = state_.nodes().size();
  if (req->names.empty() && req->max_nodes > 0) {
    // One page: bounded in nodes and bytes, whatever the cluster's size.
    const size_t limit = std::min(req->max_nodes, proto::kQueryPageMaxNodes);
    size_t bytes = 0;
    size_t i = req->after;
    for (; i < count && rep.nodes.size() < limit && bytes < proto::kQueryPageMaxBytes; ++i) {
      rep.nodes.push_back(ToInfo(i));
      bytes += ApproxSize(rep.nodes.back());
    }
    rep.more = i < count;
    rep.next_after = static_cast<uint32_t>(i);
  } else if (req->names.empty()) {
    for (size_t i = 0; i < count; ++i) rep.nodes.push_back(ToInfo(i));
  } else {
    for (const auto& name : req->names) {
      int idx = state_.NodeIndex(name);
      if (idx < 0) return proto::MakeStatusFrame(NotFound("Node " + name + " not found"), 0);
      rep.nodes.push_back(ToInfo(static_cast<size_t>(idx)));
    }
  }
  return proto::MakeFrame(rep, 0);
}

Frame Queries::QueryPartitions(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryPartitionsRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  proto::QueryPartitionsReply rep;
  for (const PartitionRecord* rec : state_.PartitionsInOrder()) {
    const PartitionConfig& p = rec->def;
    if (!req->names.empty() &&
        std::find(req->names.begin(), req->names.end(), p.name) == req->names.end()) {
      continue;
    }
    proto::PartitionInfo i;
    i.name = p.name;
    i.is_default = p.is_default;
    i.state = PartitionStateName(p.state);
    i.max_time_s = p.max_time_s;
    i.default_time_s = p.default_time_s;
    i.nodes = p.nodes;
    i.max_nodes = p.max_nodes;
    i.min_nodes = p.min_nodes;
    i.priority_tier = p.priority;
    i.runtime = rec->runtime;
    i.conf_line = FormatPartitionLine(p);
    for (const auto& n : p.nodes) {
      if (const NodeConfig* nc = config_.FindNode(n)) i.total_cpus += nc->cpus;
    }
    rep.partitions.push_back(std::move(i));
  }
  if (!req->names.empty() && rep.partitions.empty()) {
    return proto::MakeStatusFrame(NotFound("Partition " + req->names.front() + " not found"), 0);
  }
  return proto::MakeFrame(rep, 0);
}

Frame Queries::QueryConfig() const {
  proto::QueryConfigReply rep;
  for (const auto& [k, v] : config_.raw) rep.lines.push_back(k + " = " + v);
  rep.lines.push_back("ConfigFile = " + config_.source_path);
  rep.lines.push_back("ControllerEpoch = " + std::to_string(view_.epoch()));
  rep.lines.push_back("NextJobId = " + std::to_string(state_.next_job_id()));
  std::sort(rep.lines.begin(), rep.lines.end());
  return proto::MakeFrame(rep, 0);
}

// The entity filter: "node=n1" that record; "node" (or "node=") every node's.
bool AuditMatches(const proto::QueryAuditRequest& q, const proto::AuditRecord& r) {
  if (r.time < q.since) return false;
  if (!q.user.empty() && q.user != r.user && q.user != std::to_string(r.uid)) return false;
  if (q.entity.empty()) return true;
  const size_t eq = q.entity.find('=');
  if (eq == std::string::npos || eq + 1 == q.entity.size()) {
    const std::string kind = q.entity.substr(0, eq) + "=";
    return EqualsIgnoreCase(r.entity.substr(0, kind.size()), kind);
  }
  return EqualsIgnoreCase(r.entity, q.entity);
}

Frame Queries::QueryAudit(const Frame& f) const {
  auto req = proto::DecodeBody<proto::QueryAuditRequest>(f.body);
  if (!req.ok()) return proto::MakeStatusFrame(req.error(), 0);
  proto::QueryAuditReply rep;
  for (const proto::AuditRecord& r : state_.audit()) {
    if (AuditMatches(*req, r)) rep.records.push_back(r);
  }
  return proto::MakeFrame(rep, 0);
}

}  // namespace herd::ctld
