// herd — the start of a step supervisor (see stepd_start.h).
#include "nodedaemon/stepd/stepd_start.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/net/cluster_keys.h"
#include "common/proto/messages.h"
#include "nodedaemon/spool.h"

namespace herd::noded {

Result<StepdStart> StartStepd(int argc, char** argv) {
  // Before anything else: signals are taken synchronously by the supervision loop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Both executables are "herdstepd" to ps, pgrep and herd-local.
  ::prctl(PR_SET_NAME, "herdstepd");
  // Descriptors 0-2 are always taken, so no pipe of a task can land on them.
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }

  StepdStart st;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string* target = arg == "--conf"   ? &st.conf
                          : arg == "--node" ? &st.node
                          : arg == "--dir"  ? &st.dir
                                            : nullptr;
    if (target == nullptr) return InvalidArgument("unknown option '" + arg + "'");
    if (i + 1 >= argc) return InvalidArgument("option " + arg + " needs a value");
    *target = argv[++i];
  }
  if (st.node.empty() || st.dir.empty()) {
    return InvalidArgument("usage: herdstepd --conf FILE --node NODE --dir STEPDIR");
  }
  if (st.conf.empty()) st.conf = DefaultConfigPath();
  if (char* abs = ::realpath(st.dir.c_str(), nullptr)) {
    st.dir = abs;
    ::free(abs);
  }

  HERD_ASSIGN_OR_RETURN(st.config, LoadConfig(st.conf));
  // Completions go only to a controller that proves it holds its key (doc/security.md).
  HERD_RETURN_IF_ERROR(net::UseClusterKeys(st.config, {}));
  const std::string base = st.dir.substr(st.dir.find_last_of('/') + 1);
  SetLogComponent("herdstepd(" + st.node + " " + base + ")");
  if (!st.config.log_dir.empty()) {
    std::string path = st.config.log_dir + "/herdstepd-" + st.node + ".log";
    if (!MakeDirs(st.config.log_dir).ok() || !SetLogFile(path)) {
      return Internal("cannot open log file " + path);
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
  st.step_id = proto::kBatchStep;
  if (!ParseStepDirName(base, &st.job, &st.run, &st.step_id)) st.step_id = proto::kBatchStep;
  return st;
}

}  // namespace herd::noded
