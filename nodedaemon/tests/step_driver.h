// herd — the harness of the step-mode driver tests, which need no real controller or hrun:
// it starts a private munged and two real herdd (n1, n2, synthetic 1x2 topologies on this
// host), plays the controller (a ROUTER answering registration, heartbeats and step
// completions, in a thread) and hrun (a ROUTER at the steps' io_addr, relaying PMIx fences
// between nodes as hrun does), and sends herdd requests signed as root/AdminUser. Every
// wait has a deadline; whatever the harness started is killed at the end.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/auth/auth.h"
#include "common/net/rpc_client.h"
#include "common/proto/codec.h"
#include "common/proto/step_messages.h"

namespace herd::noded::testing {

inline constexpr auto kWait = std::chrono::seconds(20);

// A TCP port nothing listens on (at the time of the call).
uint16_t FreePort();
std::string Slurp(const std::string& path);
bool Contains(const std::string& text, const std::string& what);

class FakeController {
 public:
  // Serves as a CURVE server with `secret_key` (the cluster's key for its name).
  void Start(const std::string& secret_key);
  void Stop();
  const std::string& address() const { return address_; }
  // The completion of step `step_id` of job `job_id` from `node`, waiting up to kWait.
  bool WaitCompletion(uint64_t job_id, uint32_t step_id, proto::StepCompleteRequest* out,
                      const std::string& node = "n1");

 private:
  void Serve(std::atomic<bool>* bound);

  std::string secret_key_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::string address_;
  std::mutex mu_;
  std::vector<proto::StepCompleteRequest> completions_;
};

// What hrun has heard from one step (all its nodes).
struct StepView {
  size_t nodes = 1;                       // nodes of the step, for fence relaying
  std::map<uint32_t, std::string> peers;  // node index -> step daemon's routing id
  int hellos = 0;
  int heartbeats = 0;
  bool bad_token = false;
  std::map<uint32_t, std::string> out;  // rank -> stdout
  std::map<uint32_t, std::string> err;  // rank -> stderr
  std::map<uint32_t, int32_t> exits;
  int done_nodes = 0;
  bool done = false;  // every node sent StepNodeDone
  std::string done_message;
  bool aborted = false;
  int32_t abort_code = 0;
  std::map<uint64_t, std::map<uint32_t, std::string>> fences;  // seq -> node -> data
  int fences_done = 0;
};

class StepDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // Whether a step daemon of either node is still running.
  static bool AnyLiveStep();
  // Removes the /dev/shm directories of this suite's steps.
  static void RemoveStepTmpDirs();
  void SetUp() override;

  // A two-task step on n1 (cpus 0 and 1) running `script` with sh -c.
  proto::LaunchStepRequest MakeStep(uint64_t job, uint32_t step, const std::string& script);
  // Makes `r` a step of the unprivileged user $HERD_TEST_USER (default herdtest), working in
  // a world-writable directory. False (the test should skip) unless we are root and the
  // user exists.
  bool AsTestUser(proto::LaunchStepRequest* r);
  // Sends `req` to the herdd of `node`, signed with our MUNGE credential.
  template <class Req>
  Status CallNode(const Req& req, const std::string& node = "n1") {
    return CallNodeFrame(proto::MakeFrame(req, 0), node);
  }
  Status CallNodeFrame(const proto::Frame& f, const std::string& node);

  // Reads what hrun receives until `done()` or the deadline; frames go to the view of
  // their step token (a token no view expects marks every view).
  bool PumpAll(const std::map<std::string, StepView*>& views, const std::function<bool()>& done,
               std::chrono::milliseconds limit = kWait);
  bool Pump(StepView& v, const std::string& token, const std::function<bool()>& done,
            std::chrono::milliseconds limit = kWait) {
    return PumpAll({{token, &v}}, done, limit);
  }
  // Sends `msg` to node `node_index` of a step, with `token` as its auth.
  template <class Msg>
  void ToStep(const StepView& v, const Msg& msg, const std::string& token,
              uint32_t node_index = 0) {
    SendFrame(v.peers.at(node_index), proto::MakeFrame(msg, 1), token);
  }

  static std::string root_;
  static FakeController* ctl_;

 private:
  void Apply(StepView& v, const std::string& peer, const proto::Frame& f, const std::string& token);
  void SendFrame(const std::string& peer, proto::Frame f, const std::string& token);

  static std::string munge_socket_;
  static std::string user_;
  static std::map<std::string, uint16_t> ports_;
  static std::vector<pid_t> herdds_;
  static Authenticator* auth_;
  std::unique_ptr<zmq::socket_t> hrun_;
  std::string hrun_key_;  // hrun_'s CURVE public key (a CURVE server, as hrun's is)
};

}  // namespace herd::noded::testing
