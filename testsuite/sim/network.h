// herd sim — the in-memory network between the controllers, the witness, the simulated
// node daemons and the clients. Every packet gets a random delay and may be lost; a cut
// node neither sends nor receives; an isolated voter (a controller or the witness) is cut
// from the other voters, and an isolated controller also from nodes and clients. Each link (one
// direction of one connection, as a ZeroMQ socket pair over TCP) is FIFO; different links reorder
// freely. Delivery order is (time, send order), so a seed replays exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "testsuite/sim/rng.h"

namespace herd::sim {

inline constexpr size_t kNoNode = static_cast<size_t>(-1);

enum class PacketKind : uint8_t {
  kToController,    // a request from a node daemon or a client
  kFromController,  // the controller's reply to such a request
  kToNode,          // a request from the controller to a node daemon
  kFromNode,        // the node daemon's answer to it
  kToVoter,         // a frame of one voter to another (vote, append, snapshot)
  kFromVoter,       // the answer to it
};

// Voters: controller i is voter i; the witness comes after the controllers.
inline constexpr int kNoVoter = -1;

struct Packet {
  PacketKind kind = PacketKind::kToController;
  std::string peer;          // kToController / kFromController: "node:3", "client:1"
  size_t node = kNoNode;     // the node at the other end, kNoNode for a client
  uint32_t client = 0;       // the client, when node == kNoNode
  uint64_t incarnation = 0;  // the controller incarnation that sent it or answers it
  size_t ctl = 0;            // node and client traffic: the controller at the other end
  // Voter traffic: sender and receiver of the request (a reply goes dst -> src), and the
  // receiver's index in the sender's HaControl::peers().
  int src = kNoVoter;
  int dst = kNoVoter;
  size_t peer_index = 0;
  std::string bytes;  // a frame
};

struct LinkKnobs {
  int64_t min_delay_ms = 1;
  int64_t max_delay_ms = 20;
  double loss = 0.0;  // probability that a packet is lost
};

class SimNetwork {
 public:
  explicit SimNetwork(Rng& rng) : rng_(rng) {}

  // Queues `p` for delivery after a random delay. False when it is lost.
  bool Send(int64_t now_ms, Packet p);
  // Removes and returns the packets due at or before `now_ms`, in delivery order. Packets
  // of a node cut while they were in flight are dropped here.
  std::vector<Packet> TakeDue(int64_t now_ms);
  int64_t NextDueMs() const;  // INT64_MAX when nothing is in flight
  // Controller `ctl` (voter `ctl`) is gone: what was on its way to it is lost.
  size_t DropToController(size_t ctl = 0);
  // The witness (voter `voter`) is gone.
  size_t DropToVoter(int voter);

  void SetCut(size_t node, bool cut);
  bool IsCut(size_t node) const { return cut_.count(node) != 0; }
  // A voter cut off from the other voters (a controller also from nodes and clients).
  void SetIsolated(int voter, bool isolated);
  bool IsIsolated(int voter) const { return isolated_.count(voter) != 0; }
  // Whether `p` cannot pass now (a cut node, an isolated voter at either end).
  bool Blocked(const Packet& p) const;
  void set_knobs(const LinkKnobs& k) { knobs_ = k; }
  const LinkKnobs& knobs() const { return knobs_; }
  // Test hook: a packet for which `f` returns true is lost.
  void set_drop_filter(std::function<bool(const Packet&)> f) { drop_filter_ = std::move(f); }

  uint64_t sent() const { return sent_; }
  uint64_t lost() const { return lost_; }

 private:
  // Removes the queued packets for which `gone` holds; returns how many.
  size_t DropIf(const std::function<bool(const Packet&)>& gone);

  Rng& rng_;
  LinkKnobs knobs_;
  std::function<bool(const Packet&)> drop_filter_;
  std::map<std::pair<int64_t, uint64_t>, Packet> queue_;  // (deliver at, send order)
  // Latest delivery time per link (kind, node, client, controller, voters), to keep each
  // link FIFO.
  std::map<std::tuple<PacketKind, size_t, uint32_t, size_t, int, int>, int64_t> link_tail_;
  std::set<size_t> cut_;
  std::set<int> isolated_;
  uint64_t seq_ = 0;
  uint64_t sent_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace herd::sim
