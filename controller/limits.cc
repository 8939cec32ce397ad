// herd — controller core: what one user can make the controller store (script and
// environment sizes, jobs per user, the free space kept on the state disk), and the
// controller's behaviour while its journal cannot be written (doc/limits.md).
//
// Writing fails (a full or failing state disk): the batch whose commit failed keeps its
// records in the store, which tries them again at every flush, and its replies and node
// messages wait for them. Meanwhile nothing new is recorded: requests that would change
// the state are refused with the cause, completions and registrations from node daemons
// and records from the active are not answered (their senders resend), no job is
// scheduled and no timer acts. Queries, pings and heartbeats are answered, running jobs
// run, and the lease is renewed. The first commit that succeeds ends it.
#include "common/base/log.h"
#include "controller/core.h"

namespace herd::ctld {

using proto::MsgType;

namespace {

// How often free space is asked of the file system (one statvfs).
constexpr int64_t kSpaceCheckMs = 50;
// How often a lasting write failure is logged again.
constexpr int64_t kStoreErrorLogMs = 60000;

uint64_t ListBytes(const std::vector<std::string>& v) {
  uint64_t n = 0;
  for (const std::string& s : v) n += s.size() + 1;  // as in an execve environment block
  return n;
}

std::string Mb(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB"; }

}  // namespace

Status CheckEnvSize(const ClusterConfig& config, const std::vector<std::string>& env) {
  const uint64_t n = ListBytes(env);
  if (n <= config.max_env_size) return Status::Ok();
  return InvalidArgument("Job environment is too large: " + std::to_string(n) +
                         " bytes, the limit (MaxEnvSize) is " +
                         std::to_string(config.max_env_size));
}

Status ControllerCore::CheckSubmitLimits(const Identity& who, const JobSpec& spec) {
  if (spec.script.size() > config_.max_script_size) {
    return InvalidArgument("Batch script is too large: " + std::to_string(spec.script.size()) +
                           " bytes, the limit (MaxScriptSize) is " +
                           std::to_string(config_.max_script_size));
  }
  HERD_RETURN_IF_ERROR(CheckEnvSize(config_, spec.env));
  if (ListBytes(spec.argv) > config_.max_env_size) {
    return InvalidArgument("Job arguments are too large: " + std::to_string(ListBytes(spec.argv)) +
                           " bytes, the limit (MaxEnvSize) is " +
                           std::to_string(config_.max_env_size));
  }
  const size_t live = state_.live_jobs(), mine = state_.LiveJobsOf(who.uid);
  if (live >= config_.max_job_count) {
    return ResourceExhausted("Resource temporarily unavailable: MaxJobCount (" +
                             std::to_string(config_.max_job_count) + ") reached");
  }
  const uint32_t per_user = config_.max_submit_jobs_per_user;
  if (per_user > 0 && mine >= per_user && !IsAdmin(who.uid)) {
    return ResourceExhausted("Job violates accounting/QOS policy (job submit limit): user " +
                             UserName(who.uid) + " has " + std::to_string(mine) +
                             " jobs pending or running, MaxSubmitJobsPerUser is " +
                             std::to_string(per_user));
  }
  // The journal record and the blob segment each hold the script and environment.
  const uint64_t need =
      2 * (spec.script.size() + ListBytes(spec.env) + ListBytes(spec.argv)) + 4096;
  // Fresh unless asked within kSpaceCheckMs: an idle controller last looked at its last
  // commit, and the disk may have filled since.
  RefreshSpace();
  if (space_known_) {
    if (space_avail_ < config_.state_dir_reserve + need) {
      return ResourceExhausted("Submissions are refused: the controller's state disk has " +
                               Mb(space_avail_) + " free, below StateDirReserve (" +
                               Mb(config_.state_dir_reserve) +
                               "); running jobs go on, try again later");
    }
    space_avail_ -= need;  // until the next look at the file system
  }
  return Status::Ok();
}

void ControllerCore::RefreshSpace(bool now) {
  const int64_t t = clock_.MonotonicMs();
  if (!now && t - space_checked_ms_ < kSpaceCheckMs) return;
  space_checked_ms_ = t;
  auto avail = store_.AvailableBytes();
  if (!avail.ok()) {
    space_known_ = false;
    return;
  }
  space_known_ = true;
  space_avail_ = *avail;
  const bool low = space_avail_ < config_.state_dir_reserve;
  if (low != space_low_) {
    space_low_ = low;
    if (low) {
      HERD_LOG(Warning) << "the state disk has " << Mb(space_avail_)
                        << " free, below StateDirReserve (" << Mb(config_.state_dir_reserve)
                        << "): refusing new submissions";
    } else {
      HERD_LOG(Info) << "the state disk has " << Mb(space_avail_)
                     << " free again: accepting submissions";
    }
  }
}

Status ControllerCore::StoreRefusal() const {
  return Unavailable("controller " + ha_->self() +
                     " cannot record changes: " + store_error_.message() +
                     " (its StateDir); changes are refused until it can, queries still work");
}

bool ControllerCore::RefusedWhileStoreFails(MsgType type, bool* silent) const {
  if (store_error_.ok()) return false;
  switch (type) {
    case MsgType::kAppendRequest:  // the passive's disk: the active sends them again
    case MsgType::kInstallSnapshotRequest:
      *silent = true;
      return true;
    default:
      break;
  }
  if (!ha_->Writable()) return false;  // NotActive, as always
  switch (type) {
    case MsgType::kStepCompleteRequest:  // node and step daemons resend until answered
    case MsgType::kEpilogCompleteRequest:
    case MsgType::kRegisterNodeRequest:
      *silent = true;
      return true;
    case MsgType::kSubmitJobRequest:
    case MsgType::kCancelJobsRequest:
    case MsgType::kHoldJobsRequest:
    case MsgType::kRequeueJobsRequest:
    case MsgType::kUpdateJobRequest:
    case MsgType::kUpdateNodeRequest:
    case MsgType::kUpdatePartitionRequest:
    case MsgType::kUpdateReservationRequest:
    case MsgType::kAssocUpdateRequest:
    case MsgType::kStepCreateRequest:
    case MsgType::kAllocationDoneRequest:
      *silent = false;
      return true;
    default:
      return false;
  }
}

void ControllerCore::StoreFailed(const Status& why, FlushResult* r) {
  const int64_t now = clock_.MonotonicMs();
  if (store_error_.ok()) {
    store_failed_ms_ = now;
    store_logged_ms_ = now;
    HERD_LOG(Error) << "cannot write the journal: " << why.ToString()
                    << "; refusing changes until it can (running jobs go on, queries are "
                       "answered)";
  } else if (now - store_logged_ms_ >= kStoreErrorLogMs) {
    store_logged_ms_ = now;
    HERD_LOG(Error) << "still cannot write the journal after " << (now - store_failed_ms_) / 1000
                    << " s: " << why.ToString();
  }
  store_error_ = why;
  // Replies of a batch that recorded something wait for its records; the others (queries,
  // refusals) need nothing durable. A refusal never waits: it promises nothing (a submission
  // refused below StateDirReserve must not hang because a node's record failed with it).
  output_.CommitFailed(journal_.emitted(), r);
  journal_.ClearEmitted();
  if (acting_) output_.Release(ha_->ReleasableSeq(), ha_->Writable(), r);  // earlier batches
  r->peer_messages = SignPeerMessages();
}

void ControllerCore::StoreRecovered() {
  store_error_ = Status::Ok();
  // The waiting replies go first, in their order, then this batch's.
  const size_t stalled = output_.CommitRecovered();
  HERD_LOG(Info) << "the journal is written again after "
                 << (clock_.MonotonicMs() - store_failed_ms_) / 1000 << " s: accepting changes ("
                 << stalled << " waiting replies sent)";
  need_schedule_ = true;
  RefreshSpace(true);
}

}  // namespace herd::ctld
