// herd commands — what the commands print about the controller pair (doc/ha-clients.md):
// hcontrol ping lines, the controller lines of `hcontrol show config`, `hinfo
// --controllers`, and the note a read served by the passive prints on stderr. Pure
// functions of a HaStatusReply, so they are unit-tested without a controller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/proto/ha_messages.h"

namespace herd::cli {

// What one controller (or the witness) said to HaStatusRequest.
struct PingResult {
  bool up = false;
  // Unset when it answered but does not know HaStatusRequest (a controller from before
  // the pair existed): it is up, and the only controller there is.
  std::optional<proto::HaStatusReply> status;
};

// "herdctld ctl1 (tcp://127.0.0.1:6817) is UP: active, epoch 3, journal 1234" (and with
// accounting ", accounting sqlite up, backlog 0"),
// "... is UP: passive, in sync, 0 records (0 ms) behind", "... is DOWN". `what` is
// "herdctld" or "witness".
std::string PingLine(const std::string& what, const std::string& name, const std::string& addr,
                     const PingResult& r);
// "accounting sqlite up, backlog 0", "accounting pgsql down (why), backlog 120": the
// link to the accounting database and the jobs and node changes not stored yet.
std::string AccountingText(const proto::HaStatusReply& st);
// Whether an answer shows an active controller.
bool ShowsActive(const PingResult& r);

// "hqueue: served by the passive controller ctl2, 3 records (120 ms) behind the active ctl1".
std::string PassiveNote(const std::string& cmd, const proto::HaStatusReply& st);

// Lines for `hcontrol show config` ("Key = Value"): ControllerHost[i], WitnessHost,
// HaLeaseMs, HaSyncTimeoutMs, from the configuration and (when given) the controllers'
// state as one of them sees it.
std::vector<std::string> ControllerConfigLines(const ClusterConfig& config,
                                               const proto::HaStatusReply* st);

// `hinfo --controllers`: a table, one row per controller and the witness.
std::string ControllerTable(const ClusterConfig& config, const proto::HaStatusReply* st);

// "tcp://host:port" of a configured controller (or the witness).
std::string ControllerAddress(const ClusterConfig& config, const ControllerAddr& c);

}  // namespace herd::cli
