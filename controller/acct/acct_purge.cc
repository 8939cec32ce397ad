// herd — the purge: when it is due, what it deletes, and AcctStore::Purge, which deletes
// each kind of record in its own transaction after its archive files are on disk.
#include "controller/acct/acct_purge.h"

#include <ctime>

#include "controller/acct/acct_archive.h"
#include "controller/acct/acct_store.h"

namespace herd::ctld::acct {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

// The start of the UTC month `months` months from the one holding `t` (negative: back).
int64_t MonthStart(int64_t t, int64_t months) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm;
  gmtime_r(&tt, &tm);
  int64_t index = int64_t{tm.tm_year} * 12 + tm.tm_mon + months;
  struct tm start = {};
  start.tm_year = static_cast<int>(index / 12);
  start.tm_mon = static_cast<int>(index % 12);
  start.tm_mday = 1;
  return static_cast<int64_t>(timegm(&start));
}

// The start of the interval of `unit` holding `now`, moved by `n` intervals.
int64_t IntervalStart(PurgeAfter::Unit unit, int64_t now, int64_t n) {
  switch (unit) {
    case PurgeAfter::kHours:
      return now - now % kHour + n * kHour;
    case PurgeAfter::kDays:
      return now - now % kDay + n * kDay;
    case PurgeAfter::kMonths:
      return MonthStart(now, n);
    case PurgeAfter::kNever:
      break;
  }
  return 0;
}

}  // namespace

AcctPurgeConfig PurgePolicyOf(const ClusterConfig& config) {
  AcctPurgeConfig p = config.purge;
  if (p.archive_dir.empty()) p.archive_dir = config.state_dir + "/archive";
  return p;
}

int64_t PurgeCutoff(const PurgeAfter& after, int64_t now) {
  if (!after.set()) return 0;
  return IntervalStart(after.unit, now, -int64_t{after.count});
}

int64_t NextPurge(const AcctPurgeConfig& policy, int64_t now) {
  PurgeAfter::Unit finest = PurgeAfter::kNever;
  for (const PurgeAfter* a : {&policy.jobs, &policy.steps, &policy.events, &policy.usage}) {
    if (a->set() && (finest == PurgeAfter::kNever || a->unit < finest)) finest = a->unit;
  }
  return finest == PurgeAfter::kNever ? 0 : IntervalStart(finest, now, 1);
}

std::string PurgeReport::Describe() const {
  std::string out = std::to_string(jobs) + " jobs, " + std::to_string(steps) + " steps, " +
                    std::to_string(events) + " node events, " + std::to_string(usage) +
                    " usage hours purged";
  if (!files.empty()) out += "; archived to " + std::to_string(files.size()) + " file(s)";
  return out;
}

Status AcctStore::Purge(const AcctPurgeConfig& policy, int64_t now, PurgeReport* report) {
  // One transaction per kind; a job goes with its steps (archived with them when steps
  // are). The counts are added once the kind's transaction committed.
  struct Part {
    PurgeSelection sel;
    bool archive;
    uint64_t PurgeReport::*count;
  };
  auto kind = [&](const PurgeAfter& after, std::initializer_list<Part> parts) {
    if (!after.set()) return Status::Ok();
    const int64_t cutoff = PurgeCutoff(after, now);
    PurgeReport done;
    auto body = [&] {
      Status s;
      for (const Part& p : parts) {
        if (s.ok()) {
          s = PurgeRows(p.sel, cutoff, p.archive, policy.archive_dir, &(done.*p.count),
                        &done.files);
        }
      }
      return s;
    };
    Status s = InTransaction(body);
    report->files.insert(report->files.end(), done.files.begin(), done.files.end());
    if (!s.ok()) return s;
    for (auto count :
         {&PurgeReport::jobs, &PurgeReport::steps, &PurgeReport::events, &PurgeReport::usage}) {
      report->*count += done.*count;
    }
    return s;
  };
  HERD_RETURN_IF_ERROR(
      kind(policy.jobs, {{StepsOfEndedJobs(), policy.archive_steps, &PurgeReport::steps},
                         {EndedJobs(), policy.archive_jobs, &PurgeReport::jobs}}));
  HERD_RETURN_IF_ERROR(
      kind(policy.steps, {{EndedSteps(), policy.archive_steps, &PurgeReport::steps}}));
  HERD_RETURN_IF_ERROR(
      kind(policy.events, {{EndedNodeEvents(), policy.archive_events, &PurgeReport::events}}));
  return kind(policy.usage, {{PastUsageHours(), policy.archive_usage, &PurgeReport::usage}});
}

Status AcctStore::InTransaction(const std::function<Status()>& body) {
  HERD_RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  Status s = body();
  if (s.ok()) s = conn_->Exec("COMMIT");
  if (!s.ok()) (void)conn_->Exec("ROLLBACK");
  return s;
}

}  // namespace herd::ctld::acct
