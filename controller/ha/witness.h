// herd — the witness: the third voter of a controller pair (herdctld --witness). It keeps
// no cluster state, only its vote (epoch, whom it voted for, which controller may not be
// elected) and the lease it last granted; it answers votes, lease renewals and status
// queries. WitnessCore is the logic; RunWitness is the process around it.
#pragma once

#include <atomic>
#include <string>

#include "common/auth/auth.h"
#include "common/base/clock.h"
#include "common/base/log_limit.h"
#include "common/config/config.h"
#include "common/proto/envelope.h"
#include "common/proto/ha_messages.h"
#include "controller/ha/voter.h"

namespace herd::ctld::ha {

class WitnessCore {
 public:
  WitnessCore(const ClusterConfig& config, Clock& clock, VoteStore& store, Authenticator& auth);
  Status Load();
  // One request frame in (`from`: the sender's address, for logs), one reply frame out
  // ("" when the request is dropped).
  std::string HandleRequest(const std::string& bytes, const std::string& from = "");
  // Logs the summaries of refused requests left out of the log.
  void Tick();
  const Voter& voter() const { return voter_; }

 private:
  proto::Frame Dispatch(const Identity& who, const proto::Frame& f);
  proto::HaStatusReply StatusReport(int64_t now_ms) const;

  const ClusterConfig& config_;
  Clock& clock_;
  Voter voter_;
  Authenticator& auth_;
  std::string leader_addr_;
  PeerLogLimiter refusals_;
};

// Serves `config.witness_addr` until `stop`; its vote lives in <StateDir>/vote.
Status RunWitness(const ClusterConfig& config, const std::string& state_dir,
                  const std::atomic<bool>& stop);

// Whether `who` may speak for a controller: root or the user the daemons run as.
bool IsDaemonPeer(const Identity& who);

}  // namespace herd::ctld::ha
