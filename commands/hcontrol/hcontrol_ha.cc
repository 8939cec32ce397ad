// herd hcontrol — ping, takeover and the controller lines of show config.
#include "commands/hcontrol/hcontrol_ha.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "commands/lib/cli.h"
#include "commands/lib/ha_format.h"

namespace herd::hcontrol {
namespace {

using std::chrono::milliseconds;

// Each controller is asked on its own: a stopped one must not hold up the others' lines.
constexpr milliseconds kPingTimeout{2000};
constexpr milliseconds kTakeoverPoll{200};

cli::PingResult PingResultOf(const Result<std::optional<proto::HaStatusReply>>& r) {
  cli::PingResult p;
  if (r.ok()) {
    p.up = true;
    p.status = *r;
  } else {
    // It answered, with an error (not authorized, ...): up, whatever it thinks.
    const Code c = r.error().code();
    p.up = c != Code::kDeadlineExceeded && c != Code::kUnavailable;
  }
  return p;
}

std::string Key(const std::string& line) { return line.substr(0, line.find(" = ")); }

}  // namespace

int Ping(cli::Client& client) {
  const ClusterConfig& cfg = client.config();
  const milliseconds timeout = std::min(client.timeout(), kPingTimeout);
  bool any_active = false;
  for (size_t i = 0; i < cfg.controllers.size(); ++i) {
    const cli::PingResult r = PingResultOf(client.HaStatusOf(i, timeout));
    any_active = any_active || cli::ShowsActive(r);
    std::printf(
        "%s\n",
        cli::PingLine("herdctld", cfg.controllers[i].name, client.addresses()[i], r).c_str());
  }
  if (cfg.has_witness()) {
    const std::string addr = cli::ControllerAddress(cfg, cfg.witness_addr);
    const cli::PingResult r = PingResultOf(client.HaStatusAt(addr, timeout));
    std::printf("%s\n", cli::PingLine("witness", cfg.witness_addr.name, addr, r).c_str());
  }
  return any_active ? 0 : 1;
}

int Takeover(cli::Client& client, const std::string& cmd, const std::string& to) {
  const ClusterConfig& cfg = client.config();
  if (cfg.controllers.size() < 2) {
    return cli::ReportError(cmd, "takeover: only one controller is configured");
  }
  size_t target = net::Caller::kNone;
  if (!to.empty()) {
    std::string names;
    for (size_t i = 0; i < cfg.controllers.size(); ++i) {
      if (cfg.controllers[i].name == to) target = i;
      names += (names.empty() ? "" : ", ") + cfg.controllers[i].name;
    }
    if (target == net::Caller::kNone) {
      return cli::ReportError(
          cmd, "takeover: no controller named " + to + " (configured: " + names + ")");
    }
  }
  proto::TakeoverRequest req;
  req.to = to;
  auto r = client.Call<proto::StatusReply>(req);
  if (!r.ok()) {
    return cli::ReportError(cmd, "takeover: " + cli::DescribeCallError(r.error()).message());
  }
  const size_t old_active = client.answered();
  if (target == net::Caller::kNone && cfg.controllers.size() == 2 && old_active < 2) {
    target = 1 - old_active;
  }
  // The handover has started; it is done when the new one says it is active.
  const auto deadline = std::chrono::steady_clock::now() + client.timeout();
  std::string last = "no answer";
  while (true) {
    if (target != net::Caller::kNone) {
      auto st = client.HaStatusOf(target, kPingTimeout);
      if (st.ok() && st->has_value()) {
        const proto::HaStatusReply& s = **st;
        if (s.role == "active") {
          std::printf("takeover: %s is now active (epoch %llu)\n", s.served_by.c_str(),
                      static_cast<unsigned long long>(s.epoch));
          return 0;
        }
        last = s.role + ", epoch " + std::to_string(s.epoch);
      } else if (!st.ok()) {
        last = st.error().message();
      }
    } else {
      // More than two controllers and no name: whoever the controllers call active now.
      auto st = client.HaStatus();
      if (st.ok() && !st->active.empty() && old_active < cfg.controllers.size() &&
          st->active != cfg.controllers[old_active].name) {
        std::printf("takeover: %s is now active (epoch %llu)\n", st->active.c_str(),
                    static_cast<unsigned long long>(st->epoch));
        return 0;
      }
      if (!st.ok()) last = st.error().message();
    }
    if (std::chrono::steady_clock::now() + kTakeoverPoll >= deadline) break;
    std::this_thread::sleep_for(kTakeoverPoll);
  }
  const std::string who = target != net::Caller::kNone ? cfg.controllers[target].name
                                                       : std::string("another controller");
  return cli::ReportError(cmd, "takeover: " + who + " did not become active within " +
                                   std::to_string(client.timeout().count() / 1000) +
                                   " s (last: " + last + ")");
}

std::vector<std::string> WithControllerLines(cli::Client& client, std::vector<std::string> lines) {
  auto st = client.HaStatus();
  std::vector<std::string> added =
      cli::ControllerConfigLines(client.config(), st.ok() ? &*st : nullptr);
  // The added keys replace the same keys as written in herd.conf (WitnessHost, HaLeaseMs).
  lines.erase(std::remove_if(lines.begin(), lines.end(),
                             [&](const std::string& l) {
                               return std::any_of(
                                   added.begin(), added.end(),
                                   [&](const std::string& a) { return Key(a) == Key(l); });
                             }),
              lines.end());
  lines.insert(lines.end(), added.begin(), added.end());
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace herd::hcontrol
