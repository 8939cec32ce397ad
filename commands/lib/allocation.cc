// herd commands — interactive allocations: submit, wait, cancel, release.
#include "commands/lib/allocation.h"

#include <algorithm>
#include <cstdio>

#include "common/base/hostlist.h"
#include "common/base/random.h"

namespace herd::cli {
namespace {

constexpr int kFirstPollMs = 50;
constexpr int kMaxPollMs = 200;

void Info(const AllocationRequest& how, const std::string& text) {
  if (!how.quiet) std::fprintf(stderr, "%s: %s\n", how.cmd.c_str(), text.c_str());
}

std::string Id(uint64_t job_id) { return std::to_string(job_id); }

bool Interrupting(const std::vector<int>& sigs) {
  for (int s : sigs) {
    if (s == SIGINT || s == SIGTERM || s == SIGHUP || s == SIGQUIT) return true;
  }
  return false;
}

void Cancel(Client* client, const AllocationRequest& how, uint64_t job_id) {
  proto::CancelJobsRequest req;
  req.filter.job_ids = {job_id};
  req.token = RandomNonZeroU64();  // the same in every resend of this request
  auto reply = client->Call<proto::CancelJobsReply>(req);
  if (!reply.ok()) {
    std::fprintf(stderr, "%s: error: cannot cancel job %s: %s\n", how.cmd.c_str(),
                 Id(job_id).c_str(), DescribeCallError(reply.error()).message().c_str());
  }
  // Printed even with --quiet: the user must know the request is gone.
  std::fprintf(stderr, "%s: Job allocation %s has been revoked.\n", how.cmd.c_str(),
               Id(job_id).c_str());
}

}  // namespace

proto::JobInfo InfoFromSubmitReply(const proto::SubmitJobReply& reply, const proto::JobSpec& spec) {
  proto::JobInfo info;
  info.job_id = reply.job_id;
  info.name = spec.name;
  info.partition = spec.partition;
  info.state = reply.state;
  info.alloc = reply.alloc;
  info.num_nodes = static_cast<uint32_t>(reply.alloc.size());
  info.cpus_per_task = spec.cpus_per_task;
  std::vector<std::string> names;
  for (const proto::NodeAlloc& a : reply.alloc) {
    names.push_back(a.node);
    info.num_tasks += a.tasks;
    info.num_cpus += static_cast<uint32_t>(a.cpus.size());
  }
  if (info.num_tasks == 0) info.num_tasks = spec.num_tasks != 0 ? spec.num_tasks : info.num_nodes;
  info.nodelist = CompressHostlist(names);
  info.work_dir = spec.work_dir;
  return info;
}

Result<proto::JobInfo> QueryJob(Client* client, uint64_t job_id) {
  proto::QueryJobsRequest req;
  req.filter.job_ids = {job_id};
  req.filter.include_finished = true;
  auto reply = client->Call<proto::QueryJobsReply>(req);
  if (!reply.ok()) return DescribeCallError(reply.error());
  for (const proto::JobInfo& j : reply->jobs) {
    if (j.job_id == job_id) return j;
  }
  return NotFound("job " + Id(job_id) + " is unknown to the controller");
}

bool Allocate(Client* client, SignalWatch* signals, const proto::JobSpec& spec,
              const AllocationRequest& how, Allocation* out, AllocFailure* failure) {
  const std::string what = how.style == AllocStyle::kHalloc ? "Job submit/allocate failed: "
                                                            : "Unable to allocate resources: ";
  if (Status nice = CheckNiceAllowed(spec.nice, client->config()); !nice.ok()) {
    failure->status = Status(nice.code(), what + nice.message());
    return false;
  }
  proto::SubmitJobRequest req;
  req.spec = spec;
  req.token = RandomNonZeroU64();  // the same in every resend of this submission
  Status size = CheckJobSize(client->config(), spec.script, spec.env, spec.argv);
  auto reply =
      size.ok() ? client->Call<proto::SubmitJobReply>(req) : Result<proto::SubmitJobReply>(size);
  if (!reply.ok()) {
    const Status st = DescribeCallError(reply.error());
    failure->status = Status(st.code(), what + st.message());
    return false;
  }
  const uint64_t id = reply->job_id;
  out->job_id = id;
  const bool at_once = reply->state == proto::JobState::kRunning && !reply->alloc.empty();
  if (!at_once) {
    if (how.style == AllocStyle::kHalloc) Info(how, "Pending job allocation " + Id(id));
    Info(how, "job " + Id(id) + " queued and waiting for resources");
    int wait_ms = kFirstPollMs;
    while (true) {
      if (Interrupting(signals->Wait(wait_ms))) {
        Cancel(client, how, id);
        failure->interrupted = true;
        failure->status = FailedPrecondition("interrupted");
        return false;
      }
      wait_ms = std::min(kMaxPollMs, wait_ms * 2);
      auto job = QueryJob(client, id);
      if (!job.ok()) {
        if (job.error().code() == Code::kNotFound) {
          failure->status = job.error();
          return false;
        }
        continue;  // the controller may be busy or failing over: keep waiting
      }
      if (job->state == proto::JobState::kRunning) {
        out->info = *job;
        break;
      }
      // Allocated, its PrologSlurmctld still running: granted once it succeeded.
      if (job->state == proto::JobState::kConfiguring) continue;
      if (job->state != proto::JobState::kPending) {
        std::string why = proto::JobStateName(job->state);
        if (!job->reason.empty() && job->reason != "None") why += " (" + job->reason + ")";
        failure->status =
            FailedPrecondition("Job allocation " + Id(id) + " has been revoked: job is " + why);
        return false;
      }
    }
    Info(how, "job " + Id(id) + " has been allocated resources");
  } else {
    auto job = QueryJob(client, id);
    out->info = job.ok() && !job->alloc.empty() ? *job : InfoFromSubmitReply(*reply, spec);
  }
  if (how.style == AllocStyle::kHalloc) Info(how, "Granted job allocation " + Id(id));
  return true;
}

void ReleaseAllocation(Client* client, const std::string& cmd, uint64_t job_id, int exit_code) {
  proto::AllocationDoneRequest req;
  req.job_id = job_id;
  req.exit_code = exit_code;
  auto reply = client->Call<proto::StatusReply>(req);
  if (!reply.ok()) {
    std::fprintf(stderr, "%s: error: cannot release job allocation %s: %s\n", cmd.c_str(),
                 Id(job_id).c_str(), DescribeCallError(reply.error()).message().c_str());
  }
}

}  // namespace herd::cli
