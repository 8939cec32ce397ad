// herd — the controller's nodes: registration (reconciling what a node reports it runs),
// heartbeats, NodeTimeout and the runs a node must confirm gone (kill waits), fencing,
// admin updates of nodes, nodes drained by their site programs, and the
// answers nodes give to launch/signal/terminate messages. A component of the controller
// core (doc/design.md §11).
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Nodes {
 public:
  // What nodes need of the other components, wired by the core.
  struct Hooks {
    // Ends a running job (its batch step ended, or its launch failed) (jobs).
    std::function<Status(const Job& job, int32_t wait_status, const std::string& message)> end_job;
    // Sends (again) the launch of a running batch job (jobs).
    std::function<void(const Job& job)> send_launch;
    // Ends or requeues the jobs running on a node; `node_alive`: it still answers (jobs).
    std::function<void(const std::string& node, const std::string& why, bool node_alive)> fail_jobs;
    // The steps a registering node reports (steps.h).
    std::function<void(const std::string& node, const proto::StepRef& st,
                       proto::RegisterNodeReply* rep)>
        reconcile_step;
    std::function<void(size_t node, const std::set<std::pair<uint64_t, uint32_t>>& reported)>
        resend_steps;
  };

  Nodes(CoreParts parts, CoreServices& core, Hooks hooks)
      : p_(parts), core_(core), hooks_(std::move(hooks)) {}

  // Register, Heartbeat, UpdateNode.
  Status AddHandlers(HandlerTable* table);

  // Every node gets a full NodeTimeout from now (recovered, or the former active renewed
  // their leases until now). `must_register`: on becoming active, every node registers
  // again and its kill waits are rebuilt from the journaled ones.
  void RestartLiveness(bool must_register);
  // Tick: kill waits past their deadline, nodes past NodeTimeout, jobs of lost nodes.
  void CheckTimeouts();
  // The answer of a node to a message of the outbox.
  void OnAnswer(const NodeMessage& out, const Status& st);
  // A node's site program (Prolog, Epilog, HealthCheckProgram) failed: drained.
  void DrainForNode(const std::string& node, const std::string& reason);
  // Node `node` confirmed (or may be assumed) that run (job_id, run_seq) is gone. False
  // when it was not waited for.
  bool KillConfirmed(const std::string& node, uint64_t job_id, uint32_t run_seq);
  // Waits until `node` confirms that run (job_id, run_seq) is gone before the job may
  // start again.
  void AwaitKill(const std::string& node, uint64_t job_id, uint32_t run_seq);
  // Until when a node that does not confirm a kill is waited for.
  int64_t KillDeadline() const;
  // hcontrol update's keys beyond State and Reason (Weight, Features, ActiveFeatures,
  // Gres), checked against herd.conf's `conf` and set on `e`, which holds the node's now
  // (node_update.cc).
  static Status ApplyNodeKeys(const proto::UpdateNodeRequest& req, const NodeConfig& conf,
                              NodeUpdated* e);

 private:
  proto::Frame Register(const Identity& who, const proto::Frame& f);
  proto::Frame Heartbeat(const Identity& who, const proto::Frame& f);
  proto::Frame UpdateNode(const Identity& who, const proto::Frame& f);  // node_update.cc
  // A node that has seen a higher controller epoch than this one's (`seen`, from its
  // request's envelope) refuses this controller's answers: noted (fenced_epoch), logged
  // once. True when fenced.
  bool FencedNode(NodeRecord& n, uint64_t seen);
  // A heartbeat or registration that cannot be accepted still shows the node is alive,
  // for NodeTimeout from the first one (then the node goes DOWN with a reason).
  void NoteUnregisteredLife(NodeRecord& n);
  std::string NodeDownReason(const NodeRecord& n) const;
  bool KillConfirmed(NodeRecord& n, uint64_t job_id, uint32_t run_seq);
  // From the persisted waits (Job::kill_wait_node), on becoming active.
  void RebuildKillWaits();
  void ReconcileBatchLaunches(size_t node, const std::set<uint64_t>& reported);

  CoreParts p_;
  CoreServices& core_;
  Hooks hooks_;
};

}  // namespace herd::ctld
