// herd — herdstepd, the step supervisor: `herdstepd --conf F --node N --dir STEPDIR`
// (started by herdd, runs as root). A batch step directory (job<ID>.<RUN>) runs the batch
// script; a step directory of hrun (job<ID>.<RUN>.<STEP>) runs that step's local tasks.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/config/config.h"
#include "nodedaemon/spool.h"
#include "nodedaemon/stepd/step.h"
#include "nodedaemon/stepd/task_step.h"

namespace {

int Fail(const std::string& line) {
  std::fprintf(stderr, "herdstepd: %s\n", line.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything else: signals are taken synchronously by the supervision loop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // herdstepd needs only the CPU topology (binding). hwloc would otherwise dlopen its
  // XML, OpenCL, GL and PCI plugins (and their libraries, X11 among them) in every step:
  // ~8 ms of each launch. Tasks get an explicit environment, so this does not reach them.
  ::setenv("HWLOC_PLUGINS_BLACKLIST", "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml",
           /*overwrite=*/0);
  // Descriptors 0-2 are always taken, so no pipe of a task can land on them.
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }

  std::string conf;
  std::string node;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string* target = arg == "--conf"   ? &conf
                          : arg == "--node" ? &node
                          : arg == "--dir"  ? &dir
                                            : nullptr;
    if (target == nullptr) return Fail("unknown option '" + arg + "'");
    if (i + 1 >= argc) return Fail("option " + arg + " needs a value");
    *target = argv[++i];
  }
  if (node.empty() || dir.empty()) {
    return Fail("usage: herdstepd --conf FILE --node NODE --dir STEPDIR");
  }
  if (conf.empty()) conf = herd::DefaultConfigPath();
  if (char* abs = ::realpath(dir.c_str(), nullptr)) {
    dir = abs;
    ::free(abs);
  }

  auto config = herd::LoadConfig(conf);
  if (!config.ok()) return Fail(config.error().message());
  herd::SetLogComponent("herdstepd(" + node + " " + dir.substr(dir.find_last_of('/') + 1) + ")");
  if (!config->log_dir.empty()) {
    std::string path = config->log_dir + "/herdstepd-" + node + ".log";
    if (!herd::MakeDirs(config->log_dir).ok() || !herd::SetLogFile(path)) {
      return Fail("cannot open log file " + path);
    }
  }
  // Orphans of the job are re-parented here, so nothing of it escapes the final kill.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    HERD_LOG(Warning) << "cannot become a child subreaper; daemonized job processes may "
                         "escape without a cgroup";
  }
  if (::chdir("/") != 0) {
    HERD_LOG(Warning) << "cannot chdir to /";
  }

  uint64_t job = 0;
  uint32_t run = 0;
  uint32_t step_id = herd::proto::kBatchStep;
  std::string base = dir.substr(dir.find_last_of('/') + 1);
  if (herd::noded::ParseStepDirName(base, &job, &run, &step_id) &&
      step_id != herd::proto::kBatchStep) {
    herd::noded::TaskStep step(std::move(*config), conf, node, dir);
    return step.Run();
  }
  herd::noded::StepDaemon step(std::move(*config), conf, node, dir);
  return step.Run();
}
