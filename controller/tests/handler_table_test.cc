// herd — the handler table: one handler per type, and the table the core registers.
#include "controller/handler_table.h"

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using proto::MsgType;

TEST(HandlerTable, OneHandlerPerType) {
  HandlerTable t;
  auto ok = [](const Identity&, const proto::Frame&) {
    return proto::MakeStatusFrame(Status::Ok(), 0);
  };
  ASSERT_TRUE(t.Add(MsgType::kPingRequest, HandlerRole::kRead, ok).ok());
  Status twice = t.Add(MsgType::kPingRequest, HandlerRole::kActive, ok);
  EXPECT_EQ(twice.code(), Code::kAlreadyExists) << twice.ToString();
  ASSERT_NE(t.Find(MsgType::kPingRequest), nullptr);
  EXPECT_EQ(t.Find(MsgType::kPingRequest)->role, HandlerRole::kRead);
  EXPECT_EQ(t.Find(MsgType::kSubmitJobRequest), nullptr);
}

// Which requests a passive answers is part of the protocol (doc/ha-clients.md): the
// table the core builds says it exactly.
TEST_F(CoreTest, EveryRequestHasItsHandlerAndRole) {
  const HandlerTable& t = core_->handlers();
  const std::vector<std::pair<MsgType, HandlerRole>> want = {
      {MsgType::kSubmitJobRequest, HandlerRole::kActive},
      {MsgType::kCancelJobsRequest, HandlerRole::kActive},
      {MsgType::kQueryJobsRequest, HandlerRole::kRead},
      {MsgType::kQueryNodesRequest, HandlerRole::kRead},
      {MsgType::kQueryPartitionsRequest, HandlerRole::kRead},
      {MsgType::kQueryConfigRequest, HandlerRole::kRead},
      {MsgType::kQueryAuditRequest, HandlerRole::kRead},
      {MsgType::kQueryPriorityRequest, HandlerRole::kRead},
      {MsgType::kQueryShareRequest, HandlerRole::kRead},
      {MsgType::kUpdateNodeRequest, HandlerRole::kActive},
      {MsgType::kUpdatePartitionRequest, HandlerRole::kActive},
      {MsgType::kUpdateReservationRequest, HandlerRole::kActive},
      {MsgType::kQueryReservationsRequest, HandlerRole::kRead},
      {MsgType::kAssocUpdateRequest, HandlerRole::kActive},
      {MsgType::kQueryAssocRequest, HandlerRole::kRead},
      {MsgType::kHoldJobsRequest, HandlerRole::kActive},
      {MsgType::kRequeueJobsRequest, HandlerRole::kActive},
      {MsgType::kUpdateJobRequest, HandlerRole::kActive},
      {MsgType::kPingRequest, HandlerRole::kRead},
      {MsgType::kStepCreateRequest, HandlerRole::kActive},
      {MsgType::kAllocationDoneRequest, HandlerRole::kActive},
      {MsgType::kQueryStepsRequest, HandlerRole::kRead},
      {MsgType::kRegisterNodeRequest, HandlerRole::kActive},
      {MsgType::kHeartbeatRequest, HandlerRole::kActive},
      {MsgType::kStepCompleteRequest, HandlerRole::kActive},
      {MsgType::kEpilogCompleteRequest, HandlerRole::kActive},
      {MsgType::kVoteRequest, HandlerRole::kAnyRole},
      {MsgType::kAppendRequest, HandlerRole::kAnyRole},
      {MsgType::kInstallSnapshotRequest, HandlerRole::kAnyRole},
      {MsgType::kHaStatusRequest, HandlerRole::kAnyRole},
      {MsgType::kTakeoverRequest, HandlerRole::kAnyRole},
  };
  EXPECT_EQ(t.Types().size(), want.size());
  for (const auto& [type, role] : want) {
    const HandlerTable::Entry* e = t.Find(type);
    ASSERT_NE(e, nullptr) << proto::MsgTypeName(type);
    EXPECT_EQ(e->role, role) << proto::MsgTypeName(type);
  }
}

}  // namespace
}  // namespace herd::ctld
