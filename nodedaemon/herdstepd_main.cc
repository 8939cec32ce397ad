// herd — herdstepd, the step supervisor: `herdstepd --conf F --node N --dir STEPDIR`
// (started by herdd, runs as root). A batch step directory (job<ID>.<RUN>) runs the batch
// script; a step directory of hrun (job<ID>.<RUN>.<STEP>) runs that step's local tasks,
// bound through hwloc, with the PMIx server when the step asks for it.
#include <stdlib.h>

#include <cstdio>

#include "nodedaemon/stepd/step.h"
#include "nodedaemon/stepd/stepd_start.h"
#include "nodedaemon/stepd/task_step.h"

int main(int argc, char** argv) {
  // herdstepd needs only the CPU topology (binding). hwloc would otherwise dlopen its
  // XML, OpenCL, GL and PCI plugins (and their libraries, X11 among them) in every step:
  // ~8 ms of each launch. Tasks get an explicit environment, so this does not reach them.
  ::setenv("HWLOC_PLUGINS_BLACKLIST", "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml",
           /*overwrite=*/0);
  auto st = herd::noded::StartStepd(argc, argv);
  if (!st.ok()) {
    std::fprintf(stderr, "herdstepd: %s\n", st.error().message().c_str());
    return 1;
  }
  if (st->step_id != herd::proto::kBatchStep) {
    herd::noded::TaskStep step(std::move(st->config), st->conf, st->node, st->dir);
    return step.Run();
  }
  herd::noded::StepDaemon step(std::move(st->config), st->conf, st->node, st->dir,
                               herd::noded::CpuMap::FromHost);
  return step.Run();
}
