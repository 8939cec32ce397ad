// herd fuzz — decoding a message body of any type, as a receiver would.
#pragma once

#include <string>

#include "common/proto/ha_messages.h"
#include "common/proto/messages.h"
#include "common/proto/step_messages.h"

namespace herd::fuzz {

// Every message struct (its MsgType is k<name>). message_bodies.cc fails to build when a
// MsgType has neither a struct here nor a case saying it has no body.
#define HERD_FUZZ_MESSAGE_TYPES(X) \
  X(NotActiveReply)                \
  X(HaStatusRequest)               \
  X(HaStatusReply)                 \
  X(TakeoverRequest)               \
  X(VoteRequest)                   \
  X(VoteReply)                     \
  X(AppendRequest)                 \
  X(AppendReply)                   \
  X(InstallSnapshotRequest)        \
  X(StatusReply)                   \
  X(SubmitJobRequest)              \
  X(SubmitJobReply)                \
  X(CancelJobsRequest)             \
  X(CancelJobsReply)               \
  X(HoldJobsRequest)               \
  X(RequeueJobsRequest)            \
  X(UpdateJobRequest)              \
  X(QueryJobsRequest)              \
  X(QueryJobsReply)                \
  X(QueryNodesRequest)             \
  X(QueryNodesReply)               \
  X(QueryPartitionsRequest)        \
  X(QueryPartitionsReply)          \
  X(QueryConfigRequest)            \
  X(QueryConfigReply)              \
  X(PingRequest)                   \
  X(UpdateNodeRequest)             \
  X(UpdatePartitionRequest)        \
  X(QueryAuditRequest)             \
  X(QueryAuditReply)               \
  X(AssocUpdateRequest)            \
  X(AssocUpdateReply)              \
  X(QueryAssocRequest)             \
  X(QueryAssocReply)               \
  X(QueryPriorityRequest)          \
  X(QueryPriorityReply)            \
  X(QueryShareRequest)             \
  X(QueryShareReply)               \
  X(UpdateReservationRequest)      \
  X(QueryReservationsRequest)      \
  X(QueryReservationsReply)        \
  X(RegisterNodeRequest)           \
  X(RegisterNodeReply)             \
  X(HeartbeatRequest)              \
  X(StepCompleteRequest)           \
  X(EpilogCompleteRequest)         \
  X(LaunchBatchRequest)            \
  X(SignalJobRequest)              \
  X(TerminateJobRequest)           \
  X(StepCreateRequest)             \
  X(StepCreateReply)               \
  X(AllocationDoneRequest)         \
  X(QueryStepsRequest)             \
  X(QueryStepsReply)               \
  X(LaunchStepRequest)             \
  X(StepHello)                     \
  X(TaskOutput)                    \
  X(TaskExit)                      \
  X(StepNodeDone)                  \
  X(StepAbort)                     \
  X(FenceContribution)             \
  X(FenceResult)                   \
  X(StdinData)                     \
  X(StepSignal)

enum class BodyVerdict { kDecoded, kRefused, kNoBodyType };

// Decodes `body` as the message struct of `type` and checks that what decodes encodes back
// canonically (aborts otherwise). kNoBodyType: a type number with no body struct.
BodyVerdict CheckBody(proto::MsgType type, const std::string& body);

}  // namespace herd::fuzz
