// herd — PrologSlurmctld and EpilogSlurmctld (ctld_hooks.h).
#include "controller/ctld_hooks.h"

#include <grp.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "controller/state/events.h"

namespace herd::ctld {

struct CtldHookRunner::Shared {
  std::mutex mu;
  std::deque<Done> done;
  int efd = -1;
  ~Shared() {
    if (efd >= 0) ::close(efd);
  }
};

CtldHookRunner::CtldHookRunner() : shared_(std::make_shared<Shared>()) {
  shared_->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (shared_->efd < 0) HERD_LOG(Error) << "eventfd: " << std::strerror(errno);
}

// A thread still waiting for its program keeps `shared_` alive; its result is dropped.
CtldHookRunner::~CtldHookRunner() = default;

int CtldHookRunner::fd() const { return shared_->efd; }

void CtldHookRunner::Start(Run run) {
  std::shared_ptr<Shared> shared = shared_;
  std::thread([shared, run = std::move(run)] {
    Done d;
    d.job_id = run.job_id;
    d.run_seq = run.run_seq;
    d.epilog = run.epilog;
    auto r = RunHook(run.program, run.env, run.output_file, run.timeout_s);
    if (r.ok()) {
      d.run = *r;
    } else {
      d.start_error = r.error().message();
    }
    {
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->done.push_back(std::move(d));
    }
    const uint64_t one = 1;
    ssize_t w = ::write(shared->efd, &one, sizeof one);
    (void)w;
  }).detach();
}

std::vector<CtldHookRunner::Done> CtldHookRunner::Take() {
  uint64_t n = 0;
  ssize_t r = ::read(shared_->efd, &n, sizeof n);
  (void)r;
  std::lock_guard<std::mutex> lock(shared_->mu);
  std::vector<Done> out(std::make_move_iterator(shared_->done.begin()),
                        std::make_move_iterator(shared_->done.end()));
  shared_->done.clear();
  return out;
}

namespace {

std::string GroupOf(uint32_t gid) {
  struct group gr {};
  struct group* found = nullptr;
  std::vector<char> buf(16384);
  if (::getgrgid_r(static_cast<gid_t>(gid), &gr, buf.data(), buf.size(), &found) == 0 &&
      found != nullptr) {
    return found->gr_name;
  }
  return std::to_string(gid);
}

const char* HookName(bool epilog) { return epilog ? "EpilogSlurmctld" : "PrologSlurmctld"; }

}  // namespace

std::vector<std::string> CtldHooks::Env(const Job& job, bool epilog) const {
  std::vector<std::string> names;
  std::vector<uint32_t> cpus;
  for (const NodeAlloc& a : job.alloc) {
    names.push_back(a.node);
    cpus.push_back(static_cast<uint32_t>(a.cpus.size()));
  }
  std::vector<std::pair<std::string, std::string>> vars = {
      {"CLUSTER_NAME", p_.config.cluster_name},
      {"JOB_ID", std::to_string(job.id)},
      {"JOBID", std::to_string(job.id)},
      {"JOB_ACCOUNT", job.spec.account.str()},
      {"JOB_CPUS_PER_NODE", FormatCountList(cpus)},
      {"JOB_GID", std::to_string(job.gid)},
      {"JOB_GROUP", GroupOf(job.gid)},
      {"JOB_NAME", job.spec.name.str()},
      {"JOB_NODELIST", CompressHostlist(names)},
      {"JOB_NUM_NODES", std::to_string(names.size())},
      {"JOB_PARTITION", job.partition.str()},
      {"JOB_RESTART_COUNT", std::to_string(job.restarts)},
      {"JOB_UID", std::to_string(job.uid)},
      {"JOB_USER", job.user.str()},
      {"JOB_WORK_DIR", job.spec.work_dir.str()},
      {"SCRIPT_CONTEXT", epilog ? "epilog_slurmctld" : "prolog_slurmctld"},
  };
  if (epilog) {
    const int ws = job.wait_status;
    vars.emplace_back("JOB_DERIVED_EC", std::to_string(WIFEXITED(ws) ? WEXITSTATUS(ws) : 0));
  }
  std::vector<std::string> env;
  for (const auto& [k, v] : vars) {
    env.push_back("SLURM_" + k + "=" + v);
    env.push_back("HERD_" + k + "=" + v);
  }
  if (epilog) {
    for (std::string& v : ExitCodeEnv(job.wait_status)) env.push_back(std::move(v));
  }
  return env;
}

void CtldHooks::Launch(const Job& job, bool epilog) {
  const auto key = std::make_tuple(job.id, job.run_seq, epilog);
  if (!running_.insert(key).second) return;
  CtldHookRunner::Run run;
  run.job_id = job.id;
  run.run_seq = job.run_seq;
  run.epilog = epilog;
  run.program = epilog ? p_.config.hooks.epilog_slurmctld : p_.config.hooks.prolog_slurmctld;
  run.env = Env(job, epilog);
  run.output_file = p_.config.state_dir + "/" +
                    (epilog ? "epilog_slurmctld." : "prolog_slurmctld.") + std::to_string(job.id) +
                    "." + std::to_string(job.run_seq);
  run.timeout_s = p_.config.hooks.prolog_epilog_timeout_s;
  runner_.Start(std::move(run));
}

bool CtldHooks::Started(const Job& job) {
  if (p_.config.hooks.prolog_slurmctld.empty()) return false;
  if (Status s = p_.journal.Emit(CtldHookOwed{job.id, job.run_seq, false}); !s.ok()) {
    HERD_LOG(Warning) << "job " << job.id << ": PrologSlurmctld not recorded: " << s.message();
    return false;
  }
  Launch(job, false);
  return true;
}

void CtldHooks::Ended(uint64_t job_id) {
  if (p_.config.hooks.epilog_slurmctld.empty()) return;
  const Job* j = p_.state.FindJob(job_id);
  if (j == nullptr || j->run_seq == 0 || j->alloc.empty()) return;  // it never ran
  if (Status s = p_.journal.Emit(CtldHookOwed{j->id, j->run_seq, true}); !s.ok()) {
    HERD_LOG(Warning) << "job " << job_id << ": EpilogSlurmctld not recorded: " << s.message();
    return;
  }
  Launch(*j, true);
}

void CtldHooks::Check() {
  if (p_.config.hooks.prolog_slurmctld.empty() && p_.config.hooks.epilog_slurmctld.empty()) {
    return;
  }
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.ctld_prolog_owed && !p_.config.hooks.prolog_slurmctld.empty() &&
        j.state == JobState::kRunning) {
      Launch(j, false);
    }
    if (j.ctld_epilog_owed && !p_.config.hooks.epilog_slurmctld.empty()) Launch(j, true);
  }
}

void CtldHooks::HandleDone() {
  for (CtldHookRunner::Done& d : runner_.Take()) {
    running_.erase(std::make_tuple(d.job_id, d.run_seq, d.epilog));
    // A controller no longer active leaves it owed: the active runs it.
    if (!hooks_.writable()) continue;
    const Job* j = p_.state.FindJob(d.job_id);
    if (j == nullptr || j->run_seq != d.run_seq) continue;
    if (!(d.epilog ? j->ctld_epilog_owed : j->ctld_prolog_owed)) continue;  // ended meanwhile
    const bool ok = d.start_error.empty() && !d.run.timed_out && WIFEXITED(d.run.wait_status) &&
                    WEXITSTATUS(d.run.wait_status) == 0;
    CtldHookDone e{d.job_id, d.run_seq, d.epilog, d.run.wait_status, ""};
    if (!ok) {
      e.reason =
          d.start_error.empty()
              ? HookFailure(HookName(d.epilog), d.run, p_.config.hooks.prolog_epilog_timeout_s)
              : std::string(HookName(d.epilog)) + " error: " + d.start_error;
      HERD_LOG(Warning) << "job " << d.job_id << ": " << e.reason;
    }
    if (Status s = p_.journal.Emit(e); !s.ok()) {
      HERD_LOG(Warning) << "job " << d.job_id << ": " << HookName(d.epilog)
                        << " end not recorded: " << s.message();
      continue;
    }
    j = p_.state.FindJob(d.job_id);
    if (d.epilog || j->state != JobState::kRunning) continue;
    if (!ok) {
      hooks_.prolog_failed(*j, e.reason);
    } else if (!j->spec.interactive) {
      hooks_.send_launch(*j);
    }
    core_.RequestSchedule();
  }
}

}  // namespace herd::ctld
