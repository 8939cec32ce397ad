// herd — mpi/none: the MPI plugin for steps that need no MPI support. Tasks get no extra
// environment and no fence ever starts.
//
// Threads: stateless; any thread.
#pragma once

#include <memory>

#include "plugins/api/mpi.h"

namespace herd::plugin {

std::unique_ptr<MpiServer> MakeNoneMpiServer();

}  // namespace herd::plugin
