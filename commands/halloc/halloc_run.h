// herd halloc — obtain the allocation, run the command in it as a child (in halloc's own
// process group, so the terminal and job control stay the user's), wait for it, and
// relinquish the allocation. While the command runs, SIGINT and SIGQUIT are left to it
// (the terminal sends them to both), SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are passed on.
// Every few seconds halloc checks that the job still runs: a job ended by its time limit
// or a cancel is "revoked", and the command gets SIGHUP (SIGKILL after KillWait).
#pragma once

#include <string>
#include <vector>

#include "commands/halloc/halloc_options.h"
#include "commands/lib/client.h"
#include "commands/lib/signal_watch.h"

namespace herd::halloc {

// The signals halloc watches (ForwardedSignals() and SIGCHLD).
std::vector<int> WatchedSignals();

// halloc's exit code: the command's (128+N when a signal N ended it), 1 when no allocation
// was obtained or the command could not start.
int RunHalloc(const HallocOptions& o, const std::vector<std::string>& env, const std::string& cwd,
              cli::Client* client, cli::SignalWatch* signals);

// A wait status as a shell exit code.
int ExitCodeOfStatus(int wait_status);

}  // namespace herd::halloc
