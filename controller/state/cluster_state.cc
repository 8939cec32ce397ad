// herd — applying events to the controller's model (the checkpoint: checkpoint.cc).
#include "controller/state/cluster_state.h"

#include <sys/wait.h>

#include <algorithm>
#include <boost/serialization/deque.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/set.hpp>
#include <boost/serialization/utility.hpp>
#include <sstream>

#include "common/proto/codec.h"

namespace herd::ctld {

ClusterState::ClusterState(const ClusterConfig& config) : config_(config) {
  nodes_.reserve(config.nodes.size());
  node_conf_ = config.nodes;
  for (size_t i = 0; i < config.nodes.size(); ++i) {
    NodeRecord n;
    n.name = config.nodes[i].name;
    n.cpu_used.assign(config.nodes[i].cpus, false);
    node_index_[n.name] = i;
    nodes_.push_back(std::move(n));
  }
  partitions_ = ConfigPartitions();
}

const Job* ClusterState::FindJob(uint64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

// Tokens are per user: one user's token never finds another user's job.
uint64_t ClusterState::TokenKey(uint32_t uid, uint64_t token) {
  return token ^ (static_cast<uint64_t>(uid) * 0x9E3779B97F4A7C15ULL);
}

size_t ClusterState::LiveJobsOf(uint32_t uid) const {
  auto it = live_by_uid_.find(uid);
  return it == live_by_uid_.end() ? 0 : it->second;
}

void ClusterState::CountLive(uint32_t uid, int delta) {
  if (delta > 0) {
    live_jobs_++;
    live_by_uid_[uid]++;
    return;
  }
  live_jobs_--;
  auto it = live_by_uid_.find(uid);
  if (--it->second == 0) live_by_uid_.erase(it);
}

void ClusterState::Forget(uint64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  if (it->second.client_token != 0)
    by_token_.erase(TokenKey(it->second.uid, it->second.client_token));
  deps_.Forgotten(id);
  completing_.erase(id);
  jobs_.erase(it);
}

const Job* ClusterState::FindByToken(uint32_t uid, uint64_t token) const {
  if (token == 0) return nullptr;
  auto it = by_token_.find(TokenKey(uid, token));
  return it == by_token_.end() ? nullptr : FindJob(it->second);
}

void ClusterState::SetPendingReason(uint64_t id, PendingReason r, int64_t expected_start) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  it->second.pending_reason = r;
  it->second.expected_start = expected_start;
}

void ClusterState::SetPriority(uint64_t id, uint32_t priority) {
  auto it = jobs_.find(id);
  if (it != jobs_.end() && it->second.state == JobState::kPending) it->second.priority = priority;
}

const std::string& ClusterState::SchedNodes(uint64_t id) const {
  static const std::string kNone;
  auto it = sched_nodes_.find(id);
  return it == sched_nodes_.end() ? kNone : it->second;
}

void ClusterState::SetAwaitingKill(uint64_t id, bool waiting) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  it->second.awaiting_kill = waiting;
  if (!waiting) it->second.kill_wait_node.clear();  // confirmed: nothing left to wait for
}

const char* PendingReasonName(PendingReason r) {
  switch (r) {
    case PendingReason::kNone:
      return "None";
    case PendingReason::kResources:
      return "Resources";
    case PendingReason::kPriority:
      return "Priority";
    case PendingReason::kJobHeldUser:
      return "JobHeldUser";
    case PendingReason::kJobHeldAdmin:
      return "JobHeldAdmin";
    case PendingReason::kLaunchFailedRequeuedHeld:
      return "launch failed requeued held";  // Slurm's words
    case PendingReason::kPartitionDown:
      return "PartitionDown";
    case PendingReason::kPartitionInactive:
      return "PartitionInactive";
    case PendingReason::kBadConstraints:
      return "BadConstraints";
    case PendingReason::kRequeued:
      return "Requeued";
    case PendingReason::kDependency:
      return "Dependency";
    case PendingReason::kDependencyNeverSatisfied:
      return "DependencyNeverSatisfied";
    case PendingReason::kBeginTime:
      return "BeginTime";
    case PendingReason::kPartitionTimeLimit:
      return "PartitionTimeLimit";
    case PendingReason::kPartitionNodeLimit:
      return "PartitionNodeLimit";
    case PendingReason::kPartitionConfig:
      return "PartitionConfig";
    case PendingReason::kJobArrayTaskLimit:
      return "JobArrayTaskLimit";
    case PendingReason::kAssocGrpJobsLimit:
      return "AssocGrpJobsLimit";
    case PendingReason::kAssocGrpCpuLimit:
      return "AssocGrpCpuLimit";
    case PendingReason::kAssocGrpMemLimit:
      return "AssocGrpMemLimit";
    case PendingReason::kAssocGrpNodeLimit:
      return "AssocGrpNodeLimit";
    case PendingReason::kAssocMaxJobsLimit:
      return "AssocMaxJobsLimit";
    case PendingReason::kAssocMaxWallDurationPerJobLimit:
      return "AssocMaxWallDurationPerJobLimit";
    case PendingReason::kAssocMaxCpuPerJobLimit:
      return "AssocMaxCpuPerJobLimit";
    case PendingReason::kAssocMaxMemPerJobLimit:
      return "AssocMaxMemPerJobLimit";
    case PendingReason::kAssocMaxNodePerJobLimit:
      return "AssocMaxNodePerJobLimit";
    case PendingReason::kQosGrpJobsLimit:
      return "QOSGrpJobsLimit";
    case PendingReason::kQosGrpCpuLimit:
      return "QOSGrpCpuLimit";
    case PendingReason::kQosGrpMemLimit:
      return "QOSGrpMemLimit";
    case PendingReason::kQosGrpNodeLimit:
      return "QOSGrpNodeLimit";
    case PendingReason::kQosMaxJobsPerUserLimit:
      return "QOSMaxJobsPerUserLimit";
    case PendingReason::kQosMaxWallDurationPerJobLimit:
      return "QOSMaxWallDurationPerJobLimit";
    case PendingReason::kQosMaxCpuPerJobLimit:
      return "QOSMaxCpuPerJobLimit";
    case PendingReason::kQosMaxMemoryPerJob:
      return "QOSMaxMemoryPerJob";
    case PendingReason::kQosMaxNodePerJobLimit:
      return "QOSMaxNodePerJobLimit";
    case PendingReason::kReservation:
      return "Reservation";
    case PendingReason::kReservationDeleted:
      return "ReservationDeleted";
    case PendingReason::kResvNodesReserved:
      return "ReqNodeNotAvail, May be reserved for other job";
    case PendingReason::kResvNodesMaint:
      return "ReqNodeNotAvail, Reserved for maintenance";
  }
  return "None";
}

int ClusterState::NodeIndex(const std::string& name) const {
  auto it = node_index_.find(name);
  return it == node_index_.end() ? -1 : static_cast<int>(it->second);
}

NodeRecord* ClusterState::FindNode(const std::string& name) {
  int i = NodeIndex(name);
  return i < 0 ? nullptr : &nodes_[static_cast<size_t>(i)];
}

const NodeRecord* ClusterState::FindNode(const std::string& name) const {
  int i = NodeIndex(name);
  return i < 0 ? nullptr : &nodes_[static_cast<size_t>(i)];
}

uint32_t ClusterState::FreeCpus(const NodeRecord& n) const {
  uint32_t free = 0;
  for (bool used : n.cpu_used) free += used ? 0 : 1;
  return free;
}

void ClusterState::UseNodes(const Job& job, bool use) {
  for (const auto& a : job.alloc) {
    NodeRecord* n = FindNode(a.node);
    if (n == nullptr) continue;
    for (uint32_t c : a.cpus) {
      if (c < n->cpu_used.size()) n->cpu_used[c] = use;
    }
    if (use) {
      n->mem_used_mb += a.mem_mb;
      n->jobs++;
    } else {
      n->mem_used_mb = n->mem_used_mb >= a.mem_mb ? n->mem_used_mb - a.mem_mb : 0;
      if (n->jobs > 0) n->jobs--;
    }
  }
}

void ClusterState::Allocate(const Job& job) {
  UseNodes(job, true);
  if (job.array_job_id != 0) array_running_[job.array_job_id]++;
  assoc_usage_.Running(job, +1);
}

void ClusterState::CountArrayLive(const Job& j, int delta) {
  if (j.array_job_id == 0 || j.array_job_id == j.id) return;
  uint32_t& n = array_live_[j.array_job_id];
  n = static_cast<uint32_t>(static_cast<int64_t>(n) + delta);
  if (n == 0) array_live_.erase(j.array_job_id);
}

bool ClusterState::BlobNeeded(uint64_t blob_id) const {
  const Job* j = FindJob(blob_id);
  // A finished batch job keeps its script until it is forgotten: it may be requeued.
  return j != nullptr || array_live_.count(blob_id) != 0;
}

uint32_t ClusterState::ArrayTasksRunning(uint64_t array_job_id) const {
  auto it = array_running_.find(array_job_id);
  return it == array_running_.end() ? 0 : it->second;
}

void ClusterState::Release(const Job& job) {
  UseNodes(job, false);
  assoc_usage_.Running(job, -1);
  if (auto it = array_running_.find(job.array_job_id); it != array_running_.end()) {
    if (--it->second == 0) array_running_.erase(it);
  }
}

void ClusterState::AddUsage(const Job& job, int64_t end_time) {
  if (job.start_time <= 0 || end_time <= job.start_time) return;
  usage_.Add(job.spec.account.str(), job.user.str(),
             static_cast<double>(AllocCpus(job)) * static_cast<double>(end_time - job.start_time),
             end_time, config_.priority.decay_half_life_s);
}

Status ClusterState::Apply(const JobSubmitted& e) {
  if (jobs_.count(e.job.id)) return FailedPrecondition("job exists");
  if (e.job.id >= next_job_id_) next_job_id_ = e.job.id + 1;
  // The record only: script, argv and env stay in the event.
  Job& j = jobs_.emplace(e.job.id, e.job).first->second;
  if (!proto::IsFinished(e.job.state)) {
    CountLive(e.job.uid, +1);
    assoc_usage_.Live(j, +1);
  }
  if (e.job.client_token != 0) by_token_[TokenKey(e.job.uid, e.job.client_token)] = e.job.id;
  deps_.Added(j);
  return Status::Ok();
}

// An array's task splits off its pending remainder: a record of its own, or the array's
// record itself for the last task. The caller checked that the task is pending.
Job& ClusterState::SplitTask(Job& array, uint32_t task_id, uint64_t task_job_id) {
  proto::RemoveTask(&array.array_pending, task_id);
  if (task_job_id == array.id) {
    array.array_task_id = task_id;
    return array;
  }
  Job task = array;
  task.id = task_job_id;
  task.client_token = 0;
  task.array_task_id = task_id;
  task.array_pending.clear();
  task.array_pending.shrink_to_fit();
  if (task.id >= next_job_id_) next_job_id_ = task.id + 1;
  Job& j = jobs_.emplace(task.id, std::move(task)).first->second;
  CountLive(j.uid, +1);
  CountArrayLive(j, +1);
  deps_.Added(j);
  return j;
}

Status ClusterState::Apply(const JobStarted& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  if (it->second.state != JobState::kPending) return FailedPrecondition("job is not pending");
  if (e.task_job_id != 0) {
    const Job& a = it->second;
    if (!proto::HasTask(a.array_pending, e.array_task_id)) {
      return FailedPrecondition("array task is not pending");
    }
    bool last = proto::TaskCount(a.array_pending) == 1;
    if (last != (e.task_job_id == a.id) || (!last && jobs_.count(e.task_job_id))) {
      return FailedPrecondition("array task record does not fit");
    }
  } else if (it->second.IsArrayRemainder()) {
    return FailedPrecondition("an array starts task by task");
  }
  Job& j = e.task_job_id != 0 ? SplitTask(it->second, e.array_task_id, e.task_job_id) : it->second;
  j.state = JobState::kRunning;
  j.launch_confirmed = false;
  j.kill_wait_node.clear();
  j.kill_wait_run = 0;
  j.run_seq = e.run_seq;
  j.start_time = e.start_time;
  j.end_time = 0;
  j.alloc = e.alloc;
  j.intent = KillIntent::kNone;
  j.reason.clear();
  j.steps.clear();
  j.usage.clear();
  j.next_step_id = 0;
  Allocate(j);
  deps_.Changed(j);
  return Status::Ok();
}

Status ClusterState::Apply(const ArrayTasksSplit& e) {
  auto it = jobs_.find(e.array_job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& a = it->second;
  if (a.state != JobState::kPending || !a.IsArrayRemainder()) {
    return FailedPrecondition("not an array with pending tasks");
  }
  // Checked whole before anything changes: the event applies entirely or not at all.
  std::vector<proto::ArrayRange> rest = a.array_pending;
  std::set<uint64_t> ids;
  for (const auto& [task, id] : e.tasks) {
    if (!proto::RemoveTask(&rest, task)) return FailedPrecondition("array task is not pending");
    const bool last = rest.empty();
    if (last != (id == a.id) || (!last && (jobs_.count(id) || !ids.insert(id).second))) {
      return FailedPrecondition("array task record does not fit");
    }
  }
  for (const auto& [task, id] : e.tasks) {
    Job& j = SplitTask(a, task, id);
    if (&j == &a) deps_.Changed(a);
  }
  return Status::Ok();
}

Status ClusterState::Apply(const JobEnded& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (proto::IsFinished(j.state)) return FailedPrecondition("job already ended");
  if (j.state == JobState::kRunning || j.state == JobState::kCompleting) {
    AddUsage(j, e.end_time);
    Release(j);
  }
  CountLive(j.uid, -1);
  CountArrayLive(j, -1);
  assoc_usage_.Live(j, -1);
  j.state = e.state;
  j.wait_status = e.wait_status;
  j.end_time = e.end_time;
  for (auto& st : j.steps) {
    if (st.state == JobState::kRunning) {
      st.state = JobState::kCancelled;
      st.end_time = e.end_time;
    }
  }
  j.reason = e.reason;
  j.hold = HoldKind::kNone;
  j.ctld_prolog_owed = false;  // a PrologSlurmctld still running has nothing left to start
  if (e.token != 0) j.op_token = e.token;
  if (e.usage.measured && !j.alloc.empty()) j.usage = {NodeUsage{j.alloc.front().node, e.usage}};
  deps_.Changed(j);
  return Status::Ok();
}

// The job ended in this batch (JobEnded released its resources): they are held again,
// without counting it as a running array task, until its Epilogs are done.
Status ClusterState::Apply(const JobCompleting& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (!proto::IsFinished(j.state) || j.run_seq != e.run_seq || !j.completing.empty()) {
    return FailedPrecondition("job run is not one that just ended");
  }
  if (e.nodes.empty()) return Status::Ok();
  j.completing = e.nodes;
  UseNodes(j, true);
  completing_.insert(j.id);
  return Status::Ok();
}

Status ClusterState::Apply(const EpilogNodeDone& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  auto at = std::find(j.completing.begin(), j.completing.end(), e.node);
  if (j.run_seq != e.run_seq || at == j.completing.end()) {
    return FailedPrecondition("node is not completing this job run");
  }
  j.completing.erase(at);
  if (j.completing.empty()) {
    UseNodes(j, false);
    completing_.erase(j.id);
  }
  return Status::Ok();
}

// PrologSlurmctld is owed by a running run, EpilogSlurmctld by an ended one.
Status ClusterState::Apply(const CtldHookOwed& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.run_seq != e.run_seq) return FailedPrecondition("not the job's current run");
  if (e.epilog) {
    if (!proto::IsFinished(j.state)) return FailedPrecondition("job has not ended");
    j.ctld_epilog_owed = true;
  } else {
    if (j.state != JobState::kRunning) return FailedPrecondition("job is not running");
    j.ctld_prolog_owed = true;
  }
  return Status::Ok();
}

Status ClusterState::Apply(const CtldHookDone& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.run_seq != e.run_seq) return FailedPrecondition("not the job's current run");
  bool& owed = e.epilog ? j.ctld_epilog_owed : j.ctld_prolog_owed;
  if (!owed) return FailedPrecondition("nothing owed");
  owed = false;
  return Status::Ok();
}

Status ClusterState::Apply(const JobRequeued& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.state != JobState::kRunning) return FailedPrecondition("job is not running");
  Release(j);
  j.state = JobState::kPending;
  j.launch_confirmed = false;
  j.alloc.clear();
  j.intent = KillIntent::kNone;
  j.restarts++;
  j.start_time = 0;
  j.reason = e.reason;
  j.kill_wait_node = e.wait_node;
  j.kill_wait_run = e.wait_run;
  j.ctld_prolog_owed = false;
  deps_.Changed(j);
  return Status::Ok();
}

Status ClusterState::Apply(const JobRequeueAsked& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.spec.interactive) return FailedPrecondition("not a batch job");
  if (j.state == JobState::kRunning) {
    AddUsage(j, e.time);
    Release(j);
  } else if (proto::IsFinished(j.state) && j.completing.empty()) {
    CountLive(j.uid, +1);  // live again, as JobEnded had it before
    CountArrayLive(j, +1);
    assoc_usage_.Live(j, +1);
  } else {
    return FailedPrecondition("job is neither running nor finished");
  }
  j.state = JobState::kPending;
  j.launch_confirmed = false;
  j.acct_stored = false;
  j.alloc.clear();
  j.intent = KillIntent::kNone;
  j.restarts++;
  j.submit_time = e.time;
  j.start_time = 0;
  j.end_time = 0;
  j.wait_status = 0;
  j.spec.begin_time = e.time + kRequeueBeginDelayS;
  if (e.hold != HoldKind::kNone) j.hold = e.hold;
  j.reason = e.hold != HoldKind::kNone ? kRequeuedHeldReason : "";
  j.kill_wait_node = e.wait_node;
  j.kill_wait_run = e.wait_run;
  if (e.token != 0) j.op_token = e.token;
  deps_.Changed(j);
  return Status::Ok();
}

Status ClusterState::Apply(const JobHold& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  // A running job may be held too, as in Slurm: it keeps running, and a requeue brings it
  // back held.
  if (j.state != JobState::kPending && j.state != JobState::kRunning) {
    return FailedPrecondition("job is neither pending nor running");
  }
  j.hold = e.hold;
  if (e.hold == HoldKind::kNone && j.reason == kRequeuedHeldReason) j.reason.clear();
  if (e.token != 0) j.op_token = e.token;
  return Status::Ok();
}

uint64_t AllocCpus(const Job& job) {
  uint64_t n = 0;
  for (const NodeAlloc& a : job.alloc) n += a.cpus.size();
  return n;
}

void ApplyJobUpdate(const JobUpdated& e, Job* j) {
  j->spec.name = e.name;
  j->partition = e.partition;
  j->spec.partition = e.partition;
  j->time_limit_s = e.time_limit_s;
  j->spec.nice = e.nice;
  j->priority = e.priority;
  j->admin_priority = e.admin_priority;
  j->spec.min_nodes = e.min_nodes;
  j->spec.max_nodes = e.max_nodes;
  j->spec.num_tasks = e.num_tasks;
  j->spec.nodelist = e.nodelist;
  j->spec.exclude = e.exclude;
  j->spec.constraints = e.constraints;
  if (e.array_throttle >= 0) j->array_throttle = static_cast<uint32_t>(e.array_throttle);
  if (e.begin_time >= 0) j->spec.begin_time = e.begin_time;
}

Status ClusterState::Apply(const JobUpdated& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  const JobState st = it->second.state;
  if (st != JobState::kPending && st != JobState::kRunning) {
    return FailedPrecondition("job has ended");
  }
  const std::string old_name = it->second.spec.name;
  const int64_t old_begin = it->second.spec.begin_time;
  ApplyJobUpdate(e, &it->second);
  if (old_name != it->second.spec.name) deps_.Renamed(it->second, old_name);
  if (old_begin != it->second.spec.begin_time) deps_.Changed(it->second);
  return Status::Ok();
}

Status ClusterState::Apply(const JobKillIntent& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  if (it->second.state != JobState::kRunning) return FailedPrecondition("job is not running");
  it->second.intent = e.intent;
  if (e.token != 0) it->second.op_token = e.token;
  return Status::Ok();
}

Status ClusterState::Apply(const NodeUpdated& e) {
  NodeRecord* n = FindNode(e.name);
  if (n == nullptr) return FailedPrecondition("no such node");
  n->admin_down = e.down;
  n->down_not_responding = e.down_not_responding;
  n->drain = e.drain;
  n->reason = e.reason;
  n->reason_time = e.time;
  n->reason_uid = e.reason_uid;
  if (e.admin_fields) {
    n->fail = e.fail;
    SetOverrides(static_cast<size_t>(NodeIndex(e.name)), e.overrides);
  }
  if (!config_.acct_type.empty()) {  // kept until the database has it (AcctStored)
    n->acct_pending.push_back(
        NodeChange{++n->acct_seq, e.time, e.down, e.drain, e.reason, e.reason_uid});
  }
  return Status::Ok();
}

Status ClusterState::Apply(const StepStarted& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.state != JobState::kRunning) return FailedPrecondition("job is not running");
  if (j.FindStep(e.step.step_id) != nullptr) return FailedPrecondition("step exists");
  j.steps.push_back(e.step);
  if (e.step.step_id >= j.next_step_id) j.next_step_id = e.step.step_id + 1;
  return Status::Ok();
}

Status ClusterState::Apply(const StepNodeEnded& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  for (auto& st : j.steps) {
    if (st.step_id != e.step_id) continue;
    if (std::find(st.nodes_done.begin(), st.nodes_done.end(), e.node) != st.nodes_done.end()) {
      return FailedPrecondition("node already reported");
    }
    if (st.state != JobState::kRunning) {
      // Ended with its job (JobEnded cancels running steps): only the node's usage is
      // added, and the job's record goes to accounting again.
      if (!proto::IsFinished(j.state)) return FailedPrecondition("step already ended");
      st.nodes_done.push_back(e.node);
      if (e.usage.measured) st.usage.push_back(NodeUsage{e.node, e.usage});
      j.acct_stored = false;
      return Status::Ok();
    }
    st.nodes_done.push_back(e.node);
    if (e.usage.measured) st.usage.push_back(NodeUsage{e.node, e.usage});
    int32_t cur = st.wait_status;
    auto rank = [](int32_t ws) {  // a signal outranks any exit code
      return WIFSIGNALED(ws) ? 256 + WTERMSIG(ws) : WIFEXITED(ws) ? WEXITSTATUS(ws) : 0;
    };
    if (rank(e.wait_status) > rank(cur)) st.wait_status = e.wait_status;
    if (st.nodes_done.size() >= st.layout.size()) {
      st.end_time = e.time;
      st.state = e.cancelled                               ? JobState::kCancelled
                 : st.wait_status == 0                     ? JobState::kCompleted
                 : st.wait_status == proto::kOomWaitStatus ? JobState::kOutOfMemory
                                                           : JobState::kFailed;
      st.launch_body.clear();  // launched everywhere it will ever run
    }
    return Status::Ok();
  }
  return FailedPrecondition("no such step");
}

Status ClusterState::Apply(const LaunchConfirmed& e) {
  auto it = jobs_.find(e.job_id);
  if (it == jobs_.end()) return FailedPrecondition("no such job");
  Job& j = it->second;
  if (j.state != JobState::kRunning || j.run_seq != e.run_seq) {
    return FailedPrecondition("not the job's current run");
  }
  if (e.step_id == proto::kBatchStep) {
    if (j.alloc.empty() || j.alloc.front().node != e.node) {
      return FailedPrecondition("not the job's batch host");
    }
    j.launch_confirmed = true;
    return Status::Ok();
  }
  for (auto& st : j.steps) {
    if (st.step_id != e.step_id) continue;
    if (std::find(st.confirmed.begin(), st.confirmed.end(), e.node) == st.confirmed.end()) {
      st.confirmed.push_back(e.node);
    }
    return Status::Ok();
  }
  return FailedPrecondition("no such step");
}

Status ClusterState::Apply(const AcctStored& e) {
  // Ids of jobs not (or no longer) here are no error: the record is about the database.
  for (uint64_t id : e.job_ids) {
    auto it = jobs_.find(id);
    if (it != jobs_.end() && proto::IsFinished(it->second.state)) it->second.acct_stored = true;
  }
  for (const auto& [node, seq] : e.node_changes) {
    NodeRecord* n = FindNode(node);
    if (n == nullptr) continue;
    auto& p = n->acct_pending;
    const uint64_t upto = seq;  // C++17 lambdas cannot capture a structured binding
    p.erase(
        std::remove_if(p.begin(), p.end(), [upto](const NodeChange& c) { return c.seq <= upto; }),
        p.end());
  }
  return Status::Ok();
}

namespace {
template <class E>
Status DecodeApply(ClusterState& s, const std::string& body) {
  auto e = proto::DecodeBodyAs<E>(body);
  if (!e.ok()) return e.error();
  return s.Apply(*e);
}
}  // namespace

Status ClusterState::ApplyRecord(uint16_t type, const std::string& body) {
  switch (static_cast<EventType>(type)) {
    case EventType::kJobSubmitted:
      return DecodeApply<JobSubmitted>(*this, body);
    case EventType::kJobStarted:
      return DecodeApply<JobStarted>(*this, body);
    case EventType::kJobEnded:
      return DecodeApply<JobEnded>(*this, body);
    case EventType::kJobRequeued:
      return DecodeApply<JobRequeued>(*this, body);
    case EventType::kJobHold:
      return DecodeApply<JobHold>(*this, body);
    case EventType::kJobRequeueAsked:
      return DecodeApply<JobRequeueAsked>(*this, body);
    case EventType::kJobKillIntent:
      return DecodeApply<JobKillIntent>(*this, body);
    case EventType::kNodeUpdated:
      return DecodeApply<NodeUpdated>(*this, body);
    case EventType::kPartitionUpdated:
      return DecodeApply<PartitionUpdated>(*this, body);
    case EventType::kStepStarted:
      return DecodeApply<StepStarted>(*this, body);
    case EventType::kStepNodeEnded:
      return DecodeApply<StepNodeEnded>(*this, body);
    case EventType::kLaunchConfirmed:
      return DecodeApply<LaunchConfirmed>(*this, body);
    case EventType::kAcctStored:
      return DecodeApply<AcctStored>(*this, body);
    case EventType::kJobUpdated:
      return DecodeApply<JobUpdated>(*this, body);
    case EventType::kPartitionDefined:
      return DecodeApply<PartitionDefined>(*this, body);
    case EventType::kPartitionDeleted:
      return DecodeApply<PartitionDeleted>(*this, body);
    case EventType::kAuditRecorded:
      return DecodeApply<AuditRecorded>(*this, body);
    case EventType::kAssocDefined:
      return DecodeApply<AssocDefined>(*this, body);
    case EventType::kAssocDeleted:
      return DecodeApply<AssocDeleted>(*this, body);
    case EventType::kJobCompleting:
      return DecodeApply<JobCompleting>(*this, body);
    case EventType::kEpilogNodeDone:
      return DecodeApply<EpilogNodeDone>(*this, body);
    case EventType::kCtldHookOwed:
      return DecodeApply<CtldHookOwed>(*this, body);
    case EventType::kCtldHookDone:
      return DecodeApply<CtldHookDone>(*this, body);
    case EventType::kArrayTasksSplit:
      return DecodeApply<ArrayTasksSplit>(*this, body);
    case EventType::kReservationDefined:
      return DecodeApply<ReservationDefined>(*this, body);
    case EventType::kReservationDeleted:
      return DecodeApply<ReservationDeleted>(*this, body);
  }
  return DataLoss("unknown journal record type " + std::to_string(type));
}

}  // namespace herd::ctld
