// herd — the node daemon's lease, kept across restarts of herdd.
#include "nodedaemon/lease.h"

#include <time.h>

#include <sstream>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/base/strings.h"

namespace herd::noded {

int64_t NodeLease::NowMs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

std::string NodeLease::BootId() {
  auto id = ReadFile("/proc/sys/kernel/random/boot_id");
  return id.ok() ? Trim(*id) : "";
}

void NodeLease::Load(int64_t now_ms) {
  contact_ms_ = now_ms;
  auto text = ReadFile(path_);
  if (!text.ok()) return;
  std::istringstream in(*text);
  std::string boot;
  int64_t ms = 0;
  if (!(in >> boot >> ms) || boot != BootId() || ms > now_ms) return;
  contact_ms_ = ms;
}

void NodeLease::Renew(int64_t now_ms) {
  contact_ms_ = now_ms;
  Status st =
      WriteFileAtomic(path_, BootId() + " " + std::to_string(now_ms) + "\n", /*durable=*/false);
  if (!st.ok()) HERD_LOG(Warning) << "cannot record the lease: " << st.message();
}

}  // namespace herd::noded
