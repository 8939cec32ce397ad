// herd — the controller's table of request handlers.
#include "controller/handler_table.h"

#include <algorithm>
#include <string>

namespace herd::ctld {

Status HandlerTable::Add(proto::MsgType type, HandlerRole role, HandlerFn fn) {
  auto [it, added] = entries_.emplace(static_cast<uint16_t>(type), Entry{role, std::move(fn)});
  if (!added) return AlreadyExists(std::string("two handlers for ") + proto::MsgTypeName(type));
  return Status::Ok();
}

const HandlerTable::Entry* HandlerTable::Find(proto::MsgType type) const {
  auto it = entries_.find(static_cast<uint16_t>(type));
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<proto::MsgType> HandlerTable::Types() const {
  std::vector<proto::MsgType> out;
  for (const auto& [type, e] : entries_) out.push_back(static_cast<proto::MsgType>(type));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace herd::ctld
