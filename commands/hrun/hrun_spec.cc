// herd hrun — the JobSpec and StepSpec.
#include "commands/hrun/hrun_spec.h"

#include "commands/hbatch/hbatch_script.h"
#include "commands/lib/cli.h"
#include "commands/lib/env_list.h"
#include "common/base/strings.h"

namespace herd::hrun {
namespace {

// The first of `names` that is set, as a count; nullopt when none is set or it is not a
// positive number (a stale or foreign value must not break hrun).
std::optional<uint32_t> EnvCount(const std::vector<std::string>& env,
                                 std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto v = cli::LookupEnv(env, name);
    if (!v) continue;
    auto n = ParseUint(Trim(*v), UINT32_MAX);
    if (n.ok() && *n > 0) return static_cast<uint32_t>(*n);
    return std::nullopt;
  }
  return std::nullopt;
}

std::string WorkDir(const HrunOptions& o, const HrunContext& ctx) {
  return o.chdir ? cli::AbsolutePath(*o.chdir, ctx.cwd) : ctx.cwd;
}

Result<std::string> MpiType(const HrunOptions& o, const HrunContext& ctx) {
  if (o.mpi) return *o.mpi;
  for (const char* name : {"HERD_MPI_TYPE", "SLURM_MPI_TYPE"}) {
    if (auto v = cli::LookupEnv(ctx.env, name)) {
      auto t = ParseMpiType(*v);
      if (!t.ok()) return InvalidArgument(name + std::string(": ") + t.error().message());
      return *t;
    }
  }
  auto t = ParseMpiType(ctx.mpi_default);
  if (!t.ok() || *t == "list") return std::string("none");
  return *t;
}

}  // namespace

Result<std::optional<uint64_t>> TargetJob(const HrunOptions& o,
                                          const std::vector<std::string>& env) {
  if (o.jobid) return std::optional<uint64_t>(*o.jobid);
  for (const char* name : {"HERD_JOB_ID", "SLURM_JOB_ID", "SLURM_JOBID"}) {
    auto v = cli::LookupEnv(env, name);
    if (!v || Trim(*v).empty()) continue;
    auto id = ParseUint(Trim(*v));
    if (!id.ok() || *id == 0) {
      return InvalidArgument(std::string("invalid job id in ") + name + ": '" + *v + "'");
    }
    return std::optional<uint64_t>(*id);
  }
  return std::optional<uint64_t>();
}

Result<proto::JobSpec> BuildHrunJobSpec(const HrunOptions& o, const HrunContext& ctx) {
  HERD_ASSIGN_OR_RETURN(std::vector<std::string> env,
                        hbatch::ExportEnvironment(o.export_spec.value_or("ALL"), ctx.env));
  proto::JobSpec spec = cli::BuildAllocationSpec(o.alloc, cli::BaseName(o.argv.at(0)), o.argv,
                                                 std::move(env), ctx.cwd, WorkDir(o, ctx));
  spec.export_spec = o.export_spec.value_or("ALL");
  return spec;
}

Result<proto::StepSpec> BuildStepSpec(const HrunOptions& o, const HrunContext& ctx, bool in_job) {
  proto::StepSpec spec;
  const cli::AllocOptions& a = o.alloc;
  spec.name = a.job_name.value_or(cli::BaseName(o.argv.at(0)));
  spec.argv = o.argv;
  HERD_ASSIGN_OR_RETURN(spec.env,
                        hbatch::ExportEnvironment(o.export_spec.value_or("ALL"), ctx.env));
  spec.cwd = WorkDir(o, ctx);
  spec.umask = cli::CurrentUmask();  // the tasks and the files they create use it
  spec.num_tasks = a.ntasks.value_or(0);
  spec.cpus_per_task = a.cpus_per_task.value_or(1);
  spec.ntasks_per_node = a.ntasks_per_node.value_or(0);
  if (in_job) {
    // Within a job the step takes part of its nodes; outside, the job itself was sized.
    if (a.nodes) spec.num_nodes = a.nodes->first;
    spec.nodelist = a.nodelist.value_or("");
    spec.exclude = a.exclude.value_or("");
    const bool placed = a.nodes || a.nodelist || a.ntasks_per_node;
    if (!a.ntasks && !placed) {
      spec.num_tasks = EnvCount(ctx.env, {"HERD_NTASKS", "SLURM_NTASKS"}).value_or(0);
    }
    if (!a.cpus_per_task) {
      spec.cpus_per_task =
          EnvCount(ctx.env, {"HERD_CPUS_PER_TASK", "SLURM_CPUS_PER_TASK"}).value_or(1);
    }
  }
  spec.exclusive = a.exclusive;
  spec.overlap = o.overlap;
  spec.distribution = o.distribution.value_or("block");
  spec.cpu_bind = o.cpu_bind.value_or("cores");
  HERD_ASSIGN_OR_RETURN(spec.mpi, MpiType(o, ctx));
  spec.label = o.label;
  spec.kill_on_bad_exit = o.kill_on_bad_exit.value_or(false);
  spec.stdout_pattern = o.output.value_or("");
  spec.stderr_pattern = o.error.value_or("");
  spec.stdin_pattern = o.input.value_or("");
  spec.time_limit_s = a.time_limit_s.value_or(-1);
  return spec;
}

void FitStepToAllocation(const proto::JobInfo& job, proto::StepSpec* spec) {
  if (!job.alloc.empty()) spec->num_nodes = static_cast<uint32_t>(job.alloc.size());
  if (spec->num_tasks != 0) return;
  uint32_t placed = 0;
  for (const proto::NodeAlloc& a : job.alloc) placed += a.tasks;
  spec->num_tasks = placed != 0 ? placed : job.num_tasks;
}

}  // namespace herd::hrun
