// herd — Prolog once per job run on a node, and herdd's Epilogs.
#include "nodedaemon/job_hooks.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "nodedaemon/hooks.h"
#include "nodedaemon/spool.h"

namespace herd::noded {
namespace {

constexpr char kOkBatch[] = "ok batch";
constexpr char kOkStep[] = "ok step";
constexpr char kFailed[] = "failed ";
constexpr char kEndSuffix[] = ".end";
// Left when a run's Epilog is done here, so that a terminate sent again does not start it
// again as on a node where nothing ran; removed after kDoneKeepSeconds.
constexpr char kDoneSuffix[] = ".done";
constexpr int64_t kDoneKeepSeconds = 600;
constexpr char kExitPrefix[] = "exit ";

// A record's whole text, read through `fd` (which holds its lock).
std::string ReadAll(int fd) {
  std::string text;
  char buf[4096];
  off_t at = 0;
  while (true) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return text;
}

Status WriteAll(int fd, const std::string& text) {
  if (::ftruncate(fd, 0) != 0) return Internal(std::string("ftruncate: ") + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("write: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A record: its first line, then the environment of the run's hooks, a variable a line.
std::string RecordText(const std::string& first, const std::vector<std::string>& env) {
  std::string text = first + '\n';
  for (const std::string& e : env) {
    std::string line = e;
    for (char& c : line) {
      if (c == '\n') c = ' ';
    }
    text += line + '\n';
  }
  return text;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

class LockedFile {
 public:
  explicit LockedFile(int fd) : fd_(fd) {}
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string JobHookRecordPath(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq) {
  return spool_dir + "/" + kJobHooksDir + "/" + StepDirName(job_id, run_seq);
}

Result<PrologOnce> RunPrologOnce(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                                 PrologOwner owner, const std::string& program,
                                 const std::vector<std::string>& env, uint32_t timeout_s) {
  HERD_RETURN_IF_ERROR(MakeDirs(spool_dir + "/" + kJobHooksDir, 0700));
  const std::string path = JobHookRecordPath(spool_dir, job_id, run_seq);
  LockedFile file(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (file.fd() < 0) return Internal("cannot open " + path + ": " + std::strerror(errno));
  while (::flock(file.fd(), LOCK_EX) != 0) {
    if (errno != EINTR) return Internal("cannot lock " + path + ": " + std::strerror(errno));
  }
  const std::string first = FirstLine(ReadAll(file.fd()));
  PrologOnce once;
  if (StartsWith(first, "ok ")) return once;  // an earlier step of the run ran it
  if (StartsWith(first, kFailed)) {
    once.ok = false;
    once.reason = first.substr(sizeof kFailed - 1);
    return once;
  }
  once.ran_here = true;
  if (!program.empty()) {
    auto run = RunHook(program, env, path + ".out", timeout_s);
    if (!run.ok()) {
      once.ok = false;
      once.reason = "Prolog error: " + run.error().message();
    } else if (run->wait_status != 0 || run->timed_out) {
      once.ok = false;
      once.reason = HookFailure("Prolog", *run, timeout_s);
    }
  }
  const std::string head = once.ok ? (owner == PrologOwner::kBatch ? kOkBatch : kOkStep)
                                   : std::string(kFailed) + once.reason;
  HERD_RETURN_IF_ERROR(WriteAll(file.fd(), RecordText(head, env)));
  return once;
}

bool MarkJobRunEnded(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                     const int32_t* wait_status) {
  const std::string path = JobHookRecordPath(spool_dir, job_id, run_seq);
  if (!PathExists(path)) return false;
  const std::string note =
      wait_status != nullptr ? kExitPrefix + std::to_string(*wait_status) + "\n" : "";
  Status st = WriteFileAtomic(path + kEndSuffix, note, kSpoolDurable);
  if (!st.ok()) HERD_LOG(Warning) << st.message();
  return true;
}

Result<bool> RecordIdleRun(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq,
                           const std::vector<std::string>& env) {
  const std::string path = JobHookRecordPath(spool_dir, job_id, run_seq);
  if (Exists(path) || Exists(path + kDoneSuffix)) return false;
  HERD_RETURN_IF_ERROR(MakeDirs(spool_dir + "/" + kJobHooksDir, 0700));
  HERD_RETURN_IF_ERROR(WriteFileAtomic(path, RecordText(kOkStep, env), kSpoolDurable));
  return true;
}

bool JobHookRecordKept(const std::string& spool_dir, uint64_t job_id, uint32_t run_seq) {
  const std::string record = JobHookRecordPath(spool_dir, job_id, run_seq);
  return Exists(record) || Exists(record + kEndSuffix);
}

std::vector<std::string> EpilogEnvFromProlog(std::vector<std::string> env) {
  for (std::string& e : env) {
    if (e == "SLURM_SCRIPT_CONTEXT=prolog_slurmd") e = "SLURM_SCRIPT_CONTEXT=epilog_slurmd";
    if (e == "HERD_SCRIPT_CONTEXT=prolog_slurmd") e = "HERD_SCRIPT_CONTEXT=epilog_slurmd";
  }
  return env;
}

NodeEpilogs::NodeEpilogs(const ClusterConfig& config, std::string spool_dir)
    : program_(config.hooks.epilog),
      timeout_s_(config.hooks.prolog_epilog_timeout_s),
      spool_dir_(std::move(spool_dir)) {}

std::vector<NodeEpilogs::Ended> NodeEpilogs::EndedRuns() {
  std::vector<Ended> out;
  const std::string dir = spool_dir_ + "/" + kJobHooksDir;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  std::vector<std::string> names;
  while (const dirent* ent = ::readdir(d)) names.emplace_back(ent->d_name);
  ::closedir(d);
  const std::string suffix = kEndSuffix;
  const std::string done = kDoneSuffix;
  const int64_t now = static_cast<int64_t>(::time(nullptr));
  for (const std::string& name : names) {
    if (name.size() > done.size() &&
        name.compare(name.size() - done.size(), done.size(), done) == 0) {
      struct stat st {};
      const std::string path = dir + "/" + name;
      if (::lstat(path.c_str(), &st) == 0 && now - st.st_mtime > kDoneKeepSeconds) {
        (void)::unlink(path.c_str());
      }
      continue;
    }
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    Ended e;
    uint32_t step = 0;
    const std::string base = name.substr(0, name.size() - suffix.size());
    if (!ParseStepDirName(base, &e.job_id, &e.run_seq, &step) || step != proto::kBatchStep) {
      continue;
    }
    const std::string record = dir + "/" + base;
    bool running = false;
    for (const auto& [pid, run] : running_) running = running || run.record == record;
    if (running) continue;
    LockedFile file(::open(record.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (file.fd() >= 0 && ::flock(file.fd(), LOCK_SH | LOCK_NB) != 0) continue;  // its Prolog runs
    const std::string first = file.fd() >= 0 ? FirstLine(ReadAll(file.fd())) : "";
    // The batch step daemon runs its own Epilog; a run whose Prolog failed gets none.
    if (first != kOkStep || program_.empty()) {
      Forget(record);
      continue;
    }
    out.push_back(e);
  }
  return out;
}

void NodeEpilogs::Start(const Ended& e) {
  const std::string record = JobHookRecordPath(spool_dir_, e.job_id, e.run_seq);
  auto text = ReadFile(record);
  std::vector<std::string> env;
  if (text.ok()) {
    size_t at = text->find('\n');
    while (at != std::string::npos && at + 1 < text->size()) {
      size_t next = text->find('\n', at + 1);
      env.push_back(text->substr(at + 1, next == std::string::npos ? next : next - at - 1));
      at = next;
    }
  }
  // The job's exit status, when the controller's terminate said it (the end marker).
  auto end = ReadFile(record + kEndSuffix);
  const bool has_exit = std::any_of(env.begin(), env.end(), [](const std::string& v) {
    return StartsWith(v, "SLURM_JOB_EXIT_CODE=");
  });
  if (end.ok() && StartsWith(*end, kExitPrefix) && !has_exit) {
    for (std::string& v : ExitCodeEnv(std::atoi(end->c_str() + sizeof kExitPrefix - 1))) {
      env.push_back(std::move(v));
    }
  }
  auto pid = StartHook(program_, EpilogEnvFromProlog(std::move(env)), record + ".out");
  if (!pid.ok()) {
    HERD_LOG(Error) << "job " << e.job_id << ": Epilog " << program_ << ": "
                    << pid.error().message();
    Forget(record);
    return;
  }
  HERD_LOG(Info) << "job " << e.job_id << " run " << e.run_seq << ": Epilog started (pid " << *pid
                 << ")";
  running_[*pid] = Run{record, Clock::now(), false};
}

void NodeEpilogs::Enforce(Clock::time_point now) {
  if (timeout_s_ == 0) return;
  for (auto& [pid, run] : running_) {
    if (run.timed_out || now - run.started < std::chrono::seconds(timeout_s_)) continue;
    run.timed_out = true;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
}

bool NodeEpilogs::OnReaped(pid_t pid, int status, std::string* failure) {
  auto it = running_.find(pid);
  if (it == running_.end()) return false;
  HookRun run;
  run.wait_status = status;
  run.timed_out = it->second.timed_out;
  run.first_line = HookFirstLine(it->second.record + ".out");
  failure->clear();
  if (status != 0 || run.timed_out) *failure = HookFailure("Epilog", run, timeout_s_);
  Forget(it->second.record);
  running_.erase(it);
  return true;
}

void NodeEpilogs::Forget(const std::string& record) {
  if (!program_.empty()) {
    Status st = WriteFileAtomic(record + kDoneSuffix, "", kSpoolDurable);
    if (!st.ok()) HERD_LOG(Warning) << st.message();
  }
  for (const std::string& p : {record + kEndSuffix, record + ".out", record}) {
    (void)::unlink(p.c_str());
  }
}

}  // namespace herd::noded
