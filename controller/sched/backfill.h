// herd — backfill (sched/backfill, EASY): a reservation for the first job of a partition
// that does not fit, at the earliest time the running jobs' expected ends (start + time
// limit) leave room for it, and the rule for the jobs behind it: one starts now only if
// it ends before every reservation whose nodes it would take.
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
  const std::vector<Reservation>& reservations() const { return reservations_; }

 private:
  using End = std::pair<int64_t, const std::vector<NodeAlloc>*>;
  int64_t EndOf(const Job& job, int64_t start) const;
  int64_t Clamp(int64_t t) const;
  // The nodes of the reservations that overlap [from, to); empty when none do.
  std::vector<bool> Avoid(int64_t from, int64_t to) const;
  void CollectEnds();

  const ClusterState& state_;
  const int64_t now_;
  const int64_t resolution_;
  const int64_t horizon_;
  bool have_ends_ = false;
  std::vector<End> ends_;  // running jobs, by expected end
  std::vector<std::pair<int64_t, std::vector<NodeAlloc>>> started_;  // the plan's starts
  std::vector<Reservation> reservations_;
};

}  // namespace herd::ctld
