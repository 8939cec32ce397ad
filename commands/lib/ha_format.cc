// herd commands — printing the controller pair's state.
#include "commands/lib/ha_format.h"

#include <algorithm>

#include "commands/lib/display.h"

namespace herd::cli {
namespace {

const proto::ControllerStatus* Find(const proto::HaStatusReply* st, const std::string& name) {
  if (st == nullptr) return nullptr;
  for (const proto::ControllerStatus& c : st->controllers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// Records the passive `p` lacks: the active's last record minus its own, as `st` sees them.
uint64_t RecordsBehind(const proto::HaStatusReply& st, const proto::ControllerStatus& p) {
  const proto::ControllerStatus* a = Find(&st, st.active);
  return a != nullptr && a->last_seq > p.last_seq ? a->last_seq - p.last_seq : 0;
}

std::string Behind(uint64_t records, int64_t ms) {
  return std::to_string(records) + " records (" + std::to_string(std::max<int64_t>(ms, 0)) +
         " ms) behind";
}

std::string HostPort(const ClusterConfig& config, const ControllerAddr& c) {
  const uint16_t port = c.port != 0 ? c.port : config.controller_port;
  const std::string commands = c.command_port != 0 ? "/" + std::to_string(c.command_port) : "";
  return c.name + "(" + c.host + ":" + std::to_string(port) + commands + ")";
}

}  // namespace

std::string ControllerAddress(const ClusterConfig& config, const ControllerAddr& c) {
  const uint16_t port = c.port != 0 ? c.port : config.controller_port;
  return "tcp://" + c.host + ":" + std::to_string(port);
}

bool ShowsActive(const PingResult& r) { return r.up && (!r.status || r.status->role == "active"); }

std::string PingLine(const std::string& what, const std::string& name, const std::string& addr,
                     const PingResult& r) {
  std::string line = what + " " + name + " (" + addr + ") is ";
  if (!r.up) return line + "DOWN";
  line += "UP";
  if (!r.status) return line;
  const proto::HaStatusReply& st = *r.status;
  line += ": " + EscapeForDisplay(st.role);
  if (st.role == "passive") {
    const proto::ControllerStatus* self = Find(&st, st.served_by);
    const bool in_sync = self != nullptr ? self->in_sync : st.behind_records == 0;
    return line + (in_sync ? ", in sync, " : ", not in sync, ") +
           Behind(st.behind_records, st.behind_ms);
  }
  line += ", epoch " + std::to_string(st.epoch);
  if (st.role != "witness") line += ", journal " + std::to_string(st.last_seq);
  if (st.role == "active" && !st.acct_type.empty()) line += ", " + AccountingText(st);
  return line;
}

std::string AccountingText(const proto::HaStatusReply& st) {
  // What the controller says is shown escaped, as every displayed field: a database's
  // error message can quote anything.
  std::string t =
      "accounting " + EscapeForDisplay(st.acct_type) + " " + EscapeForDisplay(st.acct_link);
  if (!st.acct_error.empty()) t += " (" + EscapeForDisplay(st.acct_error) + ")";
  return t + ", backlog " + std::to_string(st.acct_backlog);
}

std::string PassiveNote(const std::string& cmd, const proto::HaStatusReply& st) {
  return cmd + ": served by the passive controller " + EscapeForDisplay(st.served_by) + ", " +
         Behind(st.behind_records, st.behind_ms) + " the active " +
         (st.active.empty() ? std::string("(none known)") : EscapeForDisplay(st.active));
}

std::vector<std::string> ControllerConfigLines(const ClusterConfig& config,
                                               const proto::HaStatusReply* st) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < config.controllers.size(); ++i) {
    const ControllerAddr& c = config.controllers[i];
    std::string l = "ControllerHost[" + std::to_string(i) + "] = " + HostPort(config, c);
    if (const proto::ControllerStatus* s = Find(st, c.name)) {
      l += " " + EscapeForDisplay(s->role);
      if (s->role == "passive") {
        l += std::string(" in_sync=") + (s->in_sync ? "yes" : "no") +
             " lag=" + std::to_string(RecordsBehind(*st, *s)) + " records/" +
             std::to_string(std::max<int64_t>(s->lag_ms, 0)) + " ms";
      } else {
        l += " epoch=" + std::to_string(s->epoch) + " seq=" + std::to_string(s->last_seq);
      }
    }
    lines.push_back(std::move(l));
  }
  if (config.has_witness()) {
    std::string l = "WitnessHost = " + HostPort(config, config.witness_addr);
    if (const proto::ControllerStatus* s = Find(st, config.witness_addr.name)) {
      l += " " + EscapeForDisplay(s->role);
    }
    lines.push_back(std::move(l));
  }
  lines.push_back("HaLeaseMs = " + std::to_string(config.ha_lease_ms));
  lines.push_back("HaSyncTimeoutMs = " + std::to_string(config.ha_sync_timeout_ms));
  return lines;
}

std::string ControllerTable(const ClusterConfig& config, const proto::HaStatusReply* st) {
  std::vector<std::vector<std::string>> rows = {
      {"CONTROLLER", "ADDRESS", "ROLE", "EPOCH", "JOURNAL", "IN_SYNC", "BEHIND"}};
  auto add = [&](const ControllerAddr& c, bool witness) {
    std::vector<std::string> row = {c.name, ControllerAddress(config, c), "unknown", "-", "-", "-",
                                    "-"};
    if (const proto::ControllerStatus* s = Find(st, c.name)) {
      row[2] = EscapeForDisplay(s->role);
      row[3] = std::to_string(s->epoch);
      if (!witness) row[4] = std::to_string(s->last_seq);
      if (s->role == "passive") {
        row[5] = s->in_sync ? "yes" : "no";
        row[6] = std::to_string(RecordsBehind(*st, *s)) + " records/" +
                 std::to_string(std::max<int64_t>(s->lag_ms, 0)) + " ms";
      }
    } else if (witness) {
      row[2] = "witness";
    }
    rows.push_back(std::move(row));
  };
  for (const ControllerAddr& c : config.controllers) add(c, false);
  if (config.has_witness()) add(config.witness_addr, true);
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t k = 0; k < row.size(); ++k) {
      line += row[k];
      if (k + 1 < row.size()) line += std::string(width[k] - row[k].size() + 2, ' ');
    }
    out += line + "\n";
  }
  if (st != nullptr && !st->acct_type.empty()) {
    out += "Accounting (as " + EscapeForDisplay(st->served_by) +
           " sees it): " + AccountingText(*st) + "\n";
  }
  return out;
}

}  // namespace herd::cli
