// herd — Prolog and Epilog on every node of a job (doc/enforce.md). The Prolog runs once per
// run of a job on a node, before the job's first process there: the batch step daemon runs
// it before the script on the batch host, the daemon of the job's first step (hrun) on
// every other node. A record in the spool (<spool>/jobhooks/job<ID>.<RUN>) says that it ran
// and how, under a lock that makes a step that starts meanwhile wait for the outcome. The
// Epilog of a node where a step ran it is herdd's: when the controller ends the job it
// sends its terminate to every node of the job, herdd marks the record ended
// (job<ID>.<RUN>.end) and, once no step of that run is left on the node, runs the Epilog
// beside its loop. The files outlive a restart of herdd, so an Epilog owed is still run.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"

namespace herd::noded {

inline constexpr char kJobHooksDir[] = "jobhooks";

// <spool>/jobhooks/job<ID>.<RUN>: the record of a run's Prolog on this node.
std::string JobHookRecordPath(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq);

// Who ran the Prolog: the batch step daemon (which runs its own Epilog) or a step's.
enum class PrologOwner { kBatch, kStep };

struct PrologOnce {
  bool ok = true;
  bool ran_here = false;  // this call ran it (false: an earlier step's run is taken)
  std::string reason;     // when !ok: "Prolog error: exited 1: ..."
};

// Runs `program` (if not empty) with `env` unless the record says it ran for this job run
// already; waits for a run in progress. `env` is kept in the record for the Epilog (with
// SCRIPT_CONTEXT epilog_slurmd). An error means the record could not be kept.
Result<PrologOnce> RunPrologOnce(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                                 PrologOwner owner, const std::string& program,
                                 const std::vector<std::string>& env, uint32_t timeout_s);

// The controller ended the run: true when a record exists (its Epilog may be owed).
// `wait_status`, when known, is the job's exit status for the Epilog's environment.
bool MarkJobRunEnded(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                     const int32_t* wait_status = nullptr);

// A node where none of the run's steps ran: a record for its Epilog (as a step's Prolog
// leaves), with `env`, unless the run has or had one here. True when made.
Result<bool> RecordIdleRun(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                           const std::vector<std::string>& env);

// The run's record is still here: its Prolog or Epilog is running or owed.
bool JobHookRecordKept(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq);

// The environment of an Epilog from the Prolog's: SCRIPT_CONTEXT becomes epilog_slurmd.
std::vector<std::string> EpilogEnvFromProlog(std::vector<std::string> env);

// herdd's Epilogs: started beside its loop, reaped by it, bounded by PrologEpilogTimeout.
class NodeEpilogs {
 public:
  using Clock = std::chrono::steady_clock;

  NodeEpilogs(const ClusterConfig& config, std::string spool_dir);

  // Starts the Epilog of every ended run whose steps are all gone here (`busy` says whether
  // a run still has a step); drops the records of runs whose Epilog is not herdd's.
  template <class Busy>
  void Poll(const Busy& busy) {
    for (const Ended& e : EndedRuns()) {
      if (!busy(e.job_id, e.run_seq)) Start(e);
    }
  }
  // Kills an Epilog that outlived PrologEpilogTimeout (then reaped as failed).
  void Enforce(Clock::time_point now);
  // A reaped child: true when it was an Epilog; `*failure` then holds the reason to drain
  // the node with, or "".
  bool OnReaped(pid_t pid, int status, std::string* failure);
  bool running() const { return !running_.empty(); }

 private:
  struct Ended {
    uint64_t job_id = 0;
    uint32_t run_seq = 0;
  };
  struct Run {
    std::string record;
    Clock::time_point started;
    bool timed_out = false;
  };
  std::vector<Ended> EndedRuns();
  void Start(const Ended& e);
  void Forget(const std::string& record);

  std::string program_;
  uint32_t timeout_s_;
  std::string spool_dir_;
  std::map<pid_t, Run> running_;
};

}  // namespace herd::noded
