// herd heff — seff's interface: one job's CPU and memory efficiency from the accounting
// database (commands/heff/heff_format.h). `heff [-h] [-v] [-d] JOBID`.
#include <cstdio>
#include <ctime>

#include "commands/hacct/acct_open.h"
#include "commands/hacct/hacct_fields.h"
#include "commands/heff/heff_format.h"
#include "commands/lib/cli.h"
#include "commands/lib/dialect.h"

namespace {

const char* Cmd() { return herd::cli::Name().c_str(); }

int Usage() {
  std::printf(
      "Usage: %s [Options] <Jobid>\n"
      "       Options:\n"
      "       -h    Help menu\n"
      "       -v    Version\n"
      "       -d    Debug mode: display raw data\n"
      "       --conf=FILE  herd.conf to read\n",
      Cmd());
  return 1;  // as seff: help and misuse both exit 1
}

}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  cli::InitName(argv[0], "heff", "seff");
  bool help = false, version = false, debug = false;
  const struct option longopts[] = {{nullptr, 0, nullptr, 0}};
  std::vector<std::string> words;
  Status parsed = cli::RunGetopt(
      Cmd(), cli::Args(argc, argv), "hvd", longopts, /*stop_at_positional=*/false,
      [&](int opt, const char*) -> Status {
        help |= opt == 'h';
        version |= opt == 'v';
        debug |= opt == 'd';
        return Status::Ok();
      },
      &words);
  if (!parsed.ok()) return cli::ReportStatus(Cmd(), parsed);
  if (version) {
    std::printf("%s %s\n", Cmd(), cli::kVersionString);
    return 1;
  }
  if (help || words.size() != 1) return Usage();
  auto id = cli::ParseJobId(words[0]);
  if (!id.ok()) return cli::ReportError(Cmd(), id.error().message());

  auto opened = hacct::OpenConfiguredStore();
  if (!opened.ok()) return cli::ReportError(Cmd(), opened.error().message());
  ctld::acct::JobQuery q;
  q.job_ids = {*id};
  auto found = opened->store->Jobs(q);
  if (!found.ok()) return cli::ReportError(Cmd(), found.error().message());
  if (found->empty()) {
    std::fputs("Job not found.\n", stderr);
    return 2;
  }
  const ctld::acct::JobRow& job = found->front();
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (debug) {
    const heff::Efficiency e = heff::EfficiencyOf(job, now);
    std::printf(
        "Data: JobID User Gid State Cluster Ncpus Nnodes ReqMemKB PerNode Cput Walltime Mem "
        "ExitStatus\nData: %llu %s %u %d %s %u %u %lld %d %lld %lld %lld %d\n\n",
        static_cast<unsigned long long>(job.job_id), job.user.c_str(), job.gid, job.state,
        opened->config.cluster_name.c_str(), e.cpus, e.nodes,
        static_cast<long long>(e.alloc_mem_kb), e.mem_per_cpu ? 0 : 1,
        static_cast<long long>(e.cpu_s), static_cast<long long>(e.walltime_s),
        static_cast<long long>(e.mem_kb), job.exit_status >> 8);
  }
  std::fputs(
      heff::FormatEfficiency(job, opened->config.cluster_name, hacct::GroupName(job.gid), now)
          .c_str(),
      stdout);
  return 0;
}
