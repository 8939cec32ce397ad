// herd hrun — allocation, step creation and the step's session.
#include "commands/hrun/hrun_run.h"

#include <algorithm>
#include <cstdio>

#include "commands/hrun/io_endpoint.h"
#include "commands/hrun/step_session.h"
#include "commands/lib/allocation.h"
#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"
#include "common/base/random.h"

namespace herd::hrun {
namespace {

// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }
constexpr int kFirstRetryMs = 200;
constexpr int kMaxRetryMs = 1000;

bool Interrupting(const std::vector<int>& sigs) {
  return std::any_of(sigs.begin(), sigs.end(), [](int s) {
    return s == SIGINT || s == SIGTERM || s == SIGHUP || s == SIGQUIT;
  });
}

StdinMode StdinModeOf(const proto::StepSpec& spec) {
  if (spec.stdin_pattern.empty()) return StdinMode::kForward;
  if (spec.stdin_pattern == "none") return StdinMode::kNone;
  return StdinMode::kElsewhere;
}

std::string Nodes(const std::vector<proto::StepNode>& layout) {
  std::string out;
  for (const proto::StepNode& n : layout) out += (out.empty() ? "" : ",") + n.node;
  return out;
}

// The step in job `job_id`, created and run; hrun's exit code.
int RunStep(const HrunOptions& o, cli::Client* client, cli::SignalWatch* signals, uint64_t job_id,
            const proto::StepSpec& spec, IoRouter* router) {
  bool interrupted = false;
  auto step = CreateStep(client, signals, job_id, spec, o.quiet, &interrupted);
  if (!step.ok()) {
    if (interrupted) return 1;
    return cli::ReportError(Cmd(), "Unable to create step for job " + std::to_string(job_id) +
                                       ": " + step.error().message());
  }
  SessionSettings s;
  s.job_id = job_id;
  s.step_id = step->step_id;
  s.token = step->token;
  s.layout = step->layout;
  s.num_tasks = step->num_tasks;
  if (s.num_tasks == 0) {
    for (const proto::StepNode& n : s.layout) s.num_tasks += static_cast<uint32_t>(n.tasks.size());
  }
  s.label = o.label;
  s.unbuffered = o.unbuffered;
  s.kill_on_bad_exit = spec.kill_on_bad_exit;
  s.quiet = o.quiet;
  s.verbose = o.verbose;
  s.wait_s = o.wait_s;
  s.stdin_mode = StdinModeOf(spec);
  if (o.verbose > 0) {
    std::fprintf(stderr, "%s: step %llu.%u: %u tasks on nodes(%zu): %s; I/O at %s\n", Cmd(),
                 static_cast<unsigned long long>(job_id), s.step_id, s.num_tasks, s.layout.size(),
                 Nodes(s.layout).c_str(), spec.io_addr.c_str());
  }
  if (s.layout.empty()) return cli::ReportError(Cmd(), "the controller gave the step no nodes");
  StepSession session(std::move(s), router, signals);
  return session.Run();
}

}  // namespace

Result<proto::StepCreateReply> CreateStep(cli::Client* client, cli::SignalWatch* signals,
                                          uint64_t job_id, const proto::StepSpec& spec, bool quiet,
                                          bool* interrupted) {
  proto::StepCreateRequest req;
  req.job_id = job_id;
  req.spec = spec;
  req.token = RandomNonZeroU64();  // the same in every resend (and retry) of this request
  if (Status size = cli::CheckJobSize(client->config(), "", spec.env, spec.argv); !size.ok()) {
    return size;
  }
  bool retrying = false;
  int wait_ms = kFirstRetryMs;
  while (true) {
    auto reply = client->Call<proto::StepCreateReply>(req);
    if (reply.ok()) {
      if (retrying && !quiet) {
        std::fprintf(stderr, "%s: Step created for StepId=%llu.%u\n", Cmd(),
                     static_cast<unsigned long long>(job_id), reply->step_id);
      }
      return reply;
    }
    if (reply.error().code() != Code::kResourceExhausted) {
      return cli::DescribeCallError(reply.error());
    }
    if (!retrying && !quiet) {
      std::fprintf(stderr, "%s: Job step creation temporarily disabled, retrying\n", Cmd());
    }
    retrying = true;
    if (Interrupting(signals->Wait(wait_ms))) {
      *interrupted = true;
      return FailedPrecondition("interrupted");
    }
    wait_ms = std::min(kMaxRetryMs, wait_ms * 2);
  }
}

int RunHrun(const HrunOptions& o, const HrunContext& ctx, cli::Client* client,
            cli::SignalWatch* signals) {
  auto target = TargetJob(o, ctx.env);
  if (!target.ok()) return cli::ReportError(Cmd(), target.error().message());
  const bool standalone = !target->has_value();
  auto spec = BuildStepSpec(o, ctx, !standalone);
  if (!spec.ok()) return cli::ReportStatus(Cmd(), spec.error());

  // The nodes connect here; it exists before the step does.
  auto host = ChooseIoHost(client->config(), ctx.env);
  if (!host.ok()) return cli::ReportError(Cmd(), host.error().message());
  auto io = BindIoEndpoint(*host);
  if (!io.ok()) return cli::ReportError(Cmd(), io.error().message());
  spec->io_addr = (*io)->address();
  spec->io_key = (*io)->public_key();

  if (!standalone) return RunStep(o, client, signals, **target, *spec, io->get());

  auto job_spec = BuildHrunJobSpec(o, ctx);
  if (!job_spec.ok()) return cli::ReportStatus(Cmd(), job_spec.error());
  cli::AllocationRequest how;
  how.cmd = Cmd();
  how.style = cli::AllocStyle::kHrun;
  how.quiet = o.quiet;
  cli::Allocation alloc;
  cli::AllocFailure failure;
  if (!cli::Allocate(client, signals, *job_spec, how, &alloc, &failure)) {
    if (failure.interrupted) return 1;
    return cli::ReportError(Cmd(), failure.status.message());
  }
  FitStepToAllocation(alloc.info, &*spec);
  const int code = RunStep(o, client, signals, alloc.job_id, *spec, io->get());
  cli::ReleaseAllocation(client, Cmd(), alloc.job_id, code);
  return code;
}

}  // namespace herd::hrun
