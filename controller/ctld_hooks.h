// herd — the programs a site runs on the controller: PrologSlurmctld when a job is
// allocated its nodes (its batch script is launched, and an allocation granted, only once
// it succeeded) and EpilogSlurmctld when a job has ended (it stays COMPLETING until then),
// as Slurm's slurmctld runs them (doc/enforce.md). Each run is a child process waited for
// by a helper thread, which posts the result back to the loop through an eventfd: the
// loop never waits for one. What is owed is journaled (CtldHookOwed in the batch of the
// job's start or end, CtldHookDone when it ended), so a restarted or new active controller
// runs again, from its start, a hook that was running when the controller died (it may
// thus run twice, never zero times) and never one that had ended. A component of the
// controller core (doc/design.md §11).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/base/site_program.h"
#include "controller/component.h"

namespace herd::ctld {

// Runs programs off the loop: each in a thread of its own that waits for it; the results
// come back through Take(), with fd() readable while some wait.
class CtldHookRunner {
 public:
  struct Run {
    uint64_t job_id = 0;
    uint32_t run_seq = 0;
    bool epilog = false;
    std::string program;
    std::vector<std::string> env;
    std::string output_file;
    uint32_t timeout_s = 0;
  };
  struct Done {
    uint64_t job_id = 0;
    uint32_t run_seq = 0;
    bool epilog = false;
    HookRun run;
    std::string start_error;  // the program could not be started
  };

  CtldHookRunner();
  ~CtldHookRunner();
  CtldHookRunner(const CtldHookRunner&) = delete;
  CtldHookRunner& operator=(const CtldHookRunner&) = delete;

  void Start(Run run);
  int fd() const;
  std::vector<Done> Take();

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // outlives this object while a thread runs
};

class CtldHooks {
 public:
  struct Hooks {
    std::function<void(const Job& job)> send_launch;  // jobs: the batch launch
    // A failed PrologSlurmctld: the job (still running) is requeued or, interactive, ended.
    std::function<void(const Job& job, const std::string& reason)> prolog_failed;
    std::function<bool()> writable;  // this controller is the active one
  };

  CtldHooks(CoreParts parts, CoreServices& core, Hooks hooks)
      : p_(parts), core_(core), hooks_(std::move(hooks)) {}

  // Job `job` has just started (JobStarted applied): with PrologSlurmctld it is owed
  // (journaled) and started; true when the launch must wait for it.
  bool Started(const Job& job);
  // Job `job_id` has just ended (JobEnded applied): with EpilogSlurmctld it is owed and
  // started.
  void Ended(uint64_t job_id);
  // Tick (active): starts what the journal says is owed and does not run here (after a
  // restart or a failover).
  void Check();
  // The loop: what ended.
  void HandleDone();
  int fd() const { return runner_.fd(); }

  // The environment of the hooks, as Slurm's slurmctld gives it (and the HERD_ names).
  std::vector<std::string> Env(const Job& job, bool epilog) const;

 private:
  void Launch(const Job& job, bool epilog);

  CoreParts p_;
  CoreServices& core_;
  Hooks hooks_;
  CtldHookRunner runner_;
  std::set<std::tuple<uint64_t, uint32_t, bool>> running_;  // job, run, epilog
};

}  // namespace herd::ctld
