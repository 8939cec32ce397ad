// herd fuzz — hqueue's command line (one word per input line) and its format strings: the
// options' -o format, and the whole input as a format, rendered over a few jobs.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "commands/hqueue/hqueue_format.h"
#include "commands/hqueue/hqueue_options.h"
#include "testsuite/fuzz/fuzz_util.h"

namespace {

using namespace herd;

std::vector<proto::JobInfo> SampleJobs() {
  proto::JobInfo pending;
  pending.job_id = 12;
  pending.name = "sim";
  pending.user = "alice";
  pending.partition = "debug";
  pending.reason = "Priority";
  pending.submit_time = 1000;
  pending.time_limit_s = 600;
  pending.num_nodes = 2;
  proto::JobInfo running = pending;
  running.job_id = 13;
  running.state = proto::JobState::kRunning;
  running.start_time = 1100;
  running.nodelist = "n[1-2]";
  running.alloc = {{"n1", {0, 1}, 100, 1}, {"n2", {0}, 100, 1}};
  running.time_limit_s = -1;
  proto::JobInfo ended = running;
  ended.job_id = 14;
  ended.state = proto::JobState::kFailed;
  ended.end_time = 1200;
  ended.exit_code = 3;
  return {pending, running, ended};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<proto::JobInfo> jobs = SampleJobs();
  const int64_t now = 1300;
  const std::string text = fuzz::AsString(data, size);
  auto o = hqueue::ParseHqueueArgs(fuzz::SplitArgs(text));
  if (o.ok()) {
    for (const auto& j : jobs) (void)hqueue::JobSelected(j, *o);
    if (!o->format.empty()) (void)hqueue::RenderJobs(jobs, now, o->format, !o->noheader);
  }
  (void)hqueue::RenderJobs(jobs, now, text, true);
  return 0;
}
