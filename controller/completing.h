// herd — jobs COMPLETING: with an Epilog configured, a job that ended keeps its resources
// and shows COMPLETING (CG) until the Epilog of every node of its allocation has reported
// its end (EpilogCompleteRequest from herdd), as Slurm's jobs do. Journaled (JobCompleting,
// EpilogNodeDone), so a restarted or new active controller waits for the same nodes and
// sends them the terminate again; a node that goes DOWN ends its part. A component of the
// controller core (doc/design.md §11, doc/enforce.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/proto/messages.h"
#include "controller/component.h"
#include "controller/handler_table.h"
#include "controller/outbox.h"

namespace herd::ctld {

class Completing {
 public:
  struct Hooks {
    // Sends the job run's terminate to one node (jobs).
    std::function<void(const Job& job, const std::string& node)> terminate_on;
  };

  Completing(CoreParts parts, CoreServices& core, Hooks hooks)
      : p_(parts), core_(core), hooks_(std::move(hooks)) {}

  // EpilogComplete.
  Status AddHandlers(HandlerTable* table);

  // Job `job_id` has just ended (JobEnded applied). With an Epilog it stays COMPLETING on
  // every node of its allocation but `done_node` (the batch host, whose step daemon ran
  // its Epilog before reporting the end; "" for none). Nothing without an Epilog.
  void Begin(uint64_t job_id, const std::string& done_node);
  // Tick: the nodes of completing jobs that are DOWN (or gone from herd.conf) end their
  // part; the others that have not reported get the terminate again now and then (a
  // restarted controller or herdd has lost what was sent).
  void Check();

 private:
  proto::Frame EpilogComplete(const Identity& who, const proto::Frame& f);
  Status NodeDone(uint64_t job_id, uint32_t run_seq, const std::string& node, bool node_down);

  CoreParts p_;
  CoreServices& core_;
  Hooks hooks_;
  std::map<uint64_t, int64_t> resend_at_ms_;  // runtime: job -> when to send again
};

}  // namespace herd::ctld
