// herd hrun — a running step as hrun drives it, once the controller has created it: the
// nodes' step daemons connect to hrun's ROUTER and send StepHello (then one each second),
// task output, task exits, fence contributions and StepNodeDone; hrun writes the output,
// answers fences, forwards its stdin to the node of task 0 and its signals to every node,
// and decides when the step is over and with which exit code. Every frame carries the
// step token in `auth`; frames without it are dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/hrun/io_endpoint.h"
#include "commands/hrun/output_assembler.h"
#include "commands/hrun/step_state.h"
#include "commands/lib/signal_watch.h"
#include "common/proto/codec.h"
#include "common/proto/step_messages.h"

namespace herd::hrun {

enum class StdinMode {
  kForward,    // hrun's stdin goes to task 0
  kNone,       // task 0 gets an immediate end of file (-i none)
  kElsewhere,  // the node reads a file (-i pattern): nothing to send
};

struct SessionSettings {
  uint64_t job_id = 0;
  uint32_t step_id = 0;
  std::string token;
  std::vector<proto::StepNode> layout;
  uint32_t num_tasks = 0;
  bool label = false;
  bool unbuffered = false;
  bool kill_on_bad_exit = false;
  bool quiet = false;
  int verbose = 0;
  uint32_t wait_s = 0;  // -W: 0 = wait for every task
  StdinMode stdin_mode = StdinMode::kForward;
};

class StepSession {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::chrono::seconds kHelloTimeout{10};
  static constexpr std::chrono::seconds kSilenceTimeout{5};
  static constexpr std::chrono::seconds kKillGrace{3};  // after SIGKILL on abort/force

  StepSession(SessionSettings s, IoRouter* router, cli::SignalWatch* signals);

  // Runs until every node is done, or the step has been given up; hrun's exit code.
  int Run();

 private:
  void HandleFrame(const net::Incoming& in, Clock::time_point now);
  void OnHello(const proto::StepHello& m, const std::string& peer, Clock::time_point now);
  void OnOutput(const proto::TaskOutput& m);
  void OnTaskExit(const proto::TaskExit& m, Clock::time_point now);
  void OnNodeDone(const proto::StepNodeDone& m);
  void OnAbort(const proto::StepAbort& m, Clock::time_point now);
  void OnFence(const proto::FenceContribution& m);
  void OnSignal(int sig, Clock::time_point now);
  void ReadStdin();
  void CheckTimers(Clock::time_point now);

  // Kills every task; with `grace`, hrun gives the nodes that long to report and then ends.
  void KillAll(std::optional<Clock::duration> grace, Clock::time_point now);
  template <class T>
  void SendTo(size_t node, const T& msg);
  template <class T>
  void SendAll(const T& msg);
  void FlushQueue(size_t node);

  void Info(const std::string& text) const;
  void Error(const std::string& text) const;
  void Write(int fd, const std::string& bytes);
  std::string StepName() const;

  SessionSettings s_;
  IoRouter* router_;
  cli::SignalWatch* signals_;
  OutputAssembler assembler_;
  TaskTable tasks_;
  FenceAggregator fences_;
  NodeTable nodes_;
  std::map<size_t, std::vector<std::string>> queued_;  // node -> frames awaiting its hello
  std::optional<size_t> stdin_node_;                   // node of task 0
  bool stdin_open_ = false;                            // still reading hrun's stdin
  bool stdin_eof_sent_ = false;
  bool stdout_ok_ = true;
  bool stderr_ok_ = true;
  std::optional<int> final_code_;  // set by an abort or a lost node: wins over task codes
  bool killed_ = false;            // SIGKILL sent to every node
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> last_sigint_;
  std::optional<Clock::time_point> first_exit_;
  bool lost_node_ = false;
};

}  // namespace herd::hrun
