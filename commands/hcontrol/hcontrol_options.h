// herd hcontrol — its command line (scontrol's): global options, then one command:
// show job|node|partition|config|audit [NAME], update NodeName=... | PartitionName=...,
// create|delete [partition] PartitionName=..., create|update|delete reservation
// (hcontrol_resv.h), write config [FILE], hold|uhold|release|requeue|requeuehold JOBIDS,
// ping, takeover [NAME]. Keys and words are case-insensitive; everything is checked here,
// before the controller is asked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hcontrol {

enum class Verb {
  kNone,
  kShow,
  kUpdateNode,
  kUpdatePartition,
  kUpdateJob,
  kHold,
  kRelease,
  kRequeue,  // requeue and requeuehold (requeue_hold)
  kPing,
  kTakeover,
  kKeygen,
  kWriteConfig,
  kReservation,  // create, update or delete (resv_update.op)
};
// kHostnames / kHostlist (show hostnames|hostlist LIST) are answered without the
// controller: one name per line, or the compressed expression.
enum class Entity {
  kJob,
  kNode,
  kPartition,
  kConfig,
  kAudit,
  kReservation,
  kHostnames,
  kHostlist,
  kHostlistSorted
};

struct HcontrolCommand {
  Verb verb = Verb::kNone;
  // show
  Entity entity = Entity::kJob;
  std::string name;     // empty: all
  uint64_t job_id = 0;  // show job ID
  // show job ID_TASK (an array's task, job_id its array's id); kNoArrayTask: not one.
  uint32_t task_id = proto::kNoArrayTask;
  // update
  proto::UpdateNodeRequest node_update;
  proto::UpdatePartitionRequest partition_update;
  proto::UpdateJobRequest job_update;
  proto::UpdateReservationRequest resv_update;
  // show audit [since=] [user=] [entity=]
  proto::QueryAuditRequest audit;
  // write config [FILE]: where the merged herd.conf goes ("" = beside herd.conf, dated)
  std::string write_to;
  // hold / uhold / release / requeue / requeuehold
  std::vector<uint64_t> job_ids;
  std::vector<proto::ArrayTaskIds> task_ids;  // 123_4, 123_[1-5]
  bool user_hold = false;     // uhold: held as by its user (the user may release it)
  bool requeue_hold = false;  // requeuehold
  // takeover [NAME]: the controller to hand the active role to ("" = the other one)
  std::string takeover_to;
  // keygen [--force] [NAME...]: the daemons to make key pairs for (empty: all of the
  // configuration's that have none); --force replaces existing pairs
  std::vector<std::string> keygen_names;
  bool keygen_force = false;
  // global options
  bool oneliner = false;
  int details = 0;            // -d, -dd
  bool from_passive = false;  // --from-passive: show may be answered by the passive
  bool help = false;
  bool version = false;
};

Result<HcontrolCommand> ParseHcontrolArgs(const std::vector<std::string>& args);

std::string HcontrolUsage();

}  // namespace herd::hcontrol
