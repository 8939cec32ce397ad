// herd hcontrol — the commands about the controller pair (doc/ha-clients.md): ping (each
// controller and the witness asked on its own), takeover (hand the active role over and
// wait until it has moved), and the controller lines of `show config`.
#pragma once

#include <string>
#include <vector>

#include "commands/lib/client.h"

namespace herd::hcontrol {

// Prints one line per controller and the witness; 0 when one of them is active.
int Ping(cli::Client& client);

// Sends TakeoverRequest{to} to the active, then polls HaStatusRequest (up to
// MessageTimeout) until the new one is active; prints "takeover: ctl2 is now active
// (epoch N)". Non-zero with the error otherwise.
int Takeover(cli::Client& client, const std::string& cmd, const std::string& to);

// `lines` ("Key = Value", from QueryConfigReply) with the controller lines added (from a
// HaStatusReply when the controllers know it), sorted.
std::vector<std::string> WithControllerLines(cli::Client& client, std::vector<std::string> lines);

}  // namespace herd::hcontrol
