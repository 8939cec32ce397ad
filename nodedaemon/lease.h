// herd — a node daemon's lease (doc/ha.md, "Lost nodes"): the time of the node's last
// accepted answer from an active controller. When it is older than NodeLease, herdd stops
// the node's jobs itself, because the controller requeues a lost node's jobs once that
// lease has surely run out. The time is kept in the spool directory (monotonic clock and
// boot id), so that a restarted herdd counts from the last contact of the one before it,
// not from its own start.
#pragma once

#include <cstdint>
#include <string>

namespace herd::noded {

inline constexpr char kLeaseFile[] = "lease";

class NodeLease {
 public:
  // `path`: the lease file; `lease_ms`: NodeLease.
  NodeLease(std::string path, int64_t lease_ms) : path_(std::move(path)), lease_ms_(lease_ms) {}

  // The last contact an earlier herdd of this boot wrote, else `now_ms` (a fresh spool, or
  // the node rebooted: no step survived that).
  void Load(int64_t now_ms);
  // An accepted answer at `now_ms`. Written to the file (not fsynced: a node crash ends its
  // steps anyway).
  void Renew(int64_t now_ms);
  bool Expired(int64_t now_ms) const { return now_ms - contact_ms_ > lease_ms_; }
  int64_t contact_ms() const { return contact_ms_; }
  int64_t lease_ms() const { return lease_ms_; }

  // CLOCK_MONOTONIC in ms: comparable between the processes of one boot.
  static int64_t NowMs();
  // This boot's id (/proc/sys/kernel/random/boot_id), "" when unreadable.
  static std::string BootId();

 private:
  std::string path_;
  int64_t lease_ms_;
  int64_t contact_ms_ = 0;
};

}  // namespace herd::noded
