// herd — the controller's table of request handlers. Each part of the core registers the
// message types it answers (ControllerCore::AddHandlers and each component's AddHandlers) with the
// roles that may answer them; the core dispatches every authenticated request through it.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/auth/auth.h"
#include "common/base/status.h"
#include "common/proto/envelope.h"

namespace herd::ctld {

enum class HandlerRole : uint8_t {
  kActive,   // only the active controller (a passive answers NotActive)
  kRead,     // also a passive one, when the client asks a passive (kFlagFromPassive)
  kAnyRole,  // whatever the role: elections, replication, HA status
};

using HandlerFn = std::function<proto::Frame(const Identity& who, const proto::Frame& f)>;

class HandlerTable {
 public:
  struct Entry {
    HandlerRole role = HandlerRole::kActive;
    HandlerFn fn;
  };
  // A type has one handler: a second one for it is refused (kAlreadyExists).
  Status Add(proto::MsgType type, HandlerRole role, HandlerFn fn);
  // Member functions of `part` as the handlers of their types, all in `role`.
  template <class T>
  using Method = proto::Frame (T::*)(const Identity& who, const proto::Frame& f);
  template <class T>
  Status AddAll(T* part, HandlerRole role,
                std::initializer_list<std::pair<proto::MsgType, Method<T>>> methods) {
    for (const auto& [type, m] : methods) {
      HERD_RETURN_IF_ERROR(
          Add(type, role, [part, m = m](const Identity& who, const proto::Frame& f) {
            return (part->*m)(who, f);
          }));
    }
    return Status::Ok();
  }
  const Entry* Find(proto::MsgType type) const;
  // The registered types, ascending.
  std::vector<proto::MsgType> Types() const;

 private:
  std::unordered_map<uint16_t, Entry> entries_;
};

}  // namespace herd::ctld
