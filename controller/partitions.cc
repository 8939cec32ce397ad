// herd — partitions changed at runtime (partitions.h).
#include "controller/partitions.h"

#include <algorithm>

#include "common/base/hostlist.h"
#include "common/base/log.h"
#include "common/base/strings.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;
using proto::PartitionOp;

Status Partitions::AddHandlers(HandlerTable* table) {
  return table->Add(MsgType::kUpdatePartitionRequest, HandlerRole::kActive,
                    [this](const Identity& who, const Frame& f) { return Update(who, f); });
}

Result<PartitionRecord> Partitions::Build(const proto::UpdatePartitionRequest& req) const {
  const PartitionConfig* now = p_.state.FindPartition(req.name);
  PartitionRecord r;
  if (req.op == PartitionOp::kCreate) {
    if (now != nullptr) return AlreadyExists("Partition " + req.name + " already exists");
    r.def.name = req.name;
  } else {
    if (now == nullptr) return NotFound("Invalid partition name specified: " + req.name);
    r.def = *now;
  }
  std::vector<std::string> keys = req.keys, values = req.values;
  if (keys.empty() && !req.state.empty()) {  // a version 0 request: the state alone
    keys = {"State"};
    values = {req.state};
  }
  if (keys.size() != values.size()) return InvalidArgument("keys and values do not pair");
  if (keys.empty() && req.op == PartitionOp::kUpdate)
    return InvalidArgument("No changes specified");
  bool has_nodes = false;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string key = CanonicalPartitionKey(keys[i]);
    if (key.empty()) {
      return InvalidArgument("Update of this parameter is not supported: " + keys[i] + "=" +
                             values[i]);
    }
    bool all = false;
    Status st = ApplyPartitionKey(&r.def, key, Trim(values[i]), &all);
    if (!st.ok()) return InvalidArgument("Invalid " + key + " value: " + st.message());
    if (key == "Nodes") {
      has_nodes = true;
      if (all) {
        r.def.nodes.clear();
        for (const NodeConfig& n : p_.config.nodes) r.def.nodes.push_back(n.name);
      }
    }
  }
  if (req.op == PartitionOp::kCreate && !has_nodes) {
    return InvalidArgument("Nodes is required (a hostlist, ALL, or empty: Nodes=)");
  }
  for (const std::string& n : r.def.nodes) {
    if (p_.config.FindNode(n) == nullptr)
      return InvalidArgument("Invalid node name specified: " + n);
  }
  HERD_RETURN_IF_ERROR(CheckPartition(r.def));
  return r;
}

Status Partitions::CheckDeletable(const std::string& name) const {
  if (p_.state.FindPartition(name) == nullptr) {
    return NotFound("Invalid partition name specified: " + name);
  }
  std::vector<std::string> ids;
  for (const auto& [id, j] : p_.state.jobs()) {
    if (!proto::IsFinished(j.state) && j.partition == name) ids.push_back(std::to_string(id));
  }
  if (ids.empty()) return Status::Ok();
  const size_t shown = std::min<size_t>(ids.size(), 20);
  std::string list = Join(std::vector<std::string>(ids.begin(), ids.begin() + shown), ",");
  if (shown < ids.size()) list += ",... (" + std::to_string(ids.size()) + " in all)";
  return FailedPrecondition("Partition in use: " + name + " has queued or running jobs " + list);
}

Frame Partitions::Update(const Identity& who, const Frame& f) {
  if (!core_.IsAdmin(who.uid)) return ErrorReply(PermissionDenied("Access/permission denied"));
  auto req = proto::DecodeBody<proto::UpdatePartitionRequest>(f.body);
  if (!req.ok()) return ErrorReply(req.error());
  req->name = Trim(req->name);
  if (req->name.empty()) return ErrorReply(InvalidArgument("Invalid partition name specified"));
  const PartitionConfig* before = p_.state.FindPartition(req->name);
  const std::string old_line = before == nullptr ? "" : FormatPartitionLine(*before);
  std::string action, new_line;
  Status s;
  if (req->op == PartitionOp::kDelete) {
    if (Status d = CheckDeletable(req->name); !d.ok()) return ErrorReply(d);
    action = "delete";
    s = p_.journal.Emit(PartitionDeleted{req->name});
  } else {
    auto r = Build(*req);
    if (!r.ok()) return ErrorReply(r.error());
    action = req->op == PartitionOp::kCreate ? "create" : "update";
    new_line = FormatPartitionLine(r->def);
    if (new_line == old_line) return proto::MakeStatusFrame(Status::Ok(), 0);  // no change
    s = p_.journal.Emit(PartitionDefined{std::move(*r)});
  }
  if (!s.ok()) return ErrorReply(s);
  (void)core_.Audit(who, "partition=" + req->name, action, old_line, new_line);
  HERD_LOG(Info) << "partition " << req->name << " " << action << "d by uid " << who.uid
                 << (new_line.empty() ? "" : ": " + new_line);
  core_.RequestSchedule();
  return proto::MakeStatusFrame(Status::Ok(), 0);
}

}  // namespace herd::ctld
