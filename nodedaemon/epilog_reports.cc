// herd — herdd tells the controller when an ended job run is gone from this node with its
// Epilog (EpilogCompleteRequest): the job is COMPLETING until every node has said so
// (controller/completing.h).
#include <algorithm>
#include <vector>

#include "common/base/log.h"
#include "common/proto/codec.h"
#include "nodedaemon/node_daemon.h"

namespace herd::noded {

void NodeDaemon::SendEpilogReports() {
  if (epilog_reports_.empty() || !registered_) return;
  const std::vector<std::pair<uint64_t, uint32_t>> owed(epilog_reports_.begin(),
                                                        epilog_reports_.end());
  for (const auto& run : owed) {
    const std::vector<SpoolStep> steps = JobRunSteps(spool_dir_, run.first, run.second);
    if (std::any_of(steps.begin(), steps.end(), [](const SpoolStep& s) { return !s.has_status; }))
      continue;  // its processes are still being ended
    if (JobHookRecordKept(spool_dir_, run.first, run.second)) continue;  // its Epilog runs
    proto::EpilogCompleteRequest req;
    req.node = node_.name;
    req.job_id = run.first;
    req.run_seq = run.second;
    auto frame = CallController(proto::MakeFrame(req, 0));
    if (!frame.ok()) return;  // tried again at the next timer
    Status st = net::StatusFromFrame(*frame);
    if (!st.ok()) {
      HERD_LOG(Warning) << "job " << run.first << ": Epilog end not taken: " << st.ToString();
      return;
    }
    epilog_reports_.erase(run);
  }
}

}  // namespace herd::noded
