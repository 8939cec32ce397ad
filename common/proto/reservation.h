// herd — advance reservations: nodes set aside by an admin for a time window, for some
// users or accounts (`hcontrol create|update|delete|show reservation`, doc/reservations.md).
// Shared by the controller's state (journaled, replicated) and the wire
// (UpdateReservationRequest, QueryReservationsReply), so that the window, the access rule
// and the display are computed by one piece of code.
#pragma once

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace herd::proto {

// Flags= as Slurm names them. kResvSpecNodes is not given by a user: it says the nodes
// were named (Nodes=), not chosen for a NodeCnt=.
enum ResvFlag : uint32_t {
  kResvMaint = 1u << 0,
  kResvIgnoreJobs = 1u << 1,
  kResvDaily = 1u << 2,
  kResvWeekly = 1u << 3,
  kResvSpecNodes = 1u << 4,
};

struct Reservation {
  std::string name;
  uint32_t id = 0;                    // its creation's number (a generated name is <user>_<id>)
  int64_t start = 0;                  // its first window, wall clock seconds
  int64_t end = 0;                    // end > start
  std::vector<std::string> nodes;     // in the configuration's order
  std::string partition;              // "" = none named
  std::vector<std::string> users;     // all "-name" (everyone but them) or all plain
  std::vector<std::string> accounts;  // the same
  uint32_t flags = 0;                 // ResvFlag bits

  bool operator==(const Reservation& o) const {
    return name == o.name && id == o.id && start == o.start && end == o.end && nodes == o.nodes &&
           partition == o.partition && users == o.users && accounts == o.accounts &&
           flags == o.flags;
  }
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& name& id& start& end& nodes& partition& users& accounts& flags;
  }
};

// How far a window rolls: a day (DAILY), a week (WEEKLY), else 0.
int64_t ResvPeriod(const Reservation& r);

// The window [start, end) that is current or next at `now`: the record's own, or with
// DAILY / WEEKLY the first one rolled forward by whole days / weeks that has not ended;
// none when a reservation that does not repeat has ended.
std::optional<std::pair<int64_t, int64_t>> ResvWindow(const Reservation& r, int64_t now);

// Some window of `r` not ended at `now` meets [from, to) (to may be INT64_MAX).
bool ResvMeets(const Reservation& r, int64_t now, int64_t from, int64_t to);
// Some windows of `a` and `b` not ended at `now` overlap (repeats looked at for 8 weeks).
bool ResvsOverlap(const Reservation& a, const Reservation& b, int64_t now);

// Whether a job of `user` charged to `account` ("" = none) may use it: Slurm's rule, both
// lists must admit it when both are given; a "-" list admits all but those named.
bool ResvAllows(const Reservation& r, const std::string& user, const std::string& account);

// "MAINT,IGNORE_JOBS" (case-insensitive; also with a leading '+' or '-' as scontrol update
// takes them: see ApplyResvFlags) -> bits; InvalidArgument naming what is not supported.
Result<uint32_t> ParseResvFlags(const std::string& text);
// `text` applied to `flags`: "+F" adds, "-F" removes, a plain list replaces (SPEC_NODES kept).
Result<uint32_t> ApplyResvFlags(uint32_t flags, const std::string& text);
// As scontrol shows them: MAINT,IGNORE_JOBS,DAILY,WEEKLY,SPEC_NODES; "(null)" when none.
std::string FormatResvFlags(uint32_t flags);

// Slurm's Duration: [D-]HH:MM:SS.
std::string FormatResvDuration(int64_t seconds);

// hcontrol show reservation's record, as scontrol show reservation prints it (one line
// with `oneliner`); `now` decides the window and State=ACTIVE|INACTIVE; `cpus` the
// reserved nodes' cpus (CoreCnt= and TRES=); `time_fmt` formats a wall clock time.
std::string FormatReservation(const Reservation& r, int64_t now, uint64_t cpus, bool oneliner,
                              std::string (*time_fmt)(int64_t));

}  // namespace herd::proto
