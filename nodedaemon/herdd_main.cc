// herd — herdd, the node daemon: `herdd [--conf F] --name n1`.
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/config/config.h"
#include "nodedaemon/node_daemon.h"

namespace {

int Fail(const std::string& line) {
  std::fprintf(stderr, "herdd: %s\n", line.c_str());
  return 1;
}

// "--key value" or "--key=value".
bool TakeValue(int argc, char** argv, int* i, const std::string& key, std::string* out) {
  std::string arg = argv[*i];
  if (arg == key) {
    if (*i + 1 >= argc) return false;
    *out = argv[++*i];
    return true;
  }
  if (arg.rfind(key + "=", 0) == 0) {
    *out = arg.substr(key.size() + 1);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::string conf;
  std::string name;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (TakeValue(argc, argv, &i, "--conf", &conf) || TakeValue(argc, argv, &i, "--name", &name)) {
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: herdd [--conf FILE] --name NODE\n");
      return 0;
    }
    if (arg == "--conf" || arg == "--name") return Fail("option " + arg + " needs a value");
    return Fail("unknown option '" + arg + "' (usage: herdd [--conf FILE] --name NODE)");
  }
  if (name.empty()) return Fail("--name NODE is required");
  if (conf.empty()) conf = herd::DefaultConfigPath();
  if (char* abs = ::realpath(conf.c_str(), nullptr)) {
    conf = abs;
    ::free(abs);
  }

  // Before any thread exists (ZeroMQ starts some): the loop takes these via a signalfd.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  ::umask(022);

  auto config = herd::LoadConfig(conf);
  if (!config.ok()) return Fail(config.error().message());
  const herd::NodeConfig* node = config->FindNode(name);
  if (node == nullptr) return Fail("node '" + name + "' is not defined in " + conf);

  herd::SetLogComponent("herdd(" + name + ")");
  if (!config->log_dir.empty()) {
    std::string path = config->log_dir + "/herdd-" + name + ".log";
    if (!herd::MakeDirs(config->log_dir).ok() || !herd::SetLogFile(path)) {
      return Fail("cannot open log file " + path);
    }
  }

  herd::noded::NodeDaemon daemon(*config, conf, *node);
  herd::Status st = daemon.Init();
  if (!st.ok()) {
    HERD_LOG(Error) << st.message();
    return Fail(st.message());
  }
  HERD_LOG(Info) << "herdd " << herd::noded::kHerdVersion << " started as node " << name;
  daemon.Run();
  return 0;
}
