// herd — herdctld: the controller daemon.
//   herdctld [--conf FILE] [--name CTL] [--min-epoch N]
//   herdctld --witness [--conf FILE]      the third voter of a controller pair
//   herdctld --salvage [--conf FILE] [--name CTL]   repair a state directory it refuses
//   herdctld --reset-vote [--conf FILE] [--name CTL | --witness]
//                                         repair a vote file with an impossible epoch
#include <getopt.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"
#include "common/net/cluster_keys.h"
#include "common/net/curve_keys.h"
#include "controller/acct/acct_feed.h"
#include "controller/ha/witness.h"
#include "controller/job_submit/job_submit_worker.h"
#include "controller/malloc_tuning.h"
#include "controller/salvage.h"
#include "controller/server.h"
#include "controller/store/file_state_store.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

int Fail(const std::string& msg) {
  std::fprintf(stderr, "herdctld: error: %s\n", msg.c_str());
  return 1;
}

// StateDir with "%n" replaced by the daemon's name, so that the controllers and the
// witness of one cluster can share a host (each needs its own directory).
std::string StateDirFor(const herd::ClusterConfig& cfg, const std::string& name) {
  std::string dir = cfg.state_dir;
  for (size_t at = dir.find("%n"); at != std::string::npos; at = dir.find("%n", at)) {
    dir.replace(at, 2, name);
    at += name.size();
  }
  return dir;
}

void Usage() {
  std::printf(
      "Usage: herdctld [--conf FILE] [--name NAME] [--min-epoch N]\n"
      "       herdctld --witness [--conf FILE]\n"
      "       herdctld --salvage [--conf FILE] [--name NAME]\n"
      "       herdctld --reset-vote [--conf FILE] [--name NAME | --witness]\n"
      "  --conf FILE    configuration (default: $HERD_CONF or /etc/herd/herd.conf)\n"
      "  --name NAME    which ControllerHost entry this is (default: the first)\n"
      "  --min-epoch N  start above epoch N: takes back node daemons that refuse this\n"
      "                 controller for having seen epoch N (hinfo shows it as the reason)\n"
      "  --witness      run the witness (WitnessHost): a voter that keeps no cluster state\n"
      "  --salvage      with the controller stopped: keep what is valid of a damaged state\n"
      "                 directory, report the jobs lost, and leave a state herdctld starts from\n"
      "  --reset-vote   with the daemon stopped: bring an epoch above the ceiling (a forged\n"
      "                 value in its vote file) back to a sane one, and exit\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace herd;
  ctld::TuneMallocForController();
  std::string conf_path = DefaultConfigPath();
  std::string name;
  bool witness = false;
  bool salvage = false;
  bool reset_vote = false;
  uint64_t min_epoch = 0;
  static const option kOpts[] = {{"conf", required_argument, nullptr, 'f'},
                                 {"name", required_argument, nullptr, 'n'},
                                 {"witness", no_argument, nullptr, 'w'},
                                 {"salvage", no_argument, nullptr, 's'},
                                 {"reset-vote", no_argument, nullptr, 'r'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {"min-epoch", required_argument, nullptr, 'e'},
                                 {"version", no_argument, nullptr, 'V'},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "f:n:hV", kOpts, nullptr)) != -1) {
    switch (c) {
      case 'f':
        conf_path = optarg;
        break;
      case 'n':
        name = optarg;
        break;
      case 'w':
        witness = true;
        break;
      case 's':
        salvage = true;
        break;
      case 'e': {
        // Below the ceiling every voter enforces, with room for elections above it.
        auto n = ParseUint(optarg, proto::kMaxEpoch / 2);
        if (!n.ok()) {
          return Fail(std::string("--min-epoch: not an epoch below 2^47: ") + optarg);
        }
        min_epoch = *n;
        break;
      }
      case 'r':
        reset_vote = true;
        break;
      case 'h':
        Usage();
        return 0;
      case 'V':
        std::printf("herd 0.1.0\n");
        return 0;
      default:
        return Fail("bad arguments (see --help)");
    }
  }
  if (optind < argc) return Fail(std::string("unexpected argument: ") + argv[optind]);

  auto cfg = LoadConfig(conf_path);
  if (!cfg.ok()) return Fail(cfg.error().message());
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  if (witness && salvage) return Fail("--salvage and --witness exclude each other");
  if (reset_vote && salvage) return Fail("--salvage and --reset-vote exclude each other");
  if (reset_vote) {
    std::string who = witness ? cfg->witness_addr.name : name;
    if (who.empty() && !witness && !cfg->controllers.empty()) who = cfg->controllers[0].name;
    if (who.empty()) return Fail("no voter to reset (no WitnessHost or ControllerHost)");
    auto done = ctld::ha::ResetPoisonedVote(StateDirFor(*cfg, who) + "/vote");
    if (!done.ok()) return Fail(done.error().message());
    std::printf("%s\n", done->c_str());
    return 0;
  }
  if (witness) {
    if (!cfg->has_witness()) return Fail("no WitnessHost in " + conf_path);
    SetLogComponent("herdctld(witness " + cfg->witness_addr.name + ")");
    if (!cfg->log_dir.empty()) {
      (void)MakeDirs(cfg->log_dir, 0755);
      std::string log = cfg->log_dir + "/herdctld-" + cfg->witness_addr.name + ".log";
      if (!SetLogFile(log)) return Fail("cannot open log file " + log);
    }
    Status s = ctld::ha::RunWitness(*cfg, StateDirFor(*cfg, cfg->witness_addr.name), g_stop);
    if (!s.ok()) return Fail(s.message());
    return 0;
  }
  const ControllerAddr* self = nullptr;
  for (const auto& ctl : cfg->controllers) {
    if (name.empty() || ctl.name == name) {
      self = &ctl;
      break;
    }
  }
  if (self == nullptr) return Fail("no ControllerHost named '" + name + "' in " + conf_path);
  if (salvage) {
    Status s = ctld::SalvageStateDir(*cfg, StateDirFor(*cfg, self->name), std::cout);
    std::cout.flush();
    if (!s.ok()) return Fail("salvage failed: " + s.message());
    return 0;
  }

  SetLogComponent("herdctld(" + self->name + ")");
  if (!cfg->log_dir.empty()) {
    (void)MakeDirs(cfg->log_dir, 0755);
    std::string log = cfg->log_dir + "/herdctld-" + self->name + ".log";
    if (!SetLogFile(log)) return Fail("cannot open log file " + log);
  }
  for (const std::string& option : cfg->sched.ignored) {
    HERD_LOG(Warning) << "SchedulerParameters: " << option << " is not used by herd; ignored";
  }

  const std::string state_dir = StateDirFor(*cfg, self->name);
  auto store = ctld::FileStateStore::Open(state_dir);
  if (!store.ok()) return Fail(store.error().message());
  ctld::BlobStore blobs(state_dir + "/jobs");
  if (Status s = blobs.Init(); !s.ok()) return Fail(s.message());
  auto auth = MakeMungeAuth(cfg->auth_socket);
  SystemClock clock;
  std::string addr = net::TcpAddress(self->host, self->port);
  ctld::ha::FileVoteStore votes(state_dir + "/vote");
  // The core writes files of its own (the controller-side hooks' output) in this
  // controller's StateDir, "%n" resolved; accounting's default paths keep herd.conf's
  // text, which the commands read too.
  ClusterConfig core_cfg = *cfg;
  core_cfg.state_dir = state_dir;
  ctld::ControllerCore core(core_cfg, clock, **store, blobs, *auth, addr, &votes, self->name);
  core.set_min_epoch(min_epoch);
  std::unique_ptr<ctld::acct::AcctFeed> accounting;
  if (!cfg->acct_type.empty()) {
    const ctld::acct::StorageConfig sc = ctld::acct::StorageConfigOf(*cfg);
    accounting = std::make_unique<ctld::acct::AcctFeed>(
        core.state(), clock, sc.type.substr(sc.type.find('/') + 1),
        [sc] { return ctld::acct::OpenStore(sc, /*read_only=*/false); });
    accounting->set_purge(ctld::acct::PurgePolicyOf(*cfg));
    core.set_acct(accounting.get());
  }
  std::unique_ptr<ctld::JobSubmitWorker> job_submit;
  if (cfg->hooks.job_submit_lua) {
    job_submit = std::make_unique<ctld::JobSubmitWorker>(JobSubmitScriptPath(*cfg),
                                                         ctld::LuaFilter::Options{});
    core.set_job_submit(job_submit.get());
  }
  if (Status s = core.Recover(); !s.ok()) {
    HERD_LOG(Error) << "cannot recover state: " << s.message();
    return Fail("cannot recover state: " + s.message());
  }

  // The other voters' and the nodes' public keys: nothing is sent to, or believed from, a
  // process that cannot prove it holds the matching secret key (doc/security.md).
  if (Status s = net::UseClusterKeys(*cfg, {/*witness=*/true, /*nodes=*/true}); !s.ok()) {
    return Fail(s.message());
  }
  auto secret = net::ReadSecretKey(cfg->key_dir, self->name);
  if (!secret.ok()) return Fail(secret.error().message());
  // Every client (command, node daemon, step daemon, the other voter) waits for one reply
  // before it asks again; a client that sends without reading holds at most this many
  // replies (each query page at most proto::kQueryPageMaxBytes), the rest are dropped.
  constexpr int kReplyQueuePerClient = 256;
  // Commands' sealed requests come to a second, plain endpoint of the same socket.
  const std::string command_addr =
      self->command_port != 0 ? net::TcpAddress(self->host, self->command_port) : "";
  auto rpc = net::RpcServer::Bind(addr, *secret, kReplyQueuePerClient, command_addr);
  if (!rpc.ok()) return Fail(rpc.error().message());
  auto sealed = net::SealedSessions::WithSecret(*secret);
  if (!sealed.ok()) return Fail(sealed.error().message());

  HERD_LOG(Info) << "herdctld " << self->name << " serving on " << addr
                 << (command_addr.empty() ? "" : ", commands on " + command_addr) << " (cluster "
                 << cfg->cluster_name << ", " << cfg->nodes.size() << " nodes)";
  ctld::Server server(*cfg, core, std::move(*rpc), std::move(*sealed));
  Status s = server.Run(g_stop);
  HERD_LOG(Info) << "herdctld stopping: " << s.ToString();
  return s.ok() ? 0 : 1;
}
