// herd hrun — the bookkeeping of a running step, free of sockets and clocks of its own:
// which tasks have exited and the exit code hrun returns (the highest task exit code, 128+N
// for a task killed by signal N), srun's per-node failure lines, the PMIx fence allgather
// (every node's blob, concatenated in node order), and which node daemons are alive.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/proto/step_messages.h"

namespace herd::hrun {

// A task's exit code as hrun counts it: the exit status, or 128+N when killed by signal N.
int ExitCodeOf(int32_t wait_status);
// "Exited with exit code 2", "Killed", "Segmentation fault (core dumped)"; "" for exit 0.
std::string DescribeWaitStatus(int32_t wait_status);
// Ascending ranks as ranges: {0,1,2,5} -> "0-2,5".
std::string FormatRanks(const std::vector<uint32_t>& ranks);

class TaskTable {
 public:
  explicit TaskTable(const std::vector<proto::StepNode>& layout);

  // False for a rank outside the step or one already recorded.
  bool RecordExit(uint32_t rank, int32_t wait_status);
  // Records `wait_status` for every task of node `node_index` that has not reported.
  void MarkUnreported(size_t node_index, int32_t wait_status);
  bool AllExited() const { return exits_.size() == node_of_.size(); }
  size_t exited() const { return exits_.size(); }
  // The highest exit code so far (0 when nothing failed).
  int ExitCode() const;
  // The node index hosting `rank`; nullopt for a rank outside the step.
  std::optional<size_t> NodeOf(uint32_t rank) const;
  // srun's lines for the node's failed tasks, grouped by status:
  // "n1: tasks 0-1: Exited with exit code 1", "n2: task 3: Killed".
  std::vector<std::string> DescribeFailures(size_t node_index) const;
  // "task 2" / "tasks 0-3": the tasks of a node.
  std::string NodeTasks(size_t node_index) const;

 private:
  std::vector<proto::StepNode> layout_;
  std::map<uint32_t, size_t> node_of_;  // rank -> node index
  std::map<uint32_t, int32_t> exits_;   // rank -> wait status
};

// Fence number `seq` completes when every node has contributed once; later duplicates of a
// node (a resend) are ignored.
class FenceAggregator {
 public:
  explicit FenceAggregator(uint32_t num_nodes) : num_nodes_(num_nodes) {}
  // The concatenated blobs when this contribution completes the fence; nullopt otherwise
  // (also for a node index outside the step or a fence already completed).
  std::optional<std::string> Add(uint64_t seq, uint32_t node_index, std::string data);
  size_t open_fences() const { return open_.size(); }

 private:
  uint32_t num_nodes_;
  std::map<uint64_t, std::vector<std::optional<std::string>>> open_;
  std::set<uint64_t> completed_;
};

// The step daemons of the nodes: their routing ids (learned from StepHello) and liveness.
class NodeTable {
 public:
  using Clock = std::chrono::steady_clock;

  struct Link {
    std::string name;
    std::string peer;  // routing id of the latest StepHello; empty before the first
    bool done = false;
    Clock::time_point last_heard;
  };

  NodeTable(const std::vector<proto::StepNode>& layout, Clock::time_point start);

  // A StepHello from `peer`; false when index and name do not match the layout.
  bool Hello(uint32_t node_index, const std::string& node, const std::string& peer,
             Clock::time_point now);
  // Any message from `peer` counts as a sign of life of its node.
  void Heard(const std::string& peer, Clock::time_point now);
  // hrun itself was blocked for `d` (writing to a slow reader) and heard nothing meanwhile:
  // that time does not count as the nodes' silence.
  void Postpone(Clock::duration d);
  std::optional<size_t> Find(const std::string& name) const;
  void MarkDone(size_t index) { links_.at(index).done = true; }
  bool AllDone() const;
  // The first node, not done, that never said hello within `hello_timeout` of the start or
  // has been silent for `silence` since its hello.
  std::optional<size_t> FindSilent(Clock::time_point now, Clock::duration hello_timeout,
                                   Clock::duration silence) const;

  size_t size() const { return links_.size(); }
  const Link& at(size_t i) const { return links_.at(i); }

 private:
  std::vector<Link> links_;
  std::map<std::string, size_t> by_peer_;
  Clock::time_point start_;
};

}  // namespace herd::hrun
