// herd hrun — task exits, fences and node liveness of a step.
#include "commands/hrun/step_state.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstring>

namespace herd::hrun {

int ExitCodeOf(int32_t wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 1;  // stopped or garbage: not a success
}

std::string DescribeWaitStatus(int32_t wait_status) {
  if (WIFSIGNALED(wait_status)) {
    const char* name = strsignal(WTERMSIG(wait_status));
    std::string s = name != nullptr ? name : "Signal " + std::to_string(WTERMSIG(wait_status));
    if (WCOREDUMP(wait_status)) s += " (core dumped)";
    return s;
  }
  const int code = ExitCodeOf(wait_status);
  return code == 0 ? "" : "Exited with exit code " + std::to_string(code);
}

std::string FormatRanks(const std::vector<uint32_t>& ranks) {
  std::string out;
  for (size_t i = 0; i < ranks.size();) {
    size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(ranks[i]);
    if (j > i) out += "-" + std::to_string(ranks[j]);
    i = j + 1;
  }
  return out;
}

namespace {

std::string Tasks(const std::vector<uint32_t>& ranks) {
  return (ranks.size() == 1 ? "task " : "tasks ") + FormatRanks(ranks);
}

}  // namespace

TaskTable::TaskTable(const std::vector<proto::StepNode>& layout) : layout_(layout) {
  for (size_t i = 0; i < layout_.size(); ++i) {
    std::sort(layout_[i].tasks.begin(), layout_[i].tasks.end());
    for (uint32_t rank : layout_[i].tasks) node_of_[rank] = i;
  }
}

bool TaskTable::RecordExit(uint32_t rank, int32_t wait_status) {
  if (node_of_.count(rank) == 0) return false;
  return exits_.emplace(rank, wait_status).second;
}

void TaskTable::MarkUnreported(size_t node_index, int32_t wait_status) {
  if (node_index >= layout_.size()) return;
  for (uint32_t rank : layout_[node_index].tasks) exits_.emplace(rank, wait_status);
}

int TaskTable::ExitCode() const {
  int code = 0;
  for (const auto& [rank, status] : exits_) code = std::max(code, ExitCodeOf(status));
  return code;
}

std::optional<size_t> TaskTable::NodeOf(uint32_t rank) const {
  auto it = node_of_.find(rank);
  if (it == node_of_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> TaskTable::DescribeFailures(size_t node_index) const {
  std::vector<std::string> lines;
  if (node_index >= layout_.size()) return lines;
  // Group the node's failed ranks by description, in order of first appearance.
  std::vector<std::pair<std::string, std::vector<uint32_t>>> groups;
  for (uint32_t rank : layout_[node_index].tasks) {
    auto it = exits_.find(rank);
    if (it == exits_.end()) continue;
    const std::string what = DescribeWaitStatus(it->second);
    if (what.empty()) continue;
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&what](const auto& p) { return p.first == what; });
    if (g == groups.end()) {
      groups.push_back({what, {rank}});
    } else {
      g->second.push_back(rank);
    }
  }
  for (const auto& [what, ranks] : groups) {
    lines.push_back(layout_[node_index].node + ": " + Tasks(ranks) + ": " + what);
  }
  return lines;
}

std::string TaskTable::NodeTasks(size_t node_index) const {
  if (node_index >= layout_.size()) return "tasks";
  return Tasks(layout_[node_index].tasks);
}

std::optional<std::string> FenceAggregator::Add(uint64_t seq, uint32_t node_index,
                                                std::string data) {
  if (node_index >= num_nodes_ || completed_.count(seq) != 0) return std::nullopt;
  auto& slots = open_[seq];
  if (slots.empty()) slots.resize(num_nodes_);
  if (slots[node_index]) return std::nullopt;
  slots[node_index] = std::move(data);
  for (const auto& s : slots) {
    if (!s) return std::nullopt;
  }
  std::string all;
  for (const auto& s : slots) all += *s;
  open_.erase(seq);
  completed_.insert(seq);
  return all;
}

NodeTable::NodeTable(const std::vector<proto::StepNode>& layout, Clock::time_point start)
    : start_(start) {
  for (const proto::StepNode& n : layout) {
    Link l;
    l.name = n.node;
    links_.push_back(l);
  }
}

bool NodeTable::Hello(uint32_t node_index, const std::string& node, const std::string& peer,
                      Clock::time_point now) {
  if (node_index >= links_.size() || links_[node_index].name != node) return false;
  Link& l = links_[node_index];
  if (l.peer != peer) {
    by_peer_.erase(l.peer);  // the daemon reconnected: its old routing id is gone
    l.peer = peer;
    by_peer_[peer] = node_index;
  }
  l.last_heard = now;
  return true;
}

void NodeTable::Heard(const std::string& peer, Clock::time_point now) {
  auto it = by_peer_.find(peer);
  if (it != by_peer_.end()) links_[it->second].last_heard = now;
}

void NodeTable::Postpone(Clock::duration d) {
  start_ += d;
  for (Link& l : links_) l.last_heard += d;
}

std::optional<size_t> NodeTable::Find(const std::string& name) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].name == name) return i;
  }
  return std::nullopt;
}

bool NodeTable::AllDone() const {
  return std::all_of(links_.begin(), links_.end(), [](const Link& l) { return l.done; });
}

std::optional<size_t> NodeTable::FindSilent(Clock::time_point now, Clock::duration hello_timeout,
                                            Clock::duration silence) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    const Link& l = links_[i];
    if (l.done) continue;
    if (l.peer.empty() ? now - start_ > hello_timeout : now - l.last_heard > silence) return i;
  }
  return std::nullopt;
}

}  // namespace herd::hrun
