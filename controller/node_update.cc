// herd — hcontrol update NodeName=...: state (DRAIN, RESUME, DOWN, FAIL), Reason, and the
// values an admin may set over herd.conf's at runtime (Weight, Features, ActiveFeatures,
// Gres), as Slurm's scontrol update nodename= does. doc/admin.md, "Nodes".
#include <algorithm>
#include <charconv>
#include <map>

#include "common/base/log.h"
#include "common/base/strings.h"
#include "controller/nodes.h"

namespace herd::ctld {

using proto::Frame;

namespace {

// A node's admin state and values as the audit trail records them.
std::string NodeAdminState(const NodeUpdated& e) {
  std::string s = e.down && e.drain ? "DOWN+DRAIN"
                  : e.down          ? "DOWN"
                  : e.drain         ? "DRAIN"
                  : e.fail          ? "FAIL"
                                    : "UP";
  std::string out = "State=" + s + (e.reason.empty() ? "" : " Reason=" + e.reason);
  const NodeOverrides& o = e.overrides;
  if (o.has_weight) out += " Weight=" + std::to_string(o.weight);
  if (o.has_features) out += " Features=" + Join(o.features, ",");
  if (o.has_active) out += " ActiveFeatures=" + Join(o.active_features, ",");
  if (o.has_gres) out += " Gres=" + o.gres;
  return out;
}

Result<uint32_t> ParseCount(const std::string& v) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    return InvalidArgument("not a number");
  }
  return n;
}

// Gres= "name[:type]:count,..." (a missing count is 1) -> "name[:type]" -> count.
Result<std::map<std::string, uint32_t>> ParseGres(const std::string& text) {
  std::map<std::string, uint32_t> out;
  if (text.empty() || EqualsIgnoreCase(text, "(null)")) return out;
  for (const std::string& item : Split(text, ',')) {
    std::vector<std::string> parts = Split(item, ':', /*keep_empty=*/true);
    uint32_t count = 1;
    if (parts.size() > 1) {
      auto c = ParseCount(parts.back());
      if (c.ok()) {
        count = *c;
        parts.pop_back();
      }
    }
    if (parts.empty() || parts.size() > 2 || parts[0].empty()) {
      return InvalidArgument("Invalid generic resource (gres) specification: " + item);
    }
    out[Join(parts, ":")] += count;
  }
  return out;
}

std::vector<std::string> FeatureList(const std::string& v) {
  if (EqualsIgnoreCase(v, "(null)")) return {};
  std::vector<std::string> out;
  for (const std::string& f : Split(v, ',')) {
    std::string t = Trim(f);
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

bool Subset(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) return false;
  }
  return true;
}

}  // namespace

Status Nodes::ApplyNodeKeys(const proto::UpdateNodeRequest& req, const NodeConfig& conf,
                            NodeUpdated* e) {
  NodeOverrides& o = e->overrides;
  bool active_set = false;
  for (size_t i = 0; i < req.keys.size() && i < req.values.size(); ++i) {
    const std::string key = ToLower(req.keys[i]);
    const std::string& v = req.values[i];
    if (key == "weight") {
      auto w = ParseCount(v);
      if (!w.ok()) return InvalidArgument("Weight value (" + v + ") is not a valid number");
      o.has_weight = true;
      o.weight = *w;
    } else if (key == "features" || key == "availablefeatures") {
      o.has_features = true;
      o.features = FeatureList(v);
    } else if (key == "activefeatures") {
      o.has_active = active_set = true;
      o.active_features = FeatureList(v);
    } else if (key == "gres") {
      HERD_ASSIGN_OR_RETURN(auto want, ParseGres(v));
      HERD_ASSIGN_OR_RETURN(auto have, ParseGres(conf.gres));
      for (const auto& [name, count] : want) {
        auto it = have.find(name);
        if (it == have.end() || count > it->second) {
          return InvalidArgument("Invalid generic resource (gres) specification: " + name + ":" +
                                 std::to_string(count) + " (" + conf.name + " has " +
                                 (conf.gres.empty() ? "none" : conf.gres) + ")");
        }
      }
      o.has_gres = true;
      o.gres = EqualsIgnoreCase(v, "(null)") ? "" : v;
    } else {
      return InvalidArgument("Update of this parameter is not supported: " + req.keys[i]);
    }
  }
  const std::vector<std::string>& avail = o.has_features ? o.features : conf.features;
  if (active_set) {
    if (!Subset(o.active_features, avail)) {
      return InvalidArgument("Active features not subset of available features");
    }
  } else if (o.has_active) {
    // Available features changed alone: of the active ones set earlier, those still
    // available stay active (all are when none were set).
    std::vector<std::string> keep;
    for (const std::string& f : o.active_features) {
      if (std::find(avail.begin(), avail.end(), f) != avail.end()) keep.push_back(f);
    }
    o.active_features = std::move(keep);
  }
  return Status::Ok();
}

Frame Nodes::UpdateNode(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("Access/permission denied"));
  auto req = proto::DecodeBody<proto::UpdateNodeRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  if (req->names.empty()) return ErrorReply(InvalidArgument("no node given"));
  std::string state = ToUpper(req->state);
  if (!state.empty() && state != "DRAIN" && state != "RESUME" && state != "DOWN" &&
      state != "IDLE" && state != "UNDRAIN" && state != "FAIL") {
    return ErrorReply(InvalidArgument("Invalid node state specified: " + req->state));
  }
  if ((state == "DRAIN" || state == "DOWN" || state == "FAIL") && req->reason.empty()) {
    return ErrorReply(InvalidArgument(
        "You must specify a reason when DOWNING or DRAINING a node. Request denied"));
  }
  if (req->keys.size() != req->values.size()) return ErrorReply(InvalidArgument("bad request"));
  // Every node checked before any changes: a refused request changes nothing.
  std::vector<NodeUpdated> updates;
  for (const auto& name : req->names) {
    const int idx = p_.state.NodeIndex(name);
    if (idx < 0) return ErrorReply(NotFound("Invalid node name specified: " + name));
    const auto i = static_cast<size_t>(idx);
    const NodeRecord& n = p_.state.nodes()[i];
    NodeUpdated e{name,     n.admin_down,          n.down_not_responding, n.drain,
                  n.reason, p_.clock.NowSeconds(), n.reason_uid};
    e.admin_fields = true;
    e.fail = n.fail;
    e.overrides = n.overrides;
    Status st = ApplyNodeKeys(*req, p_.state.config().nodes[i], &e);
    if (!st.ok()) return ErrorReply(st);
    updates.push_back(std::move(e));
  }
  for (NodeUpdated& e : updates) {
    const NodeRecord* n = p_.state.FindNode(e.name);
    NodeUpdated before_e = e;
    before_e.down = n->admin_down;
    before_e.drain = n->drain;
    before_e.fail = n->fail;
    before_e.overrides = n->overrides;
    if (state == "DRAIN") {
      e.drain = true;
    } else if (state == "DOWN") {
      e.down = true;
      e.down_not_responding = false;
    } else if (state == "FAIL") {
      e.fail = true;
    } else if (state == "RESUME" || state == "IDLE" || state == "UNDRAIN") {
      e.drain = false;
      if (state != "UNDRAIN") e.down = e.down_not_responding = e.fail = false;
    }
    if (!req->reason.empty()) e.reason = req->reason;
    if (!e.drain && !e.down && !e.fail) e.reason.clear();
    if (e.reason != n->reason || e.drain != n->drain || e.down != n->admin_down ||
        e.fail != n->fail) {
      e.reason_uid = who.uid;  // who changed it (sacctmgr show event's User)
    }
    const std::string before = NodeAdminState(before_e);
    Status s = p_.journal.Emit(e);
    if (!s.ok()) return ErrorReply(s);
    // As the state now has them (values equal to herd.conf's are no runtime values).
    e.overrides = p_.state.FindNode(e.name)->overrides;
    const std::string after = NodeAdminState(e);
    if (before != after) {
      (void)core_.Audit(who, "node=" + e.name, state.empty() ? "update" : ToLower(state), before,
                        after);
    }
    HERD_LOG(Info) << "node " << e.name << " updated: " << after;
    if (state == "DOWN") {
      hooks_.fail_jobs(e.name, "NodeDown: " + req->reason, /*node_alive=*/true);
    }
  }
  core_.RequestSchedule();
  return proto::MakeStatusFrame(Status::Ok(), 0);
}

}  // namespace herd::ctld
