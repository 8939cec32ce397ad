// herd — the advance reservations of the controller's state (proto/reservation.h): each
// as its last ReservationDefined said, until a ReservationDeleted.
#include <algorithm>

#include "controller/state/cluster_state.h"

namespace herd::ctld {

const proto::Reservation* ClusterState::FindReservation(const std::string& name) const {
  auto it = resvs_.find(name);
  return it == resvs_.end() ? nullptr : &it->second;
}

Status ClusterState::Apply(const ReservationDefined& e) {
  if (e.resv.name.empty() || e.resv.end <= e.resv.start) {
    return FailedPrecondition("bad reservation");
  }
  next_resv_id_ = std::max(next_resv_id_, e.resv.id + 1);
  resvs_[e.resv.name] = e.resv;
  return Status::Ok();
}

Status ClusterState::Apply(const ReservationDeleted& e) {
  if (resvs_.erase(e.name) == 0) return FailedPrecondition("no such reservation");
  return Status::Ok();
}

}  // namespace herd::ctld
