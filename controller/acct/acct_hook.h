// herd — where accounting meets the controller core: the one interface the core calls
// (controller/acct/acct_feed.h implements it). The core tells it which jobs and nodes the
// events of each durable batch touched; once per flush while active it lets it hand rows to
// the database and journals, as AcctStored, the finished jobs and node changes it reports
// stored. The state keeps a finished job, and a node's changes, until they are stored, so
// the journal and checkpoint (replicated to the passive) are the backlog: nothing is lost
// while the database is away.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/ha_messages.h"
#include "controller/state/events.h"

namespace herd::ctld {

// Notes what an event touched: a job (its row and its steps' rows are sent again), or a
// node (its changes not stored yet, NodeRecord::acct_pending, are sent).
struct AcctTouched {
  std::vector<uint64_t> jobs;
  std::vector<std::string> nodes;
  bool empty() const { return jobs.empty() && nodes.empty(); }
};
inline void AcctNote(const JobSubmitted& e, AcctTouched* t) { t->jobs.push_back(e.job.id); }
inline void AcctNote(const NodeUpdated& e, AcctTouched* t) { t->nodes.push_back(e.name); }
inline void AcctNote(const PartitionUpdated&, AcctTouched*) {}
inline void AcctNote(const PartitionDefined&, AcctTouched*) {}
inline void AcctNote(const PartitionDeleted&, AcctTouched*) {}
inline void AcctNote(const AuditRecorded&, AcctTouched*) {}
inline void AcctNote(const AssocDefined&, AcctTouched*) {}
inline void AcctNote(const AssocDeleted&, AcctTouched*) {}
inline void AcctNote(const AcctStored&, AcctTouched*) {}
inline void AcctNote(const ReservationDefined&, AcctTouched*) {}
inline void AcctNote(const ReservationDeleted&, AcctTouched*) {}
// The records split off are jobs of their own in the database, and the array's row changes.
inline void AcctNote(const ArrayTasksSplit& e, AcctTouched* t) {
  t->jobs.push_back(e.array_job_id);
  for (const auto& task : e.tasks) t->jobs.push_back(task.second);
}
template <class E>
void AcctNote(const E& e, AcctTouched* t) {
  t->jobs.push_back(e.job_id);
}

class AcctHook {
 public:
  virtual ~AcctHook() = default;
  // What the events of a batch the journal has made durable touched, in order.
  virtual void Committed(const AcctTouched& touched) = 0;
  // Any job may be unsent (the controller recovered, or became active): look at all.
  virtual void Resync() = 0;
  // Once per flush while active and everything committed is also on the passive:
  // hands what changed to the database link; returns, to be journaled, the finished jobs
  // and node changes it now knows stored (empty: nothing new).
  virtual AcctStored Pump() = 0;
  // The link's state and backlog, for hcontrol ping and hinfo --controllers.
  virtual void Describe(proto::HaStatusReply* st) const = 0;
};

}  // namespace herd::ctld
