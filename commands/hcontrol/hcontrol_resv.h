// herd hcontrol — advance reservations (scontrol's): create [reservation] KEY=VALUE...,
// update ReservationName=NAME KEY=VALUE..., delete ReservationName=NAME (also "delete
// reservation NAME"), and show reservation [NAME] (doc/reservations.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "commands/lib/client.h"
#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hcontrol {

// The words after the verb (`op`) into a request; StartTime and EndTime become wall clock
// seconds here (now+N, today, YYYY-MM-DDTHH:MM:SS..., as scontrol reads them, at `now`).
Result<proto::UpdateReservationRequest> ParseReservationCommand(std::vector<std::string> words,
                                                                proto::ResvOp op, int64_t now);

// Whether the words of a create/update/delete name a reservation (a first word
// "reservation", or a ReservationName= key).
bool NamesReservation(const std::vector<std::string>& words);

// Sends the request and prints as scontrol does; returns the exit code.
int RunReservationCommand(cli::Client& client, const char* cmd,
                          const proto::UpdateReservationRequest& req);

// show reservation [NAME]; returns the exit code.
int ShowReservations(cli::Client& client, const char* cmd, const std::string& name, bool oneliner);

}  // namespace herd::hcontrol
