// herd — backfill (EASY): reservations and the backfill rule.
#include "controller/sched/backfill.h"

#include <algorithm>
#include <limits>

namespace herd::ctld {
namespace {
constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
}  // namespace

Backfill::Backfill(const ClusterState& state, int64_t now)
    : state_(state),
      now_(now),
      resolution_(std::max<int64_t>(1, state.config().sched.bf_resolution_s)),
      horizon_(now + int64_t{state.config().sched.bf_window_min} * 60) {
  for (const auto& [name, r] : state.reservations()) {
    if (!proto::ResvWindow(r, now)) continue;
    AdminResv a{&r, {}};
    for (const std::string& n : r.nodes) {
      const int idx = state.NodeIndex(n);
      if (idx >= 0) a.nodes.push_back(static_cast<size_t>(idx));
    }
    admin_.push_back(std::move(a));
  }
}

int64_t Backfill::EndOf(const Job& job, int64_t start) const {
  return job.time_limit_s < 0 ? kNever : start + job.time_limit_s;
}

int64_t Backfill::Clamp(int64_t t) const {
  return t <= now_ ? now_ : t;  // past its limit: being ended now
}

std::vector<bool> Backfill::Avoid(const Job& job, int64_t from, int64_t to) const {
  std::vector<bool> avoid;
  const std::string& own = job.spec.reservation.str();
  for (const AdminResv& a : admin_) {
    if (a.resv->name == own) continue;
    if (!proto::ResvMeets(*a.resv, now_, from, to)) continue;
    if (avoid.empty()) avoid.assign(state_.nodes().size(), false);
    for (size_t idx : a.nodes) avoid[idx] = true;
  }
  if (!own.empty()) {
    if (avoid.empty()) avoid.assign(state_.nodes().size(), false);
    std::vector<bool> in(state_.nodes().size(), false);
    const proto::Reservation* r = state_.FindReservation(own);
    for (const std::string& n : r != nullptr ? r->nodes : std::vector<std::string>{}) {
      const int idx = state_.NodeIndex(n);
      if (idx >= 0) in[static_cast<size_t>(idx)] = true;
    }
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in[i]) avoid[i] = true;
    }
  }
  for (const Reservation& r : reservations_) {
    if (r.start >= to || r.end <= from) continue;
    if (avoid.empty()) avoid.assign(state_.nodes().size(), false);
    for (const NodeAlloc& a : r.alloc) {
      int idx = state_.NodeIndex(a.node);
      if (idx >= 0) avoid[static_cast<size_t>(idx)] = true;
    }
  }
  return avoid;
}

Result<std::vector<NodeAlloc>> Backfill::PlaceNow(const Job& job, const PlannedUse& planned) const {
  std::vector<bool> avoid = Avoid(job, now_, EndOf(job, now_));
  return PlaceJob(state_, job, PlaceMode::kNow, &planned, avoid.empty() ? nullptr : &avoid);
}

void Backfill::Started(const Job& job, const std::vector<NodeAlloc>& alloc) {
  started_.emplace_back(Clamp(EndOf(job, now_)), alloc);
}

void Backfill::CollectEnds() {
  have_ends_ = true;
  for (const auto& [id, job] : state_.jobs()) {
    if (job.alloc.empty()) continue;
    if (job.state == JobState::kRunning) {
      ends_.emplace_back(Clamp(EndOf(job, job.start_time)), &job.alloc);
    } else if (ShownState(job) == JobState::kCompleting) {  // its Epilogs run
      ends_.emplace_back(now_, &job.alloc);
    }
  }
  std::stable_sort(ends_.begin(), ends_.end(),
                   [](const End& a, const End& b) { return a.first < b.first; });
}

std::optional<Reservation> Backfill::Reserve(const Job& job, const PlannedUse& planned) {
  if (!have_ends_) CollectEnds();
  std::vector<End> starts;
  starts.reserve(started_.size());
  for (const auto& s : started_) starts.emplace_back(s.first, &s.second);
  std::stable_sort(starts.begin(), starts.end(),
                   [](const End& a, const End& b) { return a.first < b.first; });

  // The ends of the reservations made so far are times to try too (their nodes are
  // avoided, not counted in use): a job that needs them fits once they end.
  std::vector<int64_t> held;
  for (const Reservation& r : reservations_) held.push_back(r.end);
  // So are the ends of the advance reservations' windows within the look-ahead.
  for (const AdminResv& a : admin_) {
    const int64_t period = proto::ResvPeriod(*a.resv);
    auto w = proto::ResvWindow(*a.resv, now_);
    for (int64_t end = w->second; end <= horizon_; end += period) {
      held.push_back(end);
      if (period == 0) break;
    }
  }
  std::sort(held.begin(), held.end());

  // The ends are taken bf_resolution seconds at a time: the reservation's start is the
  // last end of the step at which the job fits.
  PlannedUse future = planned;
  size_t i = 0, j = 0, k = 0;
  while (i < ends_.size() || j < starts.size() || k < held.size()) {
    const int64_t first = std::min({i < ends_.size() ? ends_[i].first : kNever,
                                    j < starts.size() ? starts[j].first : kNever,
                                    k < held.size() ? held[k] : kNever});
    if (first > horizon_) break;
    const int64_t step_end = first > kNever - resolution_ ? kNever : first + resolution_;
    int64_t t = first;
    for (; i < ends_.size() && ends_[i].first < step_end && ends_[i].first <= horizon_; ++i) {
      future.Release(state_, *ends_[i].second);
      t = std::max(t, ends_[i].first);
    }
    for (; j < starts.size() && starts[j].first < step_end && starts[j].first <= horizon_; ++j) {
      future.Release(state_, *starts[j].second);
      t = std::max(t, starts[j].first);
    }
    for (; k < held.size() && held[k] < step_end && held[k] <= horizon_; ++k) {
      t = std::max(t, held[k]);
    }
    const int64_t end = EndOf(job, t);
    std::vector<bool> avoid = Avoid(job, t, end);
    auto placed = PlaceJob(state_, job, PlaceMode::kNow, &future, avoid.empty() ? nullptr : &avoid);
    if (placed.ok()) return Reservation{job.id, t, end, std::move(*placed)};
    if (placed.error().code() != Code::kResourceExhausted) break;
  }
  return std::nullopt;
}

}  // namespace herd::ctld

namespace herd::ctld {

PendingReason Backfill::HeldByAdminResv(const Job& job, const PlannedUse& planned) const {
  if (admin_.empty() || !job.spec.reservation.empty()) return PendingReason::kNone;
  const int64_t end = EndOf(job, now_);
  bool maint = false, any = false;
  for (const AdminResv& a : admin_) {
    if (!proto::ResvMeets(*a.resv, now_, now_, end)) continue;
    any = true;
    maint = maint || (a.resv->flags & proto::kResvMaint) != 0;
  }
  if (!any || !PlaceJob(state_, job, PlaceMode::kNow, &planned, nullptr).ok()) {
    return PendingReason::kNone;
  }
  return maint ? PendingReason::kResvNodesMaint : PendingReason::kResvNodesReserved;
}

}  // namespace herd::ctld
