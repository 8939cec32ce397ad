// herd — the step-mode driver harness.
#include "nodedaemon/tests/step_driver.h"

#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/base/fs.h"
#include "common/net/curve_keys.h"
#include "nodedaemon/spool.h"

namespace herd::noded::testing {
namespace {

using std::chrono::milliseconds;

std::string LastEndpoint(zmq::socket_t& s) { return s.get(zmq::sockopt::last_endpoint); }

const char* const kNodes[] = {"n1", "n2"};

}  // namespace

uint16_t FreePort() {
  zmq::socket_t s(net::Context(), zmq::socket_type::router);
  s.set(zmq::sockopt::linger, 0);
  s.bind("tcp://127.0.0.1:*");
  std::string ep = LastEndpoint(s);
  return static_cast<uint16_t>(std::stoi(ep.substr(ep.rfind(':') + 1)));
}

std::string Slurp(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "<cannot read " + path + ">";
}

bool Contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// ---- the controller ----

void FakeController::Start(const std::string& secret_key) {
  secret_key_ = secret_key;
  std::atomic<bool> bound{false};
  thread_ = std::thread([this, &bound] { Serve(&bound); });
  while (!bound) std::this_thread::sleep_for(milliseconds(10));
}

void FakeController::Serve(std::atomic<bool>* bound) {
  zmq::socket_t s(net::Context(), zmq::socket_type::router);
  s.set(zmq::sockopt::linger, 0);
  net::MakeCurveServer(s, secret_key_);
  s.bind("tcp://127.0.0.1:*");
  address_ = LastEndpoint(s);
  *bound = true;
  while (!stop_) {
    zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, milliseconds(100));
    zmq::message_t id;
    zmq::message_t body;
    if (!(item.revents & ZMQ_POLLIN) || !s.recv(id) || !s.recv(body)) continue;
    auto f = proto::DecodeFrame(body.data(), body.size());
    if (!f.ok()) continue;
    proto::Frame reply = proto::MakeStatusFrame(Status::Ok(), f->request_id);
    if (f->type == proto::MsgType::kRegisterNodeRequest) {
      reply = proto::MakeFrame(proto::RegisterNodeReply{}, f->request_id);
    } else if (f->type == proto::MsgType::kStepCompleteRequest) {
      auto req = proto::DecodeBody<proto::StepCompleteRequest>(f->body);
      std::lock_guard<std::mutex> lock(mu_);
      if (req.ok()) completions_.push_back(*req);
    }
    std::string bytes = proto::EncodeFrame(reply);
    s.send(id, zmq::send_flags::sndmore);
    s.send(zmq::buffer(bytes));
  }
}

void FakeController::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool FakeController::WaitCompletion(uint64_t job_id, uint32_t step_id,
                                    proto::StepCompleteRequest* out, const std::string& node) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& c : completions_) {
        if (c.step.job_id == job_id && c.step.step_id == step_id && c.node == node) {
          *out = c;
          return true;
        }
      }
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

// ---- the cluster ----

std::string StepDriverTest::root_;
FakeController* StepDriverTest::ctl_ = nullptr;
std::string StepDriverTest::munge_socket_;
std::string StepDriverTest::user_;
std::map<std::string, uint16_t> StepDriverTest::ports_;
std::vector<pid_t> StepDriverTest::herdds_;
Authenticator* StepDriverTest::auth_ = nullptr;

void StepDriverTest::SetUpTestSuite() {
  char tmpl[] = "/tmp/herd-steptest-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  root_ = tmpl;
  ASSERT_EQ(chmod(root_.c_str(), 0755), 0);
  std::string m = root_ + "/munge";
  ASSERT_TRUE(MakeDirs(m, 0755).ok());
  munge_socket_ = m + "/munge.socket";
  std::string cmd = "mungekey --create --keyfile=" + m + "/munge.key --bits=1024 >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "mungekey is needed";
  cmd = "munged --socket=" + munge_socket_ + " --key-file=" + m + "/munge.key --pid-file=" + m +
        "/munged.pid --log-file=" + m + "/munged.log --seed-file=" + m + "/seed";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "munged failed to start";

  // The cluster's CURVE keys: the step daemons and node daemons speak only to a controller
  // holding ctl1's secret key, and this test reaches the node daemons by their keys.
  const std::string keys = root_ + "/keys";
  std::string ctl_secret;
  for (const char* name : {"ctl1", "n1", "n2"}) {
    auto pair = net::WriteKeyPair(keys, name, false);
    ASSERT_TRUE(pair.ok()) << pair.error().message();
    if (std::string(name) == "ctl1") ctl_secret = pair->secret_key;
  }
  ctl_ = new FakeController;
  ctl_->Start(ctl_secret);
  std::string ctl_port = ctl_->address().substr(ctl_->address().rfind(':') + 1);
  struct passwd* pw = getpwuid(getuid());
  ASSERT_NE(pw, nullptr);
  user_ = pw->pw_name;
  std::string conf = root_ + "/herd.conf";
  std::string text = "ClusterName=steptest\nControllerHost=ctl1(127.0.0.1:" + ctl_port + ")\n" +
                     "SpoolDir=" + root_ + "/spool/%n\nLogDir=" + root_ +
                     "/log\nAuthSocket=" + munge_socket_ + "\nKeyDir=" + keys +
                     "\nAdminUser=" + user_ +
                     "\nHardwareSource=config\nHeartbeatInterval=1\nKillWait=2\n";
  for (const char* node : kNodes) {
    ports_[node] = FreePort();
    net::SetServerKey(net::TcpAddress("127.0.0.1", ports_[node]),
                      net::ReadPublicKey(keys, node).value());
    text += std::string("NodeName=") + node +
            " NodeAddr=127.0.0.1 Port=" + std::to_string(ports_[node]) +
            " Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=100\n";
  }
  text += "PartitionName=p Nodes=n[1-2] Default=YES\n";
  ASSERT_TRUE(WriteFileAtomic(conf, text).ok());

  for (const char* node : kNodes) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl(HERDD_PATH, HERDD_PATH, "--conf", conf.c_str(), "--name", node, nullptr);
      _exit(127);
    }
    herdds_.push_back(pid);
  }
  auth_ = MakeMungeAuth(munge_socket_).release();
}

void StepDriverTest::TearDownTestSuite() {
  // The last test's step daemons may still be finishing (completion, cleanup): they get a
  // few seconds. Those still running then (a failed test) would retry their completion
  // forever, and are killed.
  for (int i = 0; i < 100 && AnyLiveStep(); ++i) std::this_thread::sleep_for(milliseconds(100));
  for (const char* node : kNodes) {
    auto scan = ScanSpool(root_ + "/spool/" + node);
    if (!scan.ok()) continue;
    for (const SpoolStep& s : *scan) {
      if (s.live) kill(s.pid.pid, SIGKILL);
    }
  }
  RemoveStepTmpDirs();
  for (pid_t pid : herdds_) {
    kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, WNOHANG);
  }
  herdds_.clear();
  ports_.clear();
  if (ctl_ != nullptr) ctl_->Stop();
  delete ctl_;
  ctl_ = nullptr;
  // munged writes its seed file as it stops: wait for it before removing the directory.
  auto text = ReadFile(root_ + "/munge/munged.pid");
  pid_t munged = text.ok() ? static_cast<pid_t>(std::atoi(text->c_str())) : 0;
  if (munged > 0 && kill(munged, SIGTERM) == 0) {
    for (int i = 0; i < 50 && kill(munged, 0) == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  delete auth_;
  auth_ = nullptr;
  const char* keep = std::getenv("HERD_TEST_KEEP");
  if (::testing::Test::HasFailure() || (keep != nullptr && std::string(keep) == "1")) {
    std::fprintf(stderr, "files kept in %s\n", root_.c_str());
  } else {
    (void)RemoveTree(root_);
  }
}

bool StepDriverTest::AnyLiveStep() {
  for (const char* node : kNodes) {
    auto scan = ScanSpool(root_ + "/spool/" + node);
    if (!scan.ok()) continue;
    for (const SpoolStep& s : *scan) {
      if (s.live) return true;
    }
  }
  return false;
}

void StepDriverTest::RemoveStepTmpDirs() {
  // Step daemons killed above leave their /dev/shm directories; the tag in their names
  // (this suite's spool) makes them ours alone.
  const std::string parent = "/dev/shm";
  for (const char* node : kNodes) {
    // StepTmpDir's names: herd.<node>.<tag>.<step dir name>.
    std::string spool = root_ + "/spool/" + node;
    std::string prefix = "herd." + NodeInstance(node, spool + "/" + StepDirName(1, 0, 0)) + ".";
    DIR* d = opendir(parent.c_str());
    if (d == nullptr) continue;
    std::vector<std::string> mine;
    while (struct dirent* e = readdir(d)) {
      if (std::string(e->d_name).rfind(prefix, 0) == 0) mine.push_back(parent + "/" + e->d_name);
    }
    closedir(d);
    for (const std::string& path : mine) (void)RemoveTree(path);
  }
}

void StepDriverTest::SetUp() {
  hrun_ = std::make_unique<zmq::socket_t>(net::Context(), zmq::socket_type::router);
  hrun_->set(zmq::sockopt::linger, 0);
  net::CurveKeyPair keys = net::GenerateCurveKeyPair().value();
  net::MakeCurveServer(*hrun_, keys.secret_key);
  hrun_key_ = keys.public_key;
  hrun_->bind("tcp://127.0.0.1:*");
}

proto::LaunchStepRequest StepDriverTest::MakeStep(uint64_t job, uint32_t step,
                                                  const std::string& script) {
  proto::LaunchStepRequest r;
  r.job_id = job;
  r.run_seq = 0;
  r.step_id = step;
  r.spec.argv = {"sh", "-c", script};
  r.spec.env = {"PATH=/usr/bin:/bin", "HOME=" + root_};
  r.spec.cwd = root_;
  r.spec.io_addr = LastEndpoint(*hrun_);
  r.spec.io_key = hrun_key_;
  r.spec.cpu_bind = "cores,verbose";
  r.layout = {{"n1", {0, 1}, {0, 1}, 0}};
  r.num_tasks = 2;
  r.uid = getuid();
  r.gid = getgid();
  r.user = user_;
  r.job_name = "drive";
  r.job_nodelist = "n1";
  r.job_alloc = {{"n1", {0, 1}, 0, 2}};
  r.token = "token-" + std::to_string(job) + "-" + std::to_string(step);
  r.controller_addr = ctl_->address();
  return r;
}

bool StepDriverTest::AsTestUser(proto::LaunchStepRequest* r) {
  const char* name = std::getenv("HERD_TEST_USER");
  struct passwd* pw = getpwnam(name != nullptr ? name : "herdtest");
  if (getuid() != 0 || pw == nullptr) return false;
  std::string work = root_ + "/work";
  if (!MakeDirs(work, 0755).ok() || chmod(work.c_str(), 01777) != 0) return false;
  r->uid = pw->pw_uid;
  r->gid = pw->pw_gid;
  r->user = pw->pw_name;
  r->spec.cwd = work;
  r->spec.env = {"PATH=/usr/bin:/bin"};
  return true;
}

Status StepDriverTest::CallNodeFrame(const proto::Frame& f, const std::string& node) {
  net::Caller caller({net::TcpAddress("127.0.0.1", ports_.at(node))}, auth_);
  Status last = DeadlineExceeded("herdd did not answer");
  for (int i = 0; i < 20; ++i) {  // herdd may still be starting
    auto reply = caller.CallFrame(f, milliseconds(1000));
    if (reply.ok()) return net::StatusFromFrame(*reply);
    last = reply.error();
  }
  return last;
}

// ---- hrun ----

bool StepDriverTest::PumpAll(const std::map<std::string, StepView*>& views,
                             const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    zmq::pollitem_t item{hrun_->handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::min(left, milliseconds(200)));
    zmq::message_t id;
    zmq::message_t body;
    if (!(item.revents & ZMQ_POLLIN) || !hrun_->recv(id) || !hrun_->recv(body)) continue;
    auto f = proto::DecodeFrame(body.data(), body.size());
    if (!f.ok()) continue;
    auto it = views.find(f->auth);
    if (it == views.end()) {
      for (const auto& entry : views) entry.second->bad_token = true;
      continue;
    }
    Apply(*it->second, id.to_string(), *f, it->first);
  }
  return true;
}

void StepDriverTest::Apply(StepView& v, const std::string& peer, const proto::Frame& f,
                           const std::string& token) {
  switch (f.type) {
    case proto::MsgType::kStepHello: {
      auto m = proto::DecodeBody<proto::StepHello>(f.body);
      ASSERT_TRUE(m.ok());
      ASSERT_LT(m->node_index, 2u);
      EXPECT_EQ(m->node, kNodes[m->node_index]);
      v.peers[m->node_index] = peer;
      ++(m->heartbeat ? v.heartbeats : v.hellos);
      break;
    }
    case proto::MsgType::kTaskOutput: {
      auto m = proto::DecodeBody<proto::TaskOutput>(f.body);
      ASSERT_TRUE(m.ok());
      (m->stream == 1 ? v.out : v.err)[m->rank] += m->data;
      break;
    }
    case proto::MsgType::kTaskExit: {
      auto m = proto::DecodeBody<proto::TaskExit>(f.body);
      ASSERT_TRUE(m.ok());
      v.exits[m->rank] = m->wait_status;
      break;
    }
    case proto::MsgType::kStepNodeDone: {
      auto m = proto::DecodeBody<proto::StepNodeDone>(f.body);
      ASSERT_TRUE(m.ok());
      v.done = ++v.done_nodes >= static_cast<int>(v.nodes);
      if (v.done_message.empty()) v.done_message = m->message;
      break;
    }
    case proto::MsgType::kStepAbort: {
      auto m = proto::DecodeBody<proto::StepAbort>(f.body);
      ASSERT_TRUE(m.ok());
      v.aborted = true;
      v.abort_code = m->exit_code;
      break;
    }
    case proto::MsgType::kFenceContribution: {
      // As hrun: once every node has contributed, every node gets all blobs in node order.
      auto m = proto::DecodeBody<proto::FenceContribution>(f.body);
      ASSERT_TRUE(m.ok());
      auto& blobs = v.fences[m->seq];
      blobs[m->node_index] = m->data;
      if (blobs.size() < v.nodes) break;
      proto::FenceResult result;
      result.seq = m->seq;
      for (const auto& [node, data] : blobs) result.data += data;
      for (const auto& [node, node_peer] : v.peers) {
        SendFrame(node_peer, proto::MakeFrame(result, 1), token);
      }
      ++v.fences_done;
      break;
    }
    default:
      ADD_FAILURE() << "unexpected " << proto::MsgTypeName(f.type);
  }
}

void StepDriverTest::SendFrame(const std::string& peer, proto::Frame f, const std::string& token) {
  f.auth = token;
  std::string bytes = proto::EncodeFrame(f);
  hrun_->send(zmq::buffer(peer), zmq::send_flags::sndmore);
  hrun_->send(zmq::buffer(bytes));
}

}  // namespace herd::noded::testing
