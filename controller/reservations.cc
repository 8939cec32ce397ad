// herd — advance reservations made by admins (reservations.h).
#include "controller/reservations.h"

#include <pwd.h>

#include <algorithm>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "common/base/strings.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;
using proto::Reservation;
using proto::ResvOp;

namespace {

bool KnownUser(const std::string& name) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  return getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &res) == 0 && res != nullptr;
}

// "a,b" or "-a,-b" (all but them); a mix is refused.
Result<std::vector<std::string>> ParseNameList(const std::string& what, const std::string& v) {
  std::vector<std::string> out;
  for (const std::string& w : Split(v, ',')) {
    if (!Trim(w).empty()) out.push_back(Trim(w));
  }
  const size_t negated = static_cast<size_t>(std::count_if(
      out.begin(), out.end(), [](const std::string& n) { return n.size() > 1 && n[0] == '-'; }));
  if (negated != 0 && negated != out.size()) {
    return InvalidArgument(what + " may be all named or all negated ('-name'), not a mix");
  }
  return out;
}

std::string Plain(const std::string& name) { return name[0] == '-' ? name.substr(1) : name; }

std::string Describe(const Reservation& r) {
  return "StartTime=" + std::to_string(r.start) + " EndTime=" + std::to_string(r.end) +
         " Nodes=" + CompressHostlist(r.nodes) + " Users=" + Join(r.users, ",") +
         " Accounts=" + Join(r.accounts, ",") + " PartitionName=" + r.partition +
         " Flags=" + proto::FormatResvFlags(r.flags);
}

}  // namespace

Status Reservations::AddHandlers(HandlerTable* table) {
  HERD_RETURN_IF_ERROR(table->AddAll(
      this, HandlerRole::kActive, {{MsgType::kUpdateReservationRequest, &Reservations::Update}}));
  return table->AddAll(this, HandlerRole::kRead,
                       {{MsgType::kQueryReservationsRequest, &Reservations::Query}});
}

Status Reservations::ApplyKey(const std::string& key, const std::string& v, Reservation* r,
                              bool* nodes_given, int64_t* duration, uint32_t* node_cnt) const {
  const int64_t now = p_.clock.NowSeconds();
  auto time_value = [&](const std::string& text) -> Result<int64_t> {
    if (EqualsIgnoreCase(text, "now")) return now;
    auto t = ParseInt(text);
    if (!t.ok() || *t <= 0) return InvalidArgument("Invalid time specified: " + text);
    return *t;
  };
  if (EqualsIgnoreCase(key, "StartTime")) {
    HERD_ASSIGN_OR_RETURN(r->start, time_value(v));
    if (r->start < now) r->start = now;  // as Slurm: a time past is now
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "EndTime")) {
    HERD_ASSIGN_OR_RETURN(r->end, time_value(v));
    *duration = -1;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "Duration")) {
    auto d = ParseTimeLimit(v);
    if (!d.ok() || *d <= 0) return InvalidArgument("Invalid duration specified: " + v);
    *duration = *d;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "Nodes")) {
    *nodes_given = true;
    r->nodes.clear();
    if (EqualsIgnoreCase(v, "ALL")) {
      for (const NodeConfig& n : p_.config.nodes) r->nodes.push_back(n.name);
      return Status::Ok();
    }
    auto names = ExpandHostlist(v);
    if (!names.ok() || names->empty()) return InvalidArgument("Invalid node name specified");
    for (const std::string& n : *names) {
      if (p_.state.NodeIndex(n) < 0) return InvalidArgument("Invalid node name specified: " + n);
    }
    // In the configuration's order, once each.
    for (const NodeConfig& n : p_.config.nodes) {
      if (std::find(names->begin(), names->end(), n.name) != names->end()) {
        r->nodes.push_back(n.name);
      }
    }
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "NodeCnt")) {
    auto n = ParseUint(v, p_.config.nodes.size());
    if (!n.ok() || *n == 0) return InvalidArgument("Invalid node count specified: " + v);
    *node_cnt = static_cast<uint32_t>(*n);
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "Users")) {
    HERD_ASSIGN_OR_RETURN(r->users, ParseNameList("Users", v));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "Accounts")) {
    HERD_ASSIGN_OR_RETURN(r->accounts, ParseNameList("Accounts", v));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "PartitionName") || EqualsIgnoreCase(key, "Partition")) {
    if (p_.state.FindPartition(v) == nullptr) {
      return InvalidArgument("Invalid partition name specified: " + v);
    }
    r->partition = v;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "Flags")) {
    const uint32_t before = r->flags;
    HERD_ASSIGN_OR_RETURN(r->flags, proto::ApplyResvFlags(r->flags, v));
    r->flags = (r->flags & ~proto::kResvSpecNodes) | (before & proto::kResvSpecNodes);
    return Status::Ok();
  }
  return InvalidArgument("Update of this parameter is not supported: " + key + "=" + v);
}

Status Reservations::CheckNames(const Reservation& r) const {
  for (const std::string& u : r.users) {
    if (!KnownUser(Plain(u))) return InvalidArgument("Invalid user id: " + Plain(u));
  }
  for (const std::string& a : r.accounts) {
    if (p_.state.assoc().FindAccount(Plain(a)) == nullptr) {
      return InvalidArgument("Invalid account or account/partition combination specified: " +
                             Plain(a));
    }
  }
  return Status::Ok();
}

// One pass over the jobs: the nodes where a running job (not one of `r`'s own) would still
// run, by its time limit, in one of `r`'s windows.
std::vector<bool> Reservations::BusyNodes(const Reservation& r) const {
  const int64_t now = p_.clock.NowSeconds();
  std::vector<bool> busy(p_.config.nodes.size(), false);
  for (const auto& [id, j] : p_.state.jobs()) {
    if (j.state != JobState::kRunning || j.spec.reservation.str() == r.name) continue;
    const int64_t end = j.time_limit_s < 0 ? INT64_MAX : j.start_time + j.time_limit_s;
    if (!proto::ResvMeets(r, now, now, end)) continue;
    for (const NodeAlloc& a : j.alloc) {
      const int idx = p_.state.NodeIndex(a.node);
      if (idx >= 0) busy[static_cast<size_t>(idx)] = true;
    }
  }
  return busy;
}

Status Reservations::CheckOverlap(const Reservation& r) const {
  const int64_t now = p_.clock.NowSeconds();
  for (const auto& [name, other] : p_.state.reservations()) {
    if (name == r.name) continue;
    if ((r.flags & proto::kResvMaint) != 0 || (other.flags & proto::kResvMaint) != 0) continue;
    const bool shared = std::any_of(r.nodes.begin(), r.nodes.end(), [&](const std::string& n) {
      return std::find(other.nodes.begin(), other.nodes.end(), n) != other.nodes.end();
    });
    if (shared && proto::ResvsOverlap(r, other, now)) {
      return FailedPrecondition("Requested reservation overlaps with another reservation");
    }
  }
  if ((r.flags & proto::kResvIgnoreJobs) == 0) {
    const std::vector<bool> busy = BusyNodes(r);
    for (const std::string& n : r.nodes) {
      if (busy[static_cast<size_t>(p_.state.NodeIndex(n))]) {
        return FailedPrecondition("Requested nodes are busy (" + n +
                                  " runs a job in the window; Flags=IGNORE_JOBS allows it)");
      }
    }
  }
  return Status::Ok();
}

Status Reservations::PickNodes(uint32_t count, Reservation* r) const {
  const int64_t now = p_.clock.NowSeconds();
  const PartitionConfig* part =
      r->partition.empty() ? nullptr : p_.state.FindPartition(r->partition);
  r->nodes.clear();
  const std::vector<bool> busy = (r->flags & proto::kResvIgnoreJobs) == 0
                                     ? BusyNodes(*r)
                                     : std::vector<bool>(p_.config.nodes.size(), false);
  for (size_t i = 0; i < p_.config.nodes.size() && r->nodes.size() < count; ++i) {
    const std::string& name = p_.config.nodes[i].name;
    if (part != nullptr &&
        std::find(part->nodes.begin(), part->nodes.end(), name) == part->nodes.end()) {
      continue;
    }
    const NodeRecord& n = p_.state.nodes()[i];
    if (n.admin_down || n.down_not_responding || n.drain) continue;
    bool taken = false;
    for (const auto& [other_name, other] : p_.state.reservations()) {
      if (other_name == r->name || (r->flags & proto::kResvMaint) != 0 ||
          (other.flags & proto::kResvMaint) != 0) {
        continue;
      }
      if (std::find(other.nodes.begin(), other.nodes.end(), name) != other.nodes.end() &&
          proto::ResvsOverlap(*r, other, now)) {
        taken = true;
        break;
      }
    }
    if (taken || busy[i]) continue;
    r->nodes.push_back(name);
  }
  if (r->nodes.size() < count) return ResourceExhausted("Requested nodes are busy");
  return Status::Ok();
}

Result<Reservation> Reservations::Build(const proto::UpdateReservationRequest& req,
                                        const std::string& caller) const {
  Reservation r;
  const bool create = req.op == ResvOp::kCreate;
  if (create) {
    if (!req.name.empty() && p_.state.FindReservation(req.name) != nullptr) {
      return AlreadyExists("Duplicate reservation name");
    }
    r.name = req.name;
    r.id = p_.state.next_resv_id();
  } else {
    const Reservation* now = p_.state.FindReservation(req.name);
    if (now == nullptr) return NotFound("Requested reservation is invalid");
    r = *now;
  }
  if (req.keys.size() != req.values.size()) return InvalidArgument("keys and values do not pair");
  if (!create && req.keys.empty()) return InvalidArgument("No changes specified");
  bool nodes_given = false;
  int64_t duration = 0;  // 0: not given; -1: EndTime given
  uint32_t node_cnt = 0;
  const int64_t old_len = r.end - r.start;
  for (size_t i = 0; i < req.keys.size(); ++i) {
    HERD_RETURN_IF_ERROR(
        ApplyKey(Trim(req.keys[i]), Trim(req.values[i]), &r, &nodes_given, &duration, &node_cnt));
  }
  if (create && r.start == 0) return InvalidArgument("StartTime must be specified");
  if (duration > 0) {
    r.end = r.start + duration;
  } else if (duration == 0) {
    if (create) return InvalidArgument("Duration or EndTime must be specified");
    r.end = r.start + old_len;  // a new StartTime keeps the length
  }
  if (r.end <= r.start) return InvalidArgument("Invalid time specified: EndTime before StartTime");
  if (create && r.users.empty() && r.accounts.empty()) {
    return InvalidArgument("Either Users and/or Accounts must be specified");
  }
  if (!create && r.users.empty() && r.accounts.empty()) {
    return InvalidArgument("A reservation must keep Users or Accounts");
  }
  if (nodes_given && node_cnt != 0) return InvalidArgument("Give Nodes= or NodeCnt=, not both");
  if (nodes_given) r.flags |= proto::kResvSpecNodes;
  if (node_cnt != 0) {
    r.flags &= ~proto::kResvSpecNodes;
    HERD_RETURN_IF_ERROR(PickNodes(node_cnt, &r));
  }
  if (r.nodes.empty()) return InvalidArgument("Nodes or NodeCnt must be specified");
  if (r.name.empty()) {
    const std::string who = !r.users.empty() && r.users[0][0] != '-'         ? r.users[0]
                            : !r.accounts.empty() && r.accounts[0][0] != '-' ? r.accounts[0]
                                                                             : caller;
    r.name = who + "_" + std::to_string(r.id);
    if (p_.state.FindReservation(r.name) != nullptr)
      return AlreadyExists("Duplicate reservation name");
  }
  if (r.name.find_first_of(",= \t\"#") != std::string::npos) {
    return InvalidArgument("Invalid reservation name: " + r.name);
  }
  HERD_RETURN_IF_ERROR(CheckNames(r));
  HERD_RETURN_IF_ERROR(CheckOverlap(r));
  return r;
}

Frame Reservations::Update(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("Access/permission denied"));
  auto req = proto::DecodeBody<proto::UpdateReservationRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  req->name = Trim(req->name);
  if (req->op != ResvOp::kCreate && req->name.empty()) {
    return ErrorReply(InvalidArgument("ReservationName must be given"));
  }
  const Reservation* before = p_.state.FindReservation(req->name);
  const std::string old_line = before == nullptr ? "" : Describe(*before);
  std::string action, new_line, name = req->name;
  Status s;
  if (req->op == ResvOp::kDelete) {
    if (before == nullptr) return ErrorReply(NotFound("Requested reservation is invalid"));
    for (const auto& [id, j] : p_.state.jobs()) {
      if (j.state == JobState::kRunning && j.spec.reservation.str() == req->name) {
        return ErrorReply(FailedPrecondition("Requested reservation is in use"));
      }
    }
    action = "delete";
    s = p_.journal.Emit(ReservationDeleted{req->name});
  } else {
    auto r = Build(*req, core_.UserName(who.uid));
    if (!r.ok()) return ErrorReply(r.error());
    action = req->op == ResvOp::kCreate ? "create" : "update";
    name = r->name;
    new_line = Describe(*r);
    if (before != nullptr && *before == *r) return proto::MakeStatusFrame(Status::Ok(), 0);
    s = p_.journal.Emit(ReservationDefined{std::move(*r)});
  }
  if (!s.ok()) return ErrorReply(s);
  (void)core_.Audit(who, "reservation=" + name, action, old_line, new_line);
  HERD_LOG(Info) << "reservation " << name << " " << action << "d by uid " << who.uid
                 << (new_line.empty() ? "" : ": " + new_line);
  core_.RequestSchedule();
  proto::StatusReply ok;
  ok.message = name;
  return proto::MakeFrame(ok, 0);
}

uint64_t Reservations::CpusOf(const Reservation& r) const {
  uint64_t cpus = 0;
  for (const std::string& n : r.nodes) {
    const int i = p_.state.NodeIndex(n);
    if (i >= 0) cpus += p_.state.NodeConf(static_cast<size_t>(i)).cpus;
  }
  return cpus;
}

Frame Reservations::Query(const Identity&, const Frame& f) {
  auto req = proto::DecodeBody<proto::QueryReservationsRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  proto::QueryReservationsReply rep;
  rep.now = p_.clock.NowSeconds();
  std::vector<const Reservation*> shown;
  for (const auto& [name, r] : p_.state.reservations()) {
    if (!req->name.empty() && name != req->name) continue;
    if (proto::ResvWindow(r, rep.now)) shown.push_back(&r);
  }
  if (!req->name.empty() && shown.empty()) {
    return ErrorReply(NotFound("Reservation " + req->name + " not found"));
  }
  const int64_t now = rep.now;
  std::stable_sort(shown.begin(), shown.end(), [now](const Reservation* a, const Reservation* b) {
    return proto::ResvWindow(*a, now)->first < proto::ResvWindow(*b, now)->first;
  });
  for (const Reservation* r : shown) {
    rep.reservations.push_back(*r);
    rep.cpus.push_back(CpusOf(*r));
  }
  return proto::MakeFrame(rep, 0);
}

void Reservations::Tick() {
  const int64_t now = p_.clock.NowSeconds();
  const int64_t last = last_tick_ == 0 ? now : last_tick_;
  last_tick_ = now;
  std::vector<std::string> ended;
  bool edge = false;
  for (const auto& [name, r] : p_.state.reservations()) {
    auto w = proto::ResvWindow(r, now);
    if (!w) {
      ended.push_back(name);
      edge = true;
      continue;
    }
    // A window that started since the last tick, or one that ended (and rolled).
    if ((w->first > last && w->first <= now) || !proto::ResvWindow(r, last) ||
        proto::ResvWindow(r, last)->first != w->first) {
      edge = true;
    }
  }
  for (const std::string& name : ended) {
    if (!p_.journal.Emit(ReservationDeleted{name}).ok()) break;
    HERD_LOG(Info) << "reservation " << name << " ended";
  }
  if (edge) core_.RequestSchedule();
}

}  // namespace herd::ctld
