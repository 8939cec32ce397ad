// herd sim — workloads: clients that submit and follow up on jobs through the
// controller's request path (HandleRequest, signed with the owner's uid), as hbatch,
// hcontrol release and hcancel would. A storm of random jobs (some held then released,
// some cancelled, some failing or over their time limit), and the replay of a trace in the
// Standard Workload Format, mapped onto the simulated cluster.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "testsuite/sim/world.h"

namespace herd::sim {

class Workload : public Actor {
 public:
  // A reply to one of the workload's requests.
  virtual void OnReply(uint32_t client, const proto::Frame& reply) = 0;
  // Everything is submitted and every follow-up (release, cancel) has been answered.
  virtual bool Done() const = 0;
  virtual std::string Summary() const = 0;
  // Virtual time by which a healthy cluster has surely finished every job.
  virtual int64_t DeadlineMs() const = 0;
};

// Clients that submit planned jobs and learn their ids. A submission whose reply was lost
// is looked up by its unique job name; one the controller never recorded is given up.
class JobClients : public Workload {
 public:
  struct Plan {
    uint32_t uid = 1000;
    proto::JobSpec spec;  // name unique within the workload
    int64_t submit_at_ms = 0;
    int64_t release_after_ms = -1;  // spec.hold: released this long after the id is known
    int64_t cancel_after_ms = -1;   // cancelled this long after the id is known
    int64_t run_ms = 0;             // what the script's sleep says
  };

  JobClients(World& world, std::vector<Plan> plans);
  int64_t NextActionMs() const override;
  void Act() override;
  void OnReply(uint32_t client, const proto::Frame& reply) override;
  bool Done() const override;
  std::string Summary() const override;

 protected:
  enum class Phase : uint8_t { kWaiting, kSubmitted, kQuerying, kKnown, kLost, kRejected };
  struct Entry {
    Plan plan;
    Phase phase = Phase::kWaiting;
    uint64_t job_id = 0;
    int64_t submitted_ms = 0;
    int64_t next_ms = 0;         // next submit / query
    int64_t release_at_ms = -1;  // -1: nothing to do
    int64_t cancel_at_ms = -1;
  };
  enum class Req : uint8_t { kSubmit, kQuery, kRelease, kCancel };

  const std::vector<Entry>& entries() const { return entries_; }
  World& world_;

 private:
  void Send(size_t index, Req what, const proto::Frame& f);
  void Known(Entry& e, uint64_t job_id);
  std::vector<Entry> entries_;
  std::map<uint64_t, std::pair<size_t, Req>> inflight_;  // by request id
  uint32_t queries_ = 0;
  uint32_t released_ = 0;
  uint32_t cancels_ = 0;
};

struct StormOptions {
  uint32_t jobs = 40;
  int64_t span_ms = 10 * 60 * 1000;  // submissions spread over this
  uint32_t users = 4;
  double hold = 0.15;     // fraction submitted held, released later
  double cancel = 0.15;   // fraction cancelled at a random moment
  double fail = 0.1;      // fraction whose script exits 3
  double too_long = 0.1;  // fraction running past their time limit
  bool admin = true;      // an administrator drains, downs and resumes nodes, and takes
                          // the "short" partition down and up again
};

// Random jobs over the whole cluster and the two-node "short" partition, and a few
// administrator actions (each undone later: resume after drain or down, up after down).
class StormWorkload : public JobClients {
 public:
  StormWorkload(World& world, const StormOptions& o);
  int64_t DeadlineMs() const override { return deadline_ms_; }
  int64_t NextActionMs() const override;
  void Act() override;
  void OnReply(uint32_t client, const proto::Frame& reply) override;
  bool Done() const override;
  std::string Summary() const override;

 private:
  // One request of the administrator (uid 0), sent until answered; an undo waits for the
  // action it undoes to be answered, so that a resend cannot overtake it.
  struct AdminOp {
    int64_t at_ms = 0;
    proto::Frame frame;
    std::string what;
    int after = -1;  // index of the op that must be answered first
    bool done = false;
    uint64_t rid = 0;
  };
  struct Made {
    std::vector<Plan> plans;
    std::vector<AdminOp> admin;
    int64_t deadline_ms = 0;
  };
  StormWorkload(World& world, Made made);
  static Made MakePlans(World& world, const StormOptions& o);
  static void PlanAdmin(World& world, const StormOptions& o, std::vector<AdminOp>* ops);
  bool Ready(const AdminOp& op) const;
  std::vector<AdminOp> admin_;
  int64_t deadline_ms_;
};

// Script text the simulated nodes understand.
std::string SimScript(const std::string& name, int64_t run_ms, int exit_code);

}  // namespace herd::sim
