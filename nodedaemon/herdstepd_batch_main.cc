// herd — herdstepd-batch, the supervisor of batch steps: `herdstepd-batch --conf F --node N
// --dir STEPDIR` (started by herdd, runs as root). The same supervision as herdstepd's for
// a batch step, in an executable without hwloc and PMIx (see stepd/stepd_start.h).
#include <cstdio>

#include "nodedaemon/stepd/step.h"
#include "nodedaemon/stepd/stepd_start.h"

int main(int argc, char** argv) {
  auto st = herd::noded::StartStepd(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "herdstepd-batch: %s\n", st.error().message().c_str());
    return 1;
  }
  if (st->step_id != herd::proto::kBatchStep) {
    std::fprintf(stderr, "herdstepd-batch: %s is not a batch step (herdstepd runs job steps)\n",
                 st->dir.c_str());
    return 1;
  }
  herd::noded::StepDaemon step(std::move(st->config), st->conf, st->node, st->dir,
                               herd::noded::CpuMap::FromHerdd);
  return step.Run();
}
