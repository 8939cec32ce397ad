// herd — `herdctld --salvage` (see salvage.h and doc/processes.md, "State directory").
#include "controller/salvage.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "common/base/fs.h"
#include "common/proto/codec.h"
#include "controller/state/cluster_state.h"
#include "controller/state/events.h"
#include "controller/store/blob_store.h"
#include "controller/store/file_state_store.h"

namespace herd::ctld {
namespace {

template <class E>
Result<uint64_t> JobIdOf(const std::string& body) {
  auto e = proto::DecodeBodyAs<E>(body, RecordTypeName(static_cast<uint16_t>(E::kType)));
  if (!e.ok()) return e.error();
  return e->job_id;
}

std::string UtcStamp() {
  std::time_t now = std::time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// Copies the journal, checkpoint and vote files, and hard-links the job blob segments
// (never changed in place once written), into a new directory.
Result<std::string> KeepCopy(const std::string& dir) {
  std::string copy = dir + "/salvage-" + UtcStamp();
  for (int n = 1; ::access(copy.c_str(), F_OK) == 0; ++n) {
    copy = dir + "/salvage-" + UtcStamp() + "." + std::to_string(n);
  }
  HERD_RETURN_IF_ERROR(MakeDirs(copy + "/jobs", 0700));
  for (const char* name : {"checkpoint", "journal", "vote"}) {
    auto bytes = ReadFile(dir + "/" + name);
    if (!bytes.ok()) {
      if (bytes.error().code() == Code::kNotFound) continue;
      return bytes.error();
    }
    HERD_RETURN_IF_ERROR(WriteFileAtomic(copy + "/" + name, *bytes, true));
  }
  if (DIR* d = ::opendir((dir + "/jobs").c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("seg-", 0) != 0) continue;
      if (::link((dir + "/jobs/" + name).c_str(), (copy + "/jobs/" + name).c_str()) != 0) {
        Status s = Internal("cannot link " + dir + "/jobs/" + name + " into " + copy + ": " +
                            std::strerror(errno));
        ::closedir(d);
        return s;
      }
    }
    ::closedir(d);
  }
  return copy;
}

std::string Describe(const Job* j) {
  if (j == nullptr) return "unknown to the salvaged state";
  return std::string("now ") + proto::JobStateName(j->state);
}

}  // namespace

const char* RecordTypeName(uint16_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kJobSubmitted:
      return "JobSubmitted";
    case EventType::kJobStarted:
      return "JobStarted";
    case EventType::kJobEnded:
      return "JobEnded";
    case EventType::kJobRequeued:
      return "JobRequeued";
    case EventType::kJobHold:
      return "JobHold";
    case EventType::kJobRequeueAsked:
      return "JobRequeueAsked";
    case EventType::kJobKillIntent:
      return "JobKillIntent";
    case EventType::kNodeUpdated:
      return "NodeUpdated";
    case EventType::kPartitionUpdated:
      return "PartitionUpdated";
    case EventType::kStepStarted:
      return "StepStarted";
    case EventType::kStepNodeEnded:
      return "StepNodeEnded";
    case EventType::kLaunchConfirmed:
      return "LaunchConfirmed";
    case EventType::kAcctStored:
      return "AcctStored";
    case EventType::kJobUpdated:
      return "JobUpdated";
    case EventType::kPartitionDefined:
      return "PartitionDefined";
    case EventType::kPartitionDeleted:
      return "PartitionDeleted";
    case EventType::kAuditRecorded:
      return "AuditRecorded";
    case EventType::kAssocDefined:
      return "AssocDefined";
    case EventType::kAssocDeleted:
      return "AssocDeleted";
    case EventType::kJobCompleting:
      return "JobCompleting";
    case EventType::kEpilogNodeDone:
      return "EpilogNodeDone";
    case EventType::kCtldHookOwed:
      return "CtldHookOwed";
    case EventType::kCtldHookDone:
      return "CtldHookDone";
    case EventType::kArrayTasksSplit:
      return "ArrayTasksSplit";
    case EventType::kReservationDefined:
      return "ReservationDefined";
    case EventType::kReservationDeleted:
      return "ReservationDeleted";
  }
  return "unknown";
}

Result<uint64_t> JobOfRecord(uint16_t type, const std::string& body) {
  switch (static_cast<EventType>(type)) {
    case EventType::kJobSubmitted: {
      auto e = proto::DecodeBodyAs<JobSubmitted>(body, "JobSubmitted");
      if (!e.ok()) return e.error();
      return e->job.id;
    }
    case EventType::kJobStarted:
      return JobIdOf<JobStarted>(body);
    case EventType::kJobEnded:
      return JobIdOf<JobEnded>(body);
    case EventType::kJobRequeued:
      return JobIdOf<JobRequeued>(body);
    case EventType::kJobHold:
      return JobIdOf<JobHold>(body);
    case EventType::kJobRequeueAsked:
      return JobIdOf<JobRequeueAsked>(body);
    case EventType::kJobKillIntent:
      return JobIdOf<JobKillIntent>(body);
    case EventType::kJobUpdated:
      return JobIdOf<JobUpdated>(body);
    case EventType::kStepStarted:
      return JobIdOf<StepStarted>(body);
    case EventType::kStepNodeEnded:
      return JobIdOf<StepNodeEnded>(body);
    case EventType::kLaunchConfirmed:
      return JobIdOf<LaunchConfirmed>(body);
    case EventType::kJobCompleting:
      return JobIdOf<JobCompleting>(body);
    case EventType::kEpilogNodeDone:
      return JobIdOf<EpilogNodeDone>(body);
    case EventType::kCtldHookOwed:
      return JobIdOf<CtldHookOwed>(body);
    case EventType::kCtldHookDone:
      return JobIdOf<CtldHookDone>(body);
    case EventType::kArrayTasksSplit: {
      auto e = proto::DecodeBodyAs<ArrayTasksSplit>(body, "ArrayTasksSplit");
      if (!e.ok()) return e.error();
      return e->array_job_id;
    }
    case EventType::kNodeUpdated:
    case EventType::kPartitionUpdated:
    case EventType::kPartitionDefined:
    case EventType::kPartitionDeleted:
    case EventType::kAuditRecorded:
    case EventType::kAssocDefined:
    case EventType::kAssocDeleted:
    case EventType::kReservationDefined:
    case EventType::kReservationDeleted:
    case EventType::kAcctStored:  // about several jobs, none of which it changes
      return uint64_t{0};
  }
  return InvalidArgument("unknown record type " + std::to_string(type));
}

Status SalvageStateDir(const ClusterConfig& config, const std::string& dir, std::ostream& out) {
  auto store = FileStateStore::Open(dir);
  if (!store.ok()) return store.error();
  auto scan = (*store)->ScanForSalvage();
  if (!scan.ok()) return scan.error();
  out << "salvage of " << dir << "\n";
  if (scan->problems.empty()) {
    out << "nothing to salvage: the journal and checkpoint are intact (nothing changed)\n";
    return Status::Ok();
  }
  auto copy = KeepCopy(dir);
  if (!copy.ok()) return copy.error();
  out << "copy of the damaged files kept in " << *copy << "\n";
  for (const std::string& p : scan->problems) out << "found: " << p << "\n";

  auto state_ptr = std::make_unique<ClusterState>(config);
  Recovered& kept = scan->kept;
  if (!kept.checkpoint.empty()) {
    Status s = state_ptr->Restore(kept.checkpoint);
    if (!s.ok()) {
      out << "found: the checkpoint does not decode (" << s.message()
          << "): dropped, and with it every job it held (their ids are unknown)\n";
      state_ptr = std::make_unique<ClusterState>(config);
    }
  }
  ClusterState& state = *state_ptr;
  size_t applied = 0;
  for (const JournalRecord& r : kept.records) {
    Status s = state.ApplyRecord(r.type, r.body);
    if (s.ok()) {
      applied++;
      continue;
    }
    auto job = JobOfRecord(r.type, r.body);
    out << "kept record " << r.seq << " (" << RecordTypeName(r.type);
    if (job.ok() && *job != 0) out << ", job " << *job;
    out << ") does not apply: " << s.message() << "\n";
  }
  out << "kept: checkpoint up to record " << kept.checkpoint_seq << ", " << applied << " of "
      << kept.records.size() << " valid journal records after it applied\n";

  // What each lost record was about.
  std::map<uint64_t, bool> lost_jobs;  // job -> its submission is lost
  std::set<uint64_t> described;
  for (const JournalRecord& r : scan->lost) {
    described.insert(r.seq);
    auto job = JobOfRecord(r.type, r.body);
    if (!job.ok()) {
      out << "dropped record " << r.seq << " (" << RecordTypeName(r.type)
          << "): damaged beyond decoding, its job is unknown\n";
      continue;
    }
    if (*job == 0) {
      out << "dropped record " << r.seq << " (" << RecordTypeName(r.type)
          << "): a node or partition change, not a job\n";
      continue;
    }
    const Job* j = state.FindJob(*job);
    const bool submission = r.type == static_cast<uint16_t>(EventType::kJobSubmitted);
    if (submission && j == nullptr) {
      out << "dropped record " << r.seq << " (JobSubmitted): job " << *job
          << " is LOST (its submission was acknowledged, nothing else remains of it)\n";
    } else {
      out << "dropped record " << r.seq << " (" << RecordTypeName(r.type) << "): job " << *job
          << " loses this update, " << Describe(j) << "\n";
    }
    lost_jobs[*job] = lost_jobs[*job] || (submission && j == nullptr);
  }
  for (const auto& [from, to] : scan->missing) {
    for (uint64_t s = from; s <= to && s - from < 1000; ++s) {
      if (!described.count(s)) {
        out << "dropped record " << s << ": nothing of it is left, its job is unknown\n";
      }
    }
  }

  // Job scripts: the kept submissions hold a copy of their job's blob.
  BlobStore blobs(dir + "/jobs");
  HERD_RETURN_IF_ERROR(blobs.Init());
  for (const JournalRecord& r : kept.records) {
    if (r.type != static_cast<uint16_t>(EventType::kJobSubmitted)) continue;
    auto e = proto::DecodeBodyAs<JobSubmitted>(r.body, "JobSubmitted");
    if (!e.ok()) continue;
    const Job* j = state.FindJob(e->job.id);
    if (j == nullptr || !state.BlobNeeded(j->id) || blobs.Read(j->id).ok()) continue;
    HERD_RETURN_IF_ERROR(blobs.Write(j->id, {e->script, e->argv, e->env}));
  }
  blobs.RetainOnly([&state](uint64_t id) { return state.BlobNeeded(id); });
  size_t pending = 0, running = 0;
  for (const auto& [id, j] : state.jobs()) {
    if (j.state == JobState::kPending) pending++;
    if (j.state == JobState::kRunning) running++;
    if (proto::IsFinished(j.state) || j.spec.interactive) continue;
    auto b = blobs.Read(j.blob_id());
    if (!b.ok()) {
      out << "job " << id << " (" << proto::JobStateName(j.state) << "): its batch script is lost ("
          << b.error().message() << "); it ends FAILED when it would start\n";
    }
  }
  HERD_RETURN_IF_ERROR((*store)->Install(state.Snapshot(), scan->last_seq));
  size_t lost = 0;
  for (const auto& [id, gone] : lost_jobs) lost += gone ? 1 : 0;
  out << "lost jobs: " << lost << ", jobs with lost updates: " << (lost_jobs.size() - lost) << "\n";
  out << "written: a checkpoint up to record " << scan->last_seq << " (" << state.jobs().size()
      << " jobs: " << pending << " pending, " << running
      << " running) and an empty journal; herdctld can start\n";
  return Status::Ok();
}

}  // namespace herd::ctld
