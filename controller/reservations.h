// herd — advance reservations: `hcontrol create|update|delete reservation`
// (UpdateReservationRequest), each change journaled as the reservation's whole new record
// (ReservationDefined, ReservationDeleted) with its audit record, `hcontrol show
// reservation` / `hinfo -T` (QueryReservations), and the reservations that ended forgotten.
// A component of the controller core (doc/design.md §11); the scheduler reads the
// reservations from the state (sched/resv_rules.h); doc/reservations.md says the rules.
#pragma once

#include <string>
#include <vector>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"

namespace herd::ctld {

class Reservations {
 public:
  Reservations(CoreParts parts, CoreServices& core) : p_(parts), core_(core) {}

  // UpdateReservation (active), QueryReservations (also a passive).
  Status AddHandlers(HandlerTable* table);

  // The record `req` asks for (create or update), checked as Slurm checks it: the names
  // it gives (nodes, users, accounts, partition), its times, no overlap with another
  // reservation on the same nodes unless one of them is MAINT, no running job on its
  // nodes in its window without IGNORE_JOBS. `caller`: the user a generated name takes
  // when Users= names nobody.
  Result<proto::Reservation> Build(const proto::UpdateReservationRequest& req,
                                   const std::string& caller) const;

  // Once a second while active: forgets (journaled) the reservations that ended and do
  // not repeat, and asks for a scheduling pass when a window started or ended.
  void Tick();

 private:
  proto::Frame Update(const Identity& who, const proto::Frame& f);
  proto::Frame Query(const Identity& who, const proto::Frame& f);
  Status ApplyKey(const std::string& key, const std::string& value, proto::Reservation* r,
                  bool* nodes_given, int64_t* duration, uint32_t* node_cnt) const;
  Status CheckNames(const proto::Reservation& r) const;
  Status CheckOverlap(const proto::Reservation& r) const;
  // NodeCnt=N: the first N usable nodes (of its partition, if named) free of other
  // reservations in its window (and of running jobs, without IGNORE_JOBS).
  Status PickNodes(uint32_t count, proto::Reservation* r) const;
  std::vector<bool> BusyNodes(const proto::Reservation& r) const;
  uint64_t CpusOf(const proto::Reservation& r) const;

  CoreParts p_;
  CoreServices& core_;
  int64_t last_tick_ = 0;
};

}  // namespace herd::ctld
