// herd hrun — the whole run after parsing: bind the I/O endpoint, allocate when outside a
// job (and release at the end), create the step (retrying while the job's resources are
// busy), then drive it with a StepSession.
#pragma once

#include <cstdint>

#include "commands/hrun/hrun_options.h"
#include "commands/hrun/hrun_spec.h"
#include "commands/lib/client.h"
#include "commands/lib/signal_watch.h"

namespace herd::hrun {

// hrun's exit code. `ctx` is hrun's environment and directory (mpi_default from the
// configuration already filled in).
int RunHrun(const HrunOptions& o, const HrunContext& ctx, cli::Client* client,
            cli::SignalWatch* signals);

// StepCreateRequest until it is accepted: kResourceExhausted (busy) is retried every
// 200 ms to 1 s after one "Job step creation temporarily disabled, retrying". A signal from
// ForwardedSignals() while it waits gives up with `*interrupted` set.
Result<proto::StepCreateReply> CreateStep(cli::Client* client, cli::SignalWatch* signals,
                                          uint64_t job_id, const proto::StepSpec& spec, bool quiet,
                                          bool* interrupted);

}  // namespace herd::hrun
