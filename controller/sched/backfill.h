// herd — backfill (sched/backfill, EASY): a reservation for the first job of a partition
// that does not fit, at the earliest time the running jobs' expected ends (start + time
// limit) leave room for it, and the rule for the jobs behind it: one starts now only if
// it ends before every reservation whose nodes it would take.
//
// Advance reservations made by admins (proto/reservation.h) hold their nodes the same way:
// a job without --reservation is kept off a reservation's nodes for any time its own run
// (now or in the look-ahead, its time limit; unlimited: forever) would meet one of the
// reservation's windows. A job with --reservation runs only on its reservation's nodes,
// once its window has begun (Waits gives the reason before that).
//
// Pure, like the rest of the scheduler: reads the state and the plan being made.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "controller/sched/placement.h"

namespace herd::ctld {

struct Reservation {
  uint64_t job_id = 0;
  int64_t start = 0;             // expected start, wall clock seconds
  int64_t end = 0;               // start + its time limit (INT64_MAX: unlimited)
  std::vector<NodeAlloc> alloc;  // where it is expected to run
};

class Backfill {
 public:
  Backfill(const ClusterState& state, int64_t now);

  // Places `job` now on what `planned` leaves free, off the nodes of every reservation
  // it would still be running at.
  Result<std::vector<NodeAlloc>> PlaceNow(const Job& job, const PlannedUse& planned) const;
  // The earliest time within bf_window at which `job` fits as the running jobs and the
  // plan's starts end (taken bf_resolution seconds at a time), clear of the reservations
  // made so far; none when it does not fit within the window.
  std::optional<Reservation> Reserve(const Job& job, const PlannedUse& planned);
  // A start of the plan (it holds its nodes until its expected end).
  void Started(const Job& job, const std::vector<NodeAlloc>& alloc);
  void Add(Reservation r) { reservations_.push_back(std::move(r)); }
  // Why `job`, which did not fit now, waits when it would have fitted but for the advance
  // reservations' nodes (ReqNodeNotAvail, ...); kNone when they are not the cause.
  PendingReason HeldByAdminResv(const Job& job, const PlannedUse& planned) const;
  const std::vector<Reservation>& reservations() const { return reservations_; }

 private:
  using End = std::pair<int64_t, const std::vector<NodeAlloc>*>;
  int64_t EndOf(const Job& job, int64_t start) const;
  int64_t Clamp(int64_t t) const;
  // The nodes `job` must keep off for a run over [from, to): those of the backfill
  // reservations that overlap it, and the advance reservations' (all but its own
  // reservation's, for a job that names one); empty when none.
  std::vector<bool> Avoid(const Job& job, int64_t from, int64_t to) const;
  struct AdminResv {
    const proto::Reservation* resv;
    std::vector<size_t> nodes;  // node indices
  };
  void CollectEnds();

  const ClusterState& state_;
  const int64_t now_;
  const int64_t resolution_;
  const int64_t horizon_;
  bool have_ends_ = false;
  std::vector<End> ends_;  // running jobs, by expected end
  std::vector<std::pair<int64_t, std::vector<NodeAlloc>>> started_;  // the plan's starts
  std::vector<Reservation> reservations_;
  std::vector<AdminResv> admin_;  // the advance reservations not ended
};

}  // namespace herd::ctld
