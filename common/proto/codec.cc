// herd — names of message types and states.
#include "common/proto/codec.h"

#include "common/base/strings.h"

namespace herd::proto {

const char* MsgTypeName(MsgType t) {
  switch (t) {
    case MsgType::kInvalid:
      return "Invalid";
    case MsgType::kStatusReply:
      return "StatusReply";
    case MsgType::kUnsupportedReply:
      return "UnsupportedReply";
    case MsgType::kNotActiveReply:
      return "NotActiveReply";
    case MsgType::kHaStatusRequest:
      return "HaStatusRequest";
    case MsgType::kHaStatusReply:
      return "HaStatusReply";
    case MsgType::kTakeoverRequest:
      return "TakeoverRequest";
    case MsgType::kVoteRequest:
      return "VoteRequest";
    case MsgType::kVoteReply:
      return "VoteReply";
    case MsgType::kAppendRequest:
      return "AppendRequest";
    case MsgType::kAppendReply:
      return "AppendReply";
    case MsgType::kInstallSnapshotRequest:
      return "InstallSnapshotRequest";
    case MsgType::kSubmitJobRequest:
      return "SubmitJobRequest";
    case MsgType::kSubmitJobReply:
      return "SubmitJobReply";
    case MsgType::kCancelJobsRequest:
      return "CancelJobsRequest";
    case MsgType::kCancelJobsReply:
      return "CancelJobsReply";
    case MsgType::kQueryJobsRequest:
      return "QueryJobsRequest";
    case MsgType::kQueryJobsReply:
      return "QueryJobsReply";
    case MsgType::kQueryJobsPageReply:
      return "QueryJobsPage";
    case MsgType::kQueryNodesRequest:
      return "QueryNodesRequest";
    case MsgType::kQueryNodesReply:
      return "QueryNodesReply";
    case MsgType::kQueryPartitionsRequest:
      return "QueryPartitionsRequest";
    case MsgType::kQueryPartitionsReply:
      return "QueryPartitionsReply";
    case MsgType::kQueryConfigRequest:
      return "QueryConfigRequest";
    case MsgType::kQueryConfigReply:
      return "QueryConfigReply";
    case MsgType::kUpdateNodeRequest:
      return "UpdateNodeRequest";
    case MsgType::kUpdatePartitionRequest:
      return "UpdatePartitionRequest";
    case MsgType::kHoldJobsRequest:
      return "HoldJobsRequest";
    case MsgType::kRequeueJobsRequest:
      return "RequeueJobsRequest";
    case MsgType::kUpdateJobRequest:
      return "UpdateJobRequest";
    case MsgType::kQueryAuditRequest:
      return "QueryAuditRequest";
    case MsgType::kQueryAuditReply:
      return "QueryAuditReply";
    case MsgType::kAssocUpdateRequest:
      return "AssocUpdateRequest";
    case MsgType::kAssocUpdateReply:
      return "AssocUpdateReply";
    case MsgType::kQueryAssocRequest:
      return "QueryAssocRequest";
    case MsgType::kQueryAssocReply:
      return "QueryAssocReply";
    case MsgType::kQueryPriorityRequest:
      return "QueryPriorityRequest";
    case MsgType::kQueryPriorityReply:
      return "QueryPriorityReply";
    case MsgType::kQueryShareRequest:
      return "QueryShareRequest";
    case MsgType::kQueryShareReply:
      return "QueryShareReply";
    case MsgType::kUpdateReservationRequest:
      return "UpdateReservationRequest";
    case MsgType::kQueryReservationsRequest:
      return "QueryReservationsRequest";
    case MsgType::kQueryReservationsReply:
      return "QueryReservationsReply";
    case MsgType::kPingRequest:
      return "PingRequest";
    case MsgType::kRegisterNodeRequest:
      return "RegisterNodeRequest";
    case MsgType::kRegisterNodeReply:
      return "RegisterNodeReply";
    case MsgType::kHeartbeatRequest:
      return "HeartbeatRequest";
    case MsgType::kStepCompleteRequest:
      return "StepCompleteRequest";
    case MsgType::kEpilogCompleteRequest:
      return "EpilogCompleteRequest";
    case MsgType::kLaunchBatchRequest:
      return "LaunchBatchRequest";
    case MsgType::kSignalJobRequest:
      return "SignalJobRequest";
    case MsgType::kTerminateJobRequest:
      return "TerminateJobRequest";
    case MsgType::kStepCreateRequest:
      return "StepCreateRequest";
    case MsgType::kStepCreateReply:
      return "StepCreateReply";
    case MsgType::kAllocationDoneRequest:
      return "AllocationDoneRequest";
    case MsgType::kQueryStepsRequest:
      return "QueryStepsRequest";
    case MsgType::kQueryStepsReply:
      return "QueryStepsReply";
    case MsgType::kLaunchStepRequest:
      return "LaunchStepRequest";
    case MsgType::kStepHello:
      return "StepHello";
    case MsgType::kTaskOutput:
      return "TaskOutput";
    case MsgType::kTaskExit:
      return "TaskExit";
    case MsgType::kStepNodeDone:
      return "StepNodeDone";
    case MsgType::kStepAbort:
      return "StepAbort";
    case MsgType::kFenceContribution:
      return "FenceContribution";
    case MsgType::kFenceResult:
      return "FenceResult";
    case MsgType::kStdinData:
      return "StdinData";
    case MsgType::kStepSignal:
      return "StepSignal";
  }
  return "Unknown";
}

Status ReplyStatus(const Frame& f) {
  if (f.type == MsgType::kUnsupportedReply) {
    return Unsupported("the receiver does not support this request or protocol version");
  }
  if (f.type != MsgType::kStatusReply) return Status::Ok();
  auto r = DecodeBody<StatusReply>(f.body);
  if (!r.ok()) return r.error();
  if (r->code == 0) return Status::Ok();
  if (r->code < 0 || r->code > static_cast<int32_t>(Code::kUnsupported)) {
    return Internal(r->message);
  }
  return Status(static_cast<Code>(r->code), r->message);
}

namespace {
struct StateNames {
  JobState state;
  const char* name;
  const char* abbrev;
};
constexpr StateNames kStates[] = {
    {JobState::kPending, "PENDING", "PD"},
    {JobState::kRunning, "RUNNING", "R"},
    {JobState::kSuspended, "SUSPENDED", "S"},
    {JobState::kCompleting, "COMPLETING", "CG"},
    {JobState::kCompleted, "COMPLETED", "CD"},
    {JobState::kFailed, "FAILED", "F"},
    {JobState::kCancelled, "CANCELLED", "CA"},
    {JobState::kTimeout, "TIMEOUT", "TO"},
    {JobState::kNodeFail, "NODE_FAIL", "NF"},
    {JobState::kPreempted, "PREEMPTED", "PR"},
    {JobState::kOutOfMemory, "OUT_OF_MEMORY", "OOM"},
    {JobState::kConfiguring, "CONFIGURING", "CF"},
};
}  // namespace

const char* JobStateName(JobState s) {
  for (const auto& e : kStates) {
    if (e.state == s) return e.name;
  }
  return "UNKNOWN";
}

const char* JobStateShort(JobState s) {
  for (const auto& e : kStates) {
    if (e.state == s) return e.abbrev;
  }
  return "?";
}

bool ParseJobState(const std::string& text, JobState* out) {
  std::string up = ToUpper(text);
  for (const auto& e : kStates) {
    if (up == e.name || up == e.abbrev) {
      *out = e.state;
      return true;
    }
  }
  return false;
}

std::string NodeStateName(const NodeInfo& n) {
  if (n.state == NodeState::kDown) return n.drain ? "DOWN+DRAIN" : "DOWN";
  if (n.drain) {
    return (n.state == NodeState::kMixed || n.state == NodeState::kAllocated) ? "DRAINING"
                                                                              : "DRAINED";
  }
  if (n.fail) return n.state == NodeState::kAllocated ? "FAILING" : "FAIL";
  switch (n.state) {
    case NodeState::kUnknown:
      return "UNKNOWN";
    case NodeState::kIdle:
      return "IDLE";
    case NodeState::kMixed:
      return "MIXED";
    case NodeState::kAllocated:
      return "ALLOCATED";
    case NodeState::kDown:
      return "DOWN";
  }
  return "UNKNOWN";
}

}  // namespace herd::proto
